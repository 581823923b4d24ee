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
        <translation>Une synchronisation est en cours&#xa0;; réessayez quand elle sera terminée.</translation>
    </message>
</context>
<context>
    <name>SyncMessages</name>
    <message>
        <source>The server address must start with https:// (plain http:// only to this computer), e.g. https://sync.example.org.</source>
        <translation>L&apos;adresse du serveur doit commencer par https:// (http:// seulement vers cet ordinateur), p. ex. https://sync.example.org.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted; nothing was sent. If your organisation uses its own certificate authority, choose its CA bundle.</source>
        <translation>Le certificat du serveur n&apos;est pas reconnu&#xa0;; rien n&apos;a été envoyé. Si votre organisation a sa propre autorité de certification, choisissez son fichier de certificats.</translation>
    </message>
    <message>
        <source>The server stayed unreachable. Registrations stay queued and go at the next sync.</source>
        <translation>Le serveur est resté injoignable. Les enregistrements restent en attente et partiront à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>The server could not be reached. Check the network; registrations stay queued.</source>
        <translation>Le serveur est injoignable. Vérifiez le réseau&#xa0;; les enregistrements restent en attente.</translation>
    </message>
    <message>
        <source>The server had a problem answering. Try again later; registrations stay queued.</source>
        <translation>Le serveur n&apos;a pas pu répondre. Réessayez plus tard&#xa0;; les enregistrements restent en attente.</translation>
    </message>
    <message>
        <source>This laptop is already enrolled for sync.</source>
        <translation>Cet ordinateur est déjà inscrit pour la synchronisation.</translation>
    </message>
    <message>
        <source>The server has revoked this laptop. Ask an administrator.</source>
        <translation>Le serveur a révoqué cet ordinateur. Adressez-vous à un administrateur.</translation>
    </message>
    <message>
        <source>The server&apos;s key changed without proof from the key this laptop trusts; nothing was sent. Ask the administrator: if the server&apos;s keys were replaced, enrol this laptop again with a new code (its registrations and unsent changes are kept).</source>
        <translation>La clé du serveur a changé sans preuve de la part de la clé en laquelle cet ordinateur a confiance&#xa0;; rien n&apos;a été envoyé. Adressez-vous à l&apos;administrateur&#xa0;: si les clés du serveur ont été remplacées, inscrivez de nouveau cet ordinateur avec un nouveau code (ses enregistrements et les modifications non envoyées sont conservés).</translation>
    </message>
    <message>
        <source>The server was restored from a backup. This laptop sends again what the server lost at the next sync; registrations stay queued.</source>
        <translation>Le serveur a été restauré depuis une sauvegarde. Cet ordinateur renverra ce que le serveur a perdu à la prochaine synchronisation&#xa0;; les enregistrements restent en attente.</translation>
    </message>
    <message>
        <source>The server refused changes stamped ahead of its clock; they go again at the next sync. Check this laptop&apos;s date and time.</source>
        <translation>Le serveur a refusé des modifications datées en avance sur son horloge&#xa0;; elles repartiront à la prochaine synchronisation. Vérifiez la date et l&apos;heure de cet ordinateur.</translation>
    </message>
    <message>
        <source>Only an administrator or a coordinator can enrol this laptop.</source>
        <translation>Seul un administrateur ou un coordinateur peut inscrire cet ordinateur.</translation>
    </message>
    <message>
        <source>Synchronisation stopped: %1</source>
        <translation>Synchronisation arrêtée&#xa0;: %1</translation>
    </message>
    <message>
        <source>This enrolment code has expired. Ask the administrator for a new one.</source>
        <translation>Ce code d&apos;inscription a expiré. Demandez-en un nouveau à l&apos;administrateur.</translation>
    </message>
    <message>
        <source>This enrolment code has already been used. Ask the administrator for a new one.</source>
        <translation>Ce code d&apos;inscription a déjà servi. Demandez-en un nouveau à l&apos;administrateur.</translation>
    </message>
    <message>
        <source>This enrolment code is not known. Check it, or ask the administrator for a new one.</source>
        <translation>Ce code d&apos;inscription n&apos;est pas reconnu. Vérifiez-le, ou demandez-en un nouveau à l&apos;administrateur.</translation>
    </message>
    <message>
        <source>The server refused the request (%1).</source>
        <translation>Le serveur a refusé la demande (%1).</translation>
    </message>
    <message>
        <source>This laptop is not enrolled for sync yet: Registrations → Enrol this laptop for sync…</source>
        <translation>Cet ordinateur n&apos;est pas encore inscrit pour la synchronisation&#xa0;: Enregistrements → Inscrire cet ordinateur pour la synchronisation…</translation>
    </message>
    <message>
        <source>This laptop is not enrolled for sync yet. An administrator or coordinator enrols it (Registrations → Enrol this laptop for sync…).</source>
        <translation>Cet ordinateur n&apos;est pas encore inscrit pour la synchronisation. Un administrateur ou un coordinateur l&apos;inscrit (Enregistrements → Inscrire cet ordinateur pour la synchronisation…).</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Syncing…</source>
        <translation>Synchronisation…</translation>
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
        <source>Sync failed: %1</source>
        <translation>Échec de la synchronisation&#xa0;: %1</translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>Synchronisé à %1</translation>
    </message>
    <message numerus="yes">
        <source>%n registration(s) sent</source>
        <translation>
            <numerusform>%n enregistrement envoyé</numerusform>
            <numerusform>%n enregistrements envoyés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n update(s) received</source>
        <translation>
            <numerusform>%n mise à jour reçue</numerusform>
            <numerusform>%n mises à jour reçues</numerusform>
        </translation>
    </message>
    <message>
        <source>Not enrolled for sync</source>
        <translation>Appareil non inscrit</translation>
    </message>
    <message>
        <source>Enrolled: %1</source>
        <translation>Inscrit&#xa0;: %1</translation>
    </message>
    <message>
        <source>Enrolled for sync</source>
        <translation>Inscrit pour la synchronisation</translation>
    </message>
    <message>
        <source>last sync %1</source>
        <translation>dernière synchronisation %1</translation>
    </message>
    <message>
        <source>not synced yet</source>
        <translation>pas encore synchronisé</translation>
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
