<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
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
