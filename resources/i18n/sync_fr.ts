<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>BatchDialog</name>
    <message>
        <source>Folder or drive</source>
        <translation>Dossier ou support</translation>
    </message>
    <message>
        <source>USB batch files</source>
        <translation>Lots sur clé USB</translation>
    </message>
    <message>
        <source>Send this laptop&apos;s records on a USB stick</source>
        <translation>Envoyer les enregistrements de cet ordinateur sur une clé USB</translation>
    </message>
    <message>
        <source>the USB stick, or a folder</source>
        <translation>la clé USB, ou un dossier</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Files from a USB stick</source>
        <translation>Fichiers d&apos;une clé USB</translation>
    </message>
    <message>
        <source>Import from a folder or drive…</source>
        <translation>Importer depuis un dossier ou un support…</translation>
    </message>
    <message>
        <source>Forward to the server</source>
        <translation>Transmettre au serveur</translation>
    </message>
    <message>
        <source>Writing the batch files… do not remove the drive.</source>
        <translation>Écriture des fichiers de lot… ne retirez pas le support.</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) written</source>
        <translation>
            <numerusform>%n fichier écrit</numerusform>
            <numerusform>%n fichiers écrits</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n opération</numerusform>
            <numerusform>%n opérations</numerusform>
        </translation>
    </message>
    <message>
        <source>The files are complete: it is safe to remove the drive.</source>
        <translation>Les fichiers sont complets : vous pouvez retirer le support en toute sécurité.</translation>
    </message>
    <message>
        <source>Reading the files…</source>
        <translation>Lecture des fichiers…</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) read</source>
        <translation>
            <numerusform>%n fichier lu</numerusform>
            <numerusform>%n fichiers lus</numerusform>
        </translation>
    </message>
    <message>
        <source>Forwarding to the server…</source>
        <translation>Transmission au serveur…</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) forwarded</source>
        <translation>
            <numerusform>%n fichier transmis</numerusform>
            <numerusform>%n fichiers transmis</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n receipt(s) written</source>
        <translation>
            <numerusform>%n accusé de réception écrit</numerusform>
            <numerusform>%n accusés de réception écrits</numerusform>
        </translation>
    </message>
    <message>
        <source>The receipts are complete: it is safe to remove the drive.</source>
        <translation>Les accusés de réception sont complets : vous pouvez retirer le support en toute sécurité.</translation>
    </message>
    <message>
        <source>Nothing is waiting to be forwarded.</source>
        <translation>Rien n&apos;attend d&apos;être transmis.</translation>
    </message>
    <message>
        <source>the drive is full</source>
        <translation>le support est plein</translation>
    </message>
    <message>
        <source>the drive or folder cannot be written: %1</source>
        <translation>le support ou le dossier n&apos;accepte pas l&apos;écriture : %1</translation>
    </message>
    <message>
        <source>The remaining receipts could not be written to %1 (%2). Nothing is lost: they wait on this machine. Free some space on the drive (or choose another) and press Forward to the server again to write them.</source>
        <translation>Les autres accusés de réception n&apos;ont pas pu être écrits dans %1 (%2). Rien n&apos;est perdu : ils attendent sur cet ordinateur. Libérez de la place sur le support (ou choisissez-en un autre) et appuyez de nouveau sur Transmettre au serveur pour les écrire.</translation>
    </message>
    <message>
        <source>The list says why for each.</source>
        <translation>La liste dit pourquoi pour chacun.</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) still waiting here, not rejected:</source>
        <translation>
            <numerusform>%n fichier attend encore ici, il n&apos;est pas rejeté :</numerusform>
            <numerusform>%n fichiers attendent encore ici, ils ne sont pas rejetés :</numerusform>
        </translation>
    </message>
    <message>
        <source>The batch files could not be written to %1 (%2). Nothing is lost: every change not yet acknowledged goes in the next export, and no file on the drive is half-written. Free some space on the drive (or use another one) and export again.</source>
        <translation>Les fichiers de lot n&apos;ont pas pu être écrits dans %1 (%2). Rien n&apos;est perdu : chaque modification pas encore confirmée part dans le prochain export, et aucun fichier du support n&apos;est à moitié écrit. Libérez de la place sur le support (ou utilisez-en un autre) et exportez de nouveau.</translation>
    </message>
    <message>
        <source>Only a coordinator or an administrator can carry other laptops&apos; batch files.</source>
        <translation>Seul un coordinateur ou un administrateur peut transporter les lots d&apos;autres ordinateurs.</translation>
    </message>
