<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>RetentionWatch</name>
    <message numerus="yes">
        <source>The retention period set by your administrator (%1 days after the server received a registration) has passed for %n registration(s). On %2, Waypoint removed their names, dates of birth, documents, contact details, photos and narratives from this laptop. Their case numbers, sex, age group, nationality, assistance history and next appointments stay; the server keeps the full records.</source>
        <translation>
            <numerusform>The retention period set by your administrator (%1 days after the server received a registration) has passed for 1 registration. On %2, Waypoint removed its names, date of birth, documents, contact details, photos and narratives from this laptop. Its case number, sex, age group, nationality, assistance history and next appointment stay; the server keeps the full record.</numerusform>
            <numerusform>The retention period set by your administrator (%1 days after the server received a registration) has passed for %n registrations. On %2, Waypoint removed their names, dates of birth, documents, contact details, photos and narratives from this laptop. Their case numbers, sex, age group, nationality, assistance history and next appointments stay; the server keeps the full records.</numerusform>
        </translation>
    </message>
</context>
</TS>
