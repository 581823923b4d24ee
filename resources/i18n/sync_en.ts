<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>SyncStatusWidget</name>
    <message numerus="yes">
        <source>%n registration(s) sent</source>
        <translation>
            <numerusform>%n registration sent</numerusform>
            <numerusform>%n registrations sent</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n update(s) received</source>
        <translation>
            <numerusform>%n update received</numerusform>
            <numerusform>%n updates received</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) to review</source>
        <translation>
            <numerusform>%n conflict to review</numerusform>
            <numerusform>%n conflicts to review</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused by the server</source>
        <translation>
            <numerusform>%n refused by the server</numerusform>
            <numerusform>%n refused by the server</numerusform>
        </translation>
    </message>
</context>
</TS>
