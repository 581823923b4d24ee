<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
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
</context>
</TS>
