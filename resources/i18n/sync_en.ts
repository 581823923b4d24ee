<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>BatchDialog</name>
    <message numerus="yes">
        <source>%n file(s) written</source>
        <translation>
            <numerusform>%n file written</numerusform>
            <numerusform>%n files written</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n operation</numerusform>
            <numerusform>%n operations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) read</source>
        <translation>
            <numerusform>%n file read</numerusform>
            <numerusform>%n files read</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) forwarded</source>
        <translation>
            <numerusform>%n file forwarded</numerusform>
            <numerusform>%n files forwarded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n receipt(s) written</source>
        <translation>
            <numerusform>%n receipt written</numerusform>
            <numerusform>%n receipts written</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) still waiting here, not rejected:</source>
        <translation>
            <numerusform>%n file still waiting here, not rejected:</numerusform>
            <numerusform>%n files still waiting here, not rejected:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BatchFilesModel</name>
    <message numerus="yes">
        <source>%n operation(s) imported</source>
        <translation>
            <numerusform>%n operation imported</numerusform>
            <numerusform>%n operations imported</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) to review</source>
        <translation>
            <numerusform>%n conflict to review</numerusform>
            <numerusform>%n conflicts to review</numerusform>
        </translation>
    </message>
</context>
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
    <message numerus="yes">
        <source>%n cannot be sent (see conflicts)</source>
        <translation>
            <numerusform>%n cannot be sent (see conflicts)</numerusform>
            <numerusform>%n cannot be sent (see conflicts)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new conflict(s) between other devices to review</source>
        <translation>
            <numerusform>%n new conflict between other devices to review</numerusform>
            <numerusform>%n new conflicts between other devices to review</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>this laptop&apos;s vault was put back from an older copy (or copied): %n unsent change(s) numbered again and sent, nothing lost</source>
        <translation>
            <numerusform>this laptop&apos;s vault was put back from an older copy (or copied): %n unsent change numbered again and sent, nothing lost</numerusform>
            <numerusform>this laptop&apos;s vault was put back from an older copy (or copied): %n unsent changes numbered again and sent, nothing lost</numerusform>
        </translation>
    </message>
</context>
</TS>
