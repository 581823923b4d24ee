<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CaseFilePage</name>
    <message numerus="yes">
        <source>%n year(s)</source>
        <translation>
            <numerusform>%n year</numerusform>
            <numerusform>%n years</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n linked record(s) not shown: your role does not give access to them.</source>
        <translation>
            <numerusform>%n linked record not shown: your role does not give access to it.</numerusform>
            <numerusform>%n linked records not shown: your role does not give access to them.</numerusform>
        </translation>
    </message>
</context>
</TS>
