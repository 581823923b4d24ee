<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>RetentionDialog</name>
    <message>
        <source>Retention period</source>
        <translation>Durée de conservation</translation>
    </message>
    <message>
        <source>How long this laptop keeps the identifying data of a registration after the server received it. When the period has passed, names, dates of birth, documents, contact details, photos and narratives are removed from this laptop; case numbers, sex, age group, nationality, assistance history and next appointments stay. The server keeps the full records. A coordinator&apos;s laptop can keep them longer.</source>
        <translation>Combien de temps cet ordinateur garde les données identifiantes d&apos;un enregistrement après sa réception par le serveur. Une fois ce délai écoulé, les noms, dates de naissance, documents, coordonnées, photos et récits sont retirés de cet ordinateur&#xa0;; les numéros de dossier, le sexe, la tranche d&apos;âge, la nationalité, l&apos;historique de l&apos;assistance et les prochains rendez-vous restent. Le serveur garde les dossiers complets. L&apos;ordinateur d&apos;un coordinateur peut les garder plus longtemps.</translation>
    </message>
    <message>
        <source>&amp;Days after the server received it:</source>
        <translation>&amp;Jours après sa réception par le serveur&#xa0;:</translation>
    </message>
    <message>
        <source> days</source>
        <translation> jours</translation>
    </message>
    <message>
        <source>&amp;No limit on this laptop</source>
        <translation>&amp;Pas de limite sur cet ordinateur</translation>
    </message>
</context>
<context>
    <name>RetentionSettings</name>
    <message>
        <source>Retention period</source>
        <translation>Durée de conservation</translation>
    </message>
    <message>
        <source>&amp;Retention period…</source>
        <translation>Durée de &amp;conservation…</translation>
    </message>
</context>
<context>
    <name>RetentionWatch</name>
    <message numerus="yes">
        <source>The retention period set by your administrator (%1 days after the server received a registration) has passed for %n registration(s). On %2, Waypoint removed their names, dates of birth, documents, contact details, photos and narratives from this laptop. Their case numbers, sex, age group, nationality, assistance history and next appointments stay; the server keeps the full records.</source>
        <translation>
            <numerusform>La durée de conservation fixée par votre administrateur (%1 jours après la réception d&apos;un enregistrement par le serveur) est écoulée pour %n enregistrement. Le %2, Waypoint a retiré de cet ordinateur ses noms, sa date de naissance, ses documents, ses coordonnées, ses photos et ses récits. Son numéro de dossier, son sexe, sa tranche d&apos;âge, sa nationalité, l&apos;historique de l&apos;assistance et le prochain rendez-vous restent&#xa0;; le serveur garde le dossier complet.</numerusform>
            <numerusform>La durée de conservation fixée par votre administrateur (%1 jours après la réception d&apos;un enregistrement par le serveur) est écoulée pour %n enregistrements. Le %2, Waypoint a retiré de cet ordinateur leurs noms, dates de naissance, documents, coordonnées, photos et récits. Leurs numéros de dossier, sexe, tranche d&apos;âge, nationalité, l&apos;historique de l&apos;assistance et les prochains rendez-vous restent&#xa0;; le serveur garde les dossiers complets.</numerusform>
        </translation>
    </message>
    <message>
        <source>Identifying data removed</source>
        <translation>Données identifiantes retirées</translation>
    </message>
</context>
</TS>