</context>
<context>
    <name>BatchFilesModel</name>
    <message>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <source>Laptop</source>
        <translation>Ordinateur</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Partie</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>%1 acknowledged · %2 received</source>
        <translation>%1 accusé(s) de réception · %2 reçu(s)</translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s) imported</source>
        <translation>
            <numerusform>%n opération importée</numerusform>
            <numerusform>%n opérations importées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) to review</source>
        <translation>
            <numerusform>%n conflit à examiner</numerusform>
            <numerusform>%n conflits à examiner</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Rien n&apos;a changé.</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol this laptop for sync</source>
        <translation>Inscrire cet ordinateur pour la synchronisation</translation>
    </message>
    <message>
        <source>Enrol this laptop again</source>
        <translation>Inscrire de nouveau cet ordinateur</translation>
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
        <source>This laptop takes a new identity with a new one-time code (for example after the server&apos;s keys were replaced). Its records and every change not yet sent are kept, and sent at the next sync.</source>
        <translation>Cet ordinateur prend une nouvelle identité avec un nouveau code à usage unique (par exemple après le remplacement des clés du serveur). Ses enregistrements et toutes les modifications non encore envoyées sont conservés et seront envoyés à la prochaine synchronisation.</translation>
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
    <name>SyncBatches</name>
    <message>
        <source>Waiting to be forwarded</source>
        <translation>En attente de transmission</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Accepté</translation>
    </message>
    <message>
        <source>Already imported</source>
        <translation>Déjà importé</translation>
    </message>
    <message>
        <source>Accepted, with conflicts to review</source>
        <translation>Accepté, avec des conflits à examiner</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <source>Already on this machine</source>
        <translation>Déjà sur cet ordinateur</translation>
    </message>
    <message>
        <source>Receipt applied</source>
        <translation>Accusé de réception appliqué</translation>
    </message>
    <message>
        <source>Not a Waypoint batch or receipt file.</source>
        <translation>Ce n&apos;est pas un fichier de lot ou d&apos;accusé de réception Waypoint.</translation>
    </message>
    <message>
        <source>The file is incomplete (the copy stopped early). Copy it again from the laptop.</source>
        <translation>Le fichier est incomplet (la copie s&apos;est arrêtée trop tôt). Copiez-le de nouveau depuis l&apos;ordinateur.</translation>
    </message>
    <message>
        <source>The file was changed after it was written. Copy it again from the laptop.</source>
        <translation>Le fichier a été modifié après son écriture. Copiez-le de nouveau depuis l&apos;ordinateur.</translation>
    </message>
    <message>
        <source>The file was made for another server. Give it to the server the laptop is enrolled with.</source>
        <translation>Le fichier a été fait pour un autre serveur. Remettez-le au serveur auquel l&apos;ordinateur est inscrit.</translation>
    </message>
    <message>
        <source>The file has expired. Export a new one on the laptop.</source>
        <translation>Le fichier a expiré. Exportez-en un nouveau sur l&apos;ordinateur.</translation>
    </message>
    <message>
        <source>The file is not signed by the laptop it names, or is meant for another laptop.</source>
        <translation>Le fichier n&apos;est pas signé par l&apos;ordinateur qu&apos;il nomme, ou il est destiné à un autre ordinateur.</translation>
    </message>
    <message>
        <source>The file comes from a laptop the server does not know.</source>
        <translation>Le fichier vient d&apos;un ordinateur que le serveur ne connaît pas.</translation>
    </message>
    <message>
        <source>The laptop that wrote the file has been revoked.</source>
        <translation>L&apos;ordinateur qui a écrit le fichier a été révoqué.</translation>
    </message>
    <message>
        <source>An older batch from this laptop has not arrived yet. The file waits and goes after it.</source>
        <translation>Un lot plus ancien de cet ordinateur n&apos;est pas encore arrivé. Le fichier attend et partira après lui.</translation>
    </message>
    <message>
        <source>The server was restored from a backup and lost earlier changes from the laptop that wrote this file. The file waits here; nothing in it is lost. Have that laptop sync online once, or give its earlier batch files, if you still have them, to the server&apos;s administrator to import again; this file then goes in at the next forward.</source>
        <translation>Le serveur a été restauré depuis une sauvegarde et a perdu des modifications plus anciennes de l&apos;ordinateur qui a écrit ce fichier. Le fichier attend ici&#xa0;; rien de ce qu&apos;il contient n&apos;est perdu. Faites synchroniser cet ordinateur une fois en ligne, ou donnez ses fichiers de lot précédents, si vous les avez encore, à l&apos;administrateur du serveur pour qu&apos;il les importe de nouveau&#xa0;; ce fichier passera alors à la prochaine transmission.</translation>
    </message>
    <message>
        <source>Another part of this export is missing. The file waits until the missing part arrives.</source>
        <translation>Une autre partie de cet export manque. Le fichier attend l&apos;arrivée de la partie manquante.</translation>
    </message>
    <message>
        <source>The laptop&apos;s clock was ahead of the server&apos;s. The file waits and goes again later.</source>
        <translation>L&apos;horloge de l&apos;ordinateur était en avance sur celle du serveur. Le fichier attend et repartira plus tard.</translation>
    </message>
    <message>
        <source>The receipt is not signed by the server this laptop is enrolled with.</source>
        <translation>L&apos;accusé de réception n&apos;est pas signé par le serveur auquel cet ordinateur est inscrit.</translation>
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
        <source>A coordinator locked this laptop remotely. Sign in again to continue.</source>
        <translation>Un coordinateur a verrouillé cet ordinateur à distance. Reconnectez-vous pour continuer.</translation>
    </message>
    <message>
        <source>A coordinator ordered this laptop wiped: its vault is erased and it can no longer synchronise.</source>
        <translation>Un coordinateur a ordonné l&apos;effacement de cet ordinateur : son coffre est effacé et il ne peut plus synchroniser.</translation>
    </message>
    <message>
        <source>The administrator revoked this laptop: the server takes nothing more from it. Nothing entered on it is lost: its registrations and unsent changes stay in its vault. Ask the administrator for a new enrolment code and enrol this laptop again (Registrations → Enrol this laptop again…): they are kept and sent then.</source>
        <translation>L&apos;administrateur a révoqué cet ordinateur&#xa0;: le serveur n&apos;en accepte plus rien. Rien de ce qui y a été saisi n&apos;est perdu&#xa0;: ses enregistrements et ses modifications non envoyées restent dans son coffre. Demandez un nouveau code d&apos;inscription à l&apos;administrateur et inscrivez de nouveau cet ordinateur (Enregistrements → Inscrire de nouveau cet ordinateur…)&#xa0;: ils sont conservés et envoyés alors.</translation>
    </message>
    <message>
        <source>The server does not know this laptop (it was restored from an older backup, or rebuilt). Its registrations are kept and counted as not synced. Ask the administrator for a new enrolment code and enrol this laptop again.</source>
        <translation>Le serveur ne connaît pas cet ordinateur (il a été restauré depuis une sauvegarde plus ancienne, ou reconstruit). Ses enregistrements sont conservés et comptés comme non synchronisés. Demandez un nouveau code d&apos;inscription à l&apos;administrateur et inscrivez de nouveau cet ordinateur.</translation>
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
        <source>A record from the server does not match its version: the server&apos;s copy was altered or damaged. Nothing of it was stored on this laptop; tell your administrator.</source>
        <translation>Un enregistrement reçu du serveur ne correspond pas à sa version&#xa0;: la copie du serveur a été modifiée ou endommagée. Rien n&apos;en a été enregistré sur cet ordinateur&#xa0;; prévenez votre administrateur.</translation>
    </message>
    <message>
        <source>The server refused changes stamped ahead of its clock; they go again at the next sync. Check this laptop&apos;s date and time.</source>
        <translation>Le serveur a refusé des modifications datées en avance sur son horloge&#xa0;; elles repartiront à la prochaine synchronisation. Vérifiez la date et l&apos;heure de cet ordinateur.</translation>
    </message>
    <message>
        <source>This laptop&apos;s vault is also in use on another computer (it was copied), and both sent changes as the same laptop. Nothing was lost. Ask the administrator for a new enrolment code and enrol this laptop again: its registrations and unsent changes are kept and sent then.</source>
        <translation>Le coffre de cet ordinateur est aussi utilisé sur un autre ordinateur (il a été copié), et les deux ont envoyé des modifications comme le même ordinateur. Rien n&apos;est perdu. Demandez un nouveau code d&apos;inscription à l&apos;administrateur et inscrivez de nouveau cet ordinateur&#xa0;: ses enregistrements et les modifications non envoyées sont conservés et envoyés alors.</translation>
    </message>
    <message>
        <source>The server expects changes from this laptop that it no longer holds under those numbers (was the server restored after this vault was copied?). Nothing was lost. Ask the administrator for a new enrolment code and enrol this laptop again: its registrations and unsent changes are kept and sent then.</source>
        <translation>Le serveur attend de cet ordinateur des modifications qu&apos;il ne détient plus sous ces numéros (le serveur a-t-il été restauré après que ce coffre a été copié&#xa0;?). Rien n&apos;est perdu. Demandez un nouveau code d&apos;inscription à l&apos;administrateur et inscrivez de nouveau cet ordinateur&#xa0;: ses enregistrements et les modifications non envoyées sont conservés et envoyés alors.</translation>
    </message>
    <message>
        <source>This enrolment code is for %1, and your role covers %2 only: this laptop was not enrolled and nothing was taken from the server. The code is used up. Ask for a code of your own centre, or have an administrator of that centre enrol the laptop.</source>
        <translation>Ce code d&apos;inscription est pour %1, et votre rôle ne couvre que %2&#xa0;: cet ordinateur n&apos;a pas été inscrit et rien n&apos;a été pris du serveur. Le code est épuisé. Demandez un code de votre propre centre, ou faites inscrire l&apos;ordinateur par un administrateur de ce centre.</translation>
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
    <message numerus="yes">
        <source>%n cannot be sent (see conflicts)</source>
        <translation>
            <numerusform>%n ne peut pas être envoyé (voir les conflits)</numerusform>
            <numerusform>%n ne peuvent pas être envoyés (voir les conflits)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new conflict(s) between other devices to review</source>
        <translation>
            <numerusform>%n nouveau conflit entre d&apos;autres appareils à examiner</numerusform>
            <numerusform>%n nouveaux conflits entre d&apos;autres appareils à examiner</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>this laptop&apos;s vault was put back from an older copy (or copied): %n unsent change(s) numbered again and sent, nothing lost</source>
        <translation>
            <numerusform>le coffre de cet ordinateur a été remis depuis une copie plus ancienne (ou copié)&#xa0;: %n modification non envoyée renumérotée et envoyée, rien n&apos;est perdu</numerusform>
            <numerusform>le coffre de cet ordinateur a été remis depuis une copie plus ancienne (ou copié)&#xa0;: %n modifications non envoyées renumérotées et envoyées, rien n&apos;est perdu</numerusform>
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
        <source>last sync %1, stopped before the end</source>
        <translation>dernière synchronisation %1, interrompue avant la fin</translation>
    </message>
    <message>
        <source>sync at %1 stopped before the end</source>
        <translation>synchronisation de %1 interrompue avant la fin</translation>
    </message>
    <message>
        <source>last sync stopped before the end</source>
        <translation>dernière synchronisation interrompue avant la fin</translation>
    </message>
    <message>
        <source>last sync %1</source>
        <translation>dernière synchronisation %1</translation>
    </message>
    <message>
        <source>not synced yet</source>
        <translation>pas encore synchronisé</translation>
    </message>
    <message>
        <source>the administrator revoked this laptop; nothing entered here is lost (unsent changes stay in the vault): ask for a new enrolment code and enrol this laptop again</source>
        <translation>l&apos;administrateur a révoqué cet ordinateur&#xa0;; rien de ce qui y a été saisi n&apos;est perdu (les modifications non envoyées restent dans le coffre)&#xa0;: demandez un nouveau code d&apos;inscription et inscrivez de nouveau cet ordinateur</translation>
    </message>
    <message>
        <source>this vault is also in use on another computer: ask an administrator for a new enrolment code and enrol this laptop again</source>
        <translation>ce coffre est aussi utilisé sur un autre ordinateur&#xa0;: demandez un nouveau code d&apos;inscription à un administrateur et inscrivez de nouveau cet ordinateur</translation>
    </message>
    <message>
        <source>the server does not know this laptop: ask an administrator for a new enrolment code and enrol this laptop again</source>
        <translation>le serveur ne connaît pas cet ordinateur&#xa0;: demandez un nouveau code d&apos;inscription à un administrateur et inscrivez de nouveau cet ordinateur</translation>
    </message>
    <message>
        <source>the server&apos;s key changed without proof: ask an administrator; nothing is sent until then</source>
        <translation>la clé du serveur a changé sans preuve&#xa0;: adressez-vous à un administrateur&#xa0;; rien n&apos;est envoyé d&apos;ici là</translation>
    </message>
    <message>
        <source>the server expects changes this laptop no longer holds under their numbers: ask an administrator for a new enrolment code and enrol this laptop again</source>
        <translation>le serveur attend des modifications que cet ordinateur ne détient plus sous ces numéros&#xa0;: demandez un nouveau code d&apos;inscription à un administrateur et inscrivez de nouveau cet ordinateur</translation>
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
    <message>
        <source>USB batch files…</source>
        <translation>Lots sur clé USB…</translation>
    </message>
    <message>
        <source>Enrol this laptop again…</source>
        <translation>Inscrire de nouveau cet ordinateur…</translation>
    </message>
</context>
</TS>
