<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>SearchPage</name>
    <message numerus="yes">
        <source>%n person(s) found</source>
        <translation>
            <numerusform>%n person found</numerusform>
            <numerusform>%n people found</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SearchReasons</name>
    <message numerus="yes">
        <source>%n exact</source>
        <translation>
            <numerusform>%n exact</numerusform>
            <numerusform>%n exact</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n spelling variant(s)</source>
        <translation>
            <numerusform>%n spelling variant</numerusform>
            <numerusform>%n spelling variants</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Arabic/Latin transliteration(s)</source>
        <translation>
            <numerusform>%n Arabic/Latin transliteration</numerusform>
            <numerusform>%n Arabic/Latin transliterations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n close spelling(s)</source>
        <translation>
            <numerusform>%n close spelling</numerusform>
            <numerusform>%n close spellings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n weak</source>
        <translation>
            <numerusform>%n weak</numerusform>
            <numerusform>%n weak</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>name: %n word(s)</source>
        <translation>
            <numerusform>name: %n word</numerusform>
            <numerusform>name: %n words</numerusform>
        </translation>
    </message>
</context>
</TS>
