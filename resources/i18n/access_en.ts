<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AlarmsArea</name>
    <message numerus="yes">
        <source>%n records brought back: every laptop of the centre receives them at its next sync.</source>
        <translation>
            <numerusform>%n record brought back: every laptop of the centre receives it at its next sync.</numerusform>
            <numerusform>%n records brought back: every laptop of the centre receives them at its next sync.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AuditArea</name>
    <message numerus="yes">
        <source>The chain is intact: %n entries verified, none removed, reordered or altered.</source>
        <translation>
            <numerusform>The chain is intact: %n entry verified, none removed, reordered or altered.</numerusform>
            <numerusform>The chain is intact: %n entries verified, none removed, reordered or altered.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n entries exported to %1.</source>
        <translation>
            <numerusform>%n entry exported to %1.</numerusform>
            <numerusform>%n entries exported to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n entry</numerusform>
            <numerusform>%n entries</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NewCodeDialog</name>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n hour</numerusform>
            <numerusform>%n hours</numerusform>
        </translation>
    </message>
</context>
</TS>
