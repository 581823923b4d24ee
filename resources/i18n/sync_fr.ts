<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol this laptop for sync</source>
        <translation>Inscrire cet ordinateur pour la synchronisation</translation>
    </message>
    <message>
        <source>only if your organisation uses its own certificate authority</source>
        <translation>seulement si votre organisation a sa propre autorité de certification</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>Inscrire</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>Code à usage unique</translation>
    </message>
    <message>
        <source>CA bundle (optional)</source>
        <translation>Certificats d&apos;autorité (facultatif)</translation>
    </message>
    <message>
        <source>This laptop&apos;s name</source>
        <translation>Nom de cet ordinateur</translation>
    </message>
    <message>
        <source>CA bundle</source>
        <translation>Certificats d&apos;autorité</translation>
    </message>
    <message>
        <source>Enrolling…</source>
        <translation>Inscription…</translation>
    </message>
    <message>
        <source>A sync is running; try again when it has finished.</source>
        <translation>Une synchronisation est en cours ; réessayez quand elle sera terminée.</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <source>Synchronisation stopped: %s</source>
        <translation>Synchronisation arrêtée&#xa0;: %s</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Syncing…</source>
        <translation>Synchronisation…</translation>
    </message>
    <message>
        <source>Sync failed: %s</source>
        <translation>Échec de la synchronisation&#xa0;: %s</translation>
    </message>
    <message>
        <source>Syncing… %1 sent, %2 received</source>
        <translation>Synchronisation… %1 envoyés, %2 reçus</translation>
    </message>
    <message>
        <source>Synced %1 · %2 sent, %3 received</source>
        <translation>Synchronisé à %1 · %2 envoyés, %3 reçus</translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) to review</source>
        <translation>
            <numerusform>%n conflit à examiner</numerusform>
            <numerusform>%n conflits à examiner</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused by the server</source>
        <translation>
            <numerusform>%n refusé par le serveur</numerusform>
            <numerusform>%n refusés par le serveur</numerusform>
        </translation>
    </message>
    <message>
        <source>Server not reachable; records stay queued</source>
        <translation>Serveur injoignable&#xa0;; les dossiers restent en attente</translation>
    </message>
    <message>
        <source>Not enrolled for sync</source>
        <translation>Appareil non inscrit</translation>
    </message>
    <message>
        <source>Last sync %1</source>
        <translation>Dernière synchronisation&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>_Retranslator</name>
    <message>
        <source>Sync now</source>
        <translation>Synchroniser</translation>
    </message>
    <message>
        <source>Send queued registrations and receive changes (F5)</source>
        <translation>Envoyer les enregistrements en attente et recevoir les modifications (F5)</translation>
    </message>
    <message>
        <source>Enrol this laptop for sync…</source>
        <translation>Inscrire cet ordinateur pour la synchronisation…</translation>
    </message>
</context>
</TS>
