<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ExportsArea</name>
    <message numerus="yes">
        <source>Saved %1: %n record(s), passphrase-protected.</source>
        <translation>
            <numerusform>Saved %1: %n record, passphrase-protected.</numerusform>
            <numerusform>Saved %1: %n records, passphrase-protected.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved %1: %n case(s), k-anonymous (k = 11).</source>
        <translation>
            <numerusform>Saved %1: %n case, k-anonymous (k = 11).</numerusform>
            <numerusform>Saved %1: %n cases, k-anonymous (k = 11).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) withheld: too few alike.</source>
        <translation>
            <numerusform>%n case withheld: too few alike.</numerusform>
            <numerusform>%n cases withheld: too few alike.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message numerus="yes">
        <source>%n cell(s) of fewer than %1 people shown as &lt;%1</source>
        <translation>
            <numerusform>%n cell of fewer than %1 people shown as &lt;%1</numerusform>
            <numerusform>%n cells of fewer than %1 people shown as &lt;%1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more shown as x so that totals cannot give them back</source>
        <translation>
            <numerusform>%n more shown as x so that totals cannot give it back</numerusform>
            <numerusform>%n more shown as x so that totals cannot give them back</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message numerus="yes">
        <source>%n event(s) or referral(s) name no registration in this scope and are not counted.</source>
        <translation>
            <numerusform>%n event or referral names no registration in this scope and is not counted.</numerusform>
            <numerusform>%n events or referrals name no registration in this scope and are not counted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) or referral(s) name no registration on this laptop and are not counted.</source>
        <translation>
            <numerusform>%n event or referral names no registration on this laptop and is not counted.</numerusform>
            <numerusform>%n events or referrals name no registration on this laptop and are not counted.</numerusform>
        </translation>
    </message>
</context>
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
