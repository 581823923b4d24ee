<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>The vault locked itself after %n minute(s) without use, to protect the records. Sign in to continue.</source>
        <translation>
            <numerusform>The vault locked itself after %n minute without use, to protect the records. Sign in to continue.</numerusform>
            <numerusform>The vault locked itself after %n minutes without use, to protect the records. Sign in to continue.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not yet synced</source>
        <translation>
            <numerusform>%n not yet synced</numerusform>
            <numerusform>%n not yet synced</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in total</source>
        <translation>
            <numerusform>%n in total</numerusform>
            <numerusform>%n in total</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n incomplete (files missing)</source>
        <translation>
            <numerusform>%n incomplete (files missing)</numerusform>
            <numerusform>%n incomplete (files missing)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n draft(s) kept here until finalized</source>
        <translation>
            <numerusform>%n draft kept here until finalized</numerusform>
            <numerusform>%n drafts kept here until finalized</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n draft(s) kept here</source>
        <translation>
            <numerusform>%n draft kept here</numerusform>
            <numerusform>%n drafts kept here</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message numerus="yes">
        <source>Too many wrong attempts. Wait %n second(s), then try again.</source>
        <translation>
            <numerusform>Too many wrong attempts. Wait %n second, then try again.</numerusform>
            <numerusform>Too many wrong attempts. Wait %n seconds, then try again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RegistrationListModel</name>
    <message numerus="yes">
        <source>incomplete: %n file(s) missing</source>
        <translation>
            <numerusform>incomplete: %n file missing</numerusform>
            <numerusform>incomplete: %n files missing</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SignedInLabel</name>
    <message numerus="yes">
        <source>Signed in: %1 (%2 +%n)</source>
        <translation>
            <numerusform>Signed in: %1 (%2 +%n)</numerusform>
            <numerusform>Signed in: %1 (%2 +%n)</numerusform>
        </translation>
    </message>
</context>
</TS>
