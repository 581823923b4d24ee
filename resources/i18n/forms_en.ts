<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>FormScreen</name>
    <message numerus="yes">
        <source>%n answer(s) need attention before finalizing.</source>
        <translation>
            <numerusform>%n answer needs attention before finalizing.</numerusform>
            <numerusform>%n answers need attention before finalizing.</numerusform>
        </translation>
    </message>
</context>
</TS>
