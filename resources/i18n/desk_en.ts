<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ConflictsPage</name>
    <message numerus="yes">
        <source>%n answer(s) differ.</source>
        <translation>
            <numerusform>%n answer differs.</numerusform>
            <numerusform>%n answers differ.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DeskArea</name>
    <message numerus="yes">
        <source>Comparing %n person(s)…</source>
        <translation>
            <numerusform>Comparing %n person…</numerusform>
            <numerusform>Comparing %n people…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Search finished: %n pair(s) to review.</source>
        <translation>
            <numerusform>Search finished: %n pair to review.</numerusform>
            <numerusform>Search finished: %n pairs to review.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Decision undone; %n record(s) moved back.</source>
        <translation>
            <numerusform>Decision undone; %n record moved back.</numerusform>
            <numerusform>Decision undone; %n records moved back.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DeskWords</name>
    <message numerus="yes">
        <source>name: %n word(s)</source>
        <translation>
            <numerusform>name: %n word</numerusform>
            <numerusform>name: %n words</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DuplicatesPage</name>
    <message numerus="yes">
        <source>%n pair(s) to review.</source>
        <translation>
            <numerusform>%n pair to review.</numerusform>
            <numerusform>%n pairs to review.</numerusform>
        </translation>
    </message>
</context>
</TS>
