<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AccessArea</name>
    <message>
        <source>The passphrase of %1 is set. %1 signs in with it now.</source>
        <translation>La phrase secrète de %1 est enregistrée. %1 se connecte maintenant avec elle.</translation>
    </message>
    <message>
        <source>%1 was added.</source>
        <translation>%1 a été ajouté(e).</translation>
    </message>
    <message>
        <source>The roles of %1 were changed.</source>
        <translation>Les rôles de %1 ont été modifiés.</translation>
    </message>
    <message>
        <source>%1 signs in with the temporary passphrase and then chooses their own.</source>
        <translation>%1 se connecte avec la phrase secrète temporaire, puis choisit la sienne.</translation>
    </message>
    <message>
        <source>%1 was removed; the vault&apos;s key was changed.</source>
        <translation>%1 a été retiré(e) ; la clé du coffre a été changée.</translation>
    </message>
    <message>
        <source>&amp;Administration</source>
        <translation>&amp;Administration</translation>
    </message>
    <message>
        <source>&amp;People…</source>
        <translation>&amp;Personnes…</translation>
    </message>
</context>
<context>
    <name>AddPersonDialog</name>
    <message>
        <source>Add a person</source>
        <translation>Ajouter une personne</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>Roles:</source>
        <translation>Rôles :</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Phrase secrète :</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>&amp;Répéter :</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Ajouter</translation>
    </message>
    <message>
        <source>They sign in with this name and passphrase. Give the passphrase to them in person; they may change it later.</source>
        <translation>La personne se connecte avec ce nom et cette phrase secrète. Donnez-lui la phrase secrète en personne ; elle pourra la changer ensuite.</translation>
    </message>
    <message>
        <source>Type the person&apos;s name.</source>
        <translation>Saisissez le nom de la personne.</translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation>Choisissez au moins un rôle.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Les deux phrases secrètes diffèrent.</translation>
    </message>
</context>
<context>
    <name>AlarmsArea</name>
    <message numerus="yes">
        <source>%n records brought back: every laptop of the centre receives them at its next sync.</source>
        <translation>
            <numerusform>%n dossier revenu : chaque ordinateur du centre le reçoit à sa prochaine synchronisation.</numerusform>
            <numerusform>%n dossiers revenus : chaque ordinateur du centre les reçoit à sa prochaine synchronisation.</numerusform>
        </translation>
    </message>
    <message>
        <source>Deletion a&amp;larms…</source>
        <translation>Alarmes de &amp;suppression…</translation>
    </message>
</context>
<context>
    <name>AlarmsModel</name>
    <message>
        <source>Raised</source>
        <translation>Levée</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Ordinateur</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>Dossiers</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Undone by %1</source>
        <translation>Annulée par %1</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouverte</translation>
    </message>
</context>
<context>
    <name>AlarmsPage</name>
    <message>
        <source>Deletion alarms</source>
        <translation>Alarmes de suppression</translation>
    </message>
    <message>
        <source>When one laptop deletes many records at once, the server raises an alarm. Undoing it brings every record back, on every laptop of the centre at its next sync.</source>
        <translation>Quand un ordinateur supprime beaucoup de dossiers d&apos;un coup, le serveur lève une alarme. L&apos;annuler fait revenir chaque dossier, sur chaque ordinateur du centre à sa prochaine synchronisation.</translation>
    </message>
    <message>
        <source>No deletion alarm.</source>
        <translation>Aucune alarme de suppression.</translation>
    </message>
    <message>
        <source>&amp;Undo the deletion…</source>
        <translation>A&amp;nnuler la suppression…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Back to the &amp;list</source>
        <translation>Retour à la &amp;liste</translation>
    </message>
    <message>
        <source>Bring back the %1 records %2 deleted? Every laptop of %3 receives them again at its next sync.</source>
        <translation>Faire revenir les %1 dossiers supprimés par %2 ? Chaque ordinateur de %3 les reçoit de nouveau à sa prochaine synchronisation.</translation>
    </message>
    <message>
        <source>Undo a bulk deletion</source>
        <translation>Annuler une suppression en masse</translation>
    </message>
</context>
<context>
    <name>AuditArea</name>
    <message>
        <source>Verifying every entry…</source>
        <translation>Vérification de chaque entrée…</translation>
    </message>
    <message numerus="yes">
        <source>The chain is intact: %n entries verified, none removed, reordered or altered.</source>
        <translation>
            <numerusform>La chaîne est intacte : %n entrée vérifiée, aucune retirée, déplacée ni modifiée.</numerusform>
            <numerusform>La chaîne est intacte : %n entrées vérifiées, aucune retirée, déplacée ni modifiée.</numerusform>
        </translation>
    </message>
    <message>
        <source>Entry %1 was altered after it was written.</source>
        <translation>L&apos;entrée %1 a été modifiée après son écriture.</translation>
    </message>
    <message>
        <source>Entry %1 is missing: it was removed.</source>
        <translation>L&apos;entrée %1 manque : elle a été retirée.</translation>
    </message>
    <message>
        <source>Entry %1 is out of order: entries were moved.</source>
        <translation>L&apos;entrée %1 n&apos;est pas à sa place : des entrées ont été déplacées.</translation>
    </message>
    <message>
        <source>Entry %1 does not follow the entry before it: an entry was removed, replaced or moved.</source>
        <translation>L&apos;entrée %1 ne suit pas celle d&apos;avant : une entrée a été retirée, remplacée ou déplacée.</translation>
    </message>
    <message>
        <source>The log was cut at its end from entry %1.</source>
        <translation>Le journal a été coupé à la fin à partir de l&apos;entrée %1.</translation>
    </message>
    <message>
        <source>The audit log does not verify. %1 Report this to your organisation.</source>
        <translation>Le journal d&apos;audit ne se vérifie pas. %1 Signalez-le à votre organisation.</translation>
    </message>
    <message>
        <source>Choose where to save the audit log</source>
        <translation>Choisir où enregistrer le journal d&apos;audit</translation>
    </message>
    <message numerus="yes">
        <source>%n entries exported to %1.</source>
        <translation>
            <numerusform>%n entrée exportée dans %1.</numerusform>
            <numerusform>%n entrées exportées dans %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Audit log…</source>
        <translation>&amp;Journal d&apos;audit…</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
    <message>
        <source>Entry %1 (%2)</source>
        <translation>Entrée %1 (%2)</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>Everyone</source>
        <translation>Tout le monde</translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n entrée</numerusform>
            <numerusform>%n entrées</numerusform>
        </translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Journal d&apos;audit</translation>
    </message>
    <message>
        <source>Everything done on this laptop: who opened, changed, finalized, deleted or exported which record, sign-ins, locks, sync and changes to people. Each entry is chained to the one before, so a removed or altered entry is found.</source>
        <translation>Tout ce qui est fait sur cet ordinateur : qui a ouvert, modifié, finalisé, supprimé ou exporté quel dossier, les connexions, les verrouillages, la synchronisation et les changements de personnes. Chaque entrée est chaînée à la précédente : une entrée retirée ou modifiée est détectée.</translation>
    </message>
    <message>
        <source>&amp;Person:</source>
        <translation>&amp;Personne :</translation>
    </message>
    <message>
        <source>&amp;Events:</source>
        <translation>&amp;Événements :</translation>
    </message>
    <message>
        <source>Pe&amp;riod:</source>
        <translation>Pé&amp;riode&#xa0;:</translation>
    </message>
    <message>
        <source>Re&amp;cord:</source>
        <translation>Dossi&amp;er :</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>Identifiant du dossier</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Tous les événements</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>Dossiers</translation>
    </message>
    <message>
        <source>Sign-in and lock</source>
        <translation>Connexion et verrouillage</translation>
    </message>
    <message>
        <source>People and roles</source>
        <translation>Personnes et rôles</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Toute la période</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 derniers jours</translation>
    </message>
    <message>
        <source>&amp;Verify the chain</source>
        <translation>&amp;Vérifier la chaîne</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>E&amp;xporter…</translation>
    </message>
    <message>
        <source>Back to the &amp;list</source>
        <translation>Retour à la &amp;liste</translation>
    </message>
</context>
<context>
    <name>AuditWords</name>
    <message>
        <source>Opened a record</source>
        <translation>A ouvert un dossier</translation>
    </message>
    <message>
        <source>Read restricted answers</source>
        <translation>A lu des réponses restreintes</translation>
    </message>
    <message>
        <source>Started a record</source>
        <translation>A commencé un dossier</translation>
    </message>
    <message>
        <source>Changed a record</source>
        <translation>A modifié un dossier</translation>
    </message>
    <message>
        <source>Finalized a record</source>
        <translation>A finalisé un dossier</translation>
    </message>
    <message>
        <source>Deleted a record</source>
        <translation>A supprimé un dossier</translation>
    </message>
    <message>
        <source>Printed a record</source>
        <translation>A imprimé un dossier</translation>
    </message>
    <message>
        <source>Recorded a consent withdrawal</source>
        <translation>A enregistré un retrait de consentement</translation>
    </message>
    <message>
        <source>Recorded consent given</source>
        <translation>A enregistré un consentement donné</translation>
    </message>
    <message>
        <source>Stopped: no consent</source>
        <translation>Arrêté : pas de consentement</translation>
    </message>
    <message>
        <source>Shared on another legal basis</source>
        <translation>A partagé sur une autre base légale</translation>
    </message>
    <message>
        <source>Exported records</source>
        <translation>A exporté des dossiers</translation>
    </message>
    <message>
        <source>Exported CTDC anonymised cases</source>
        <translation>Export anonymisé CTDC des cas</translation>
    </message>
    <message>
        <source>Reviewed conflicts</source>
        <translation>A examiné des conflits</translation>
    </message>
    <message>
        <source>Conflict decided by a reviewer</source>
        <translation>Conflit tranché par un examinateur</translation>
    </message>
    <message>
        <source>Undid a bulk deletion</source>
        <translation>A annulé une suppression en masse</translation>
    </message>
    <message>
        <source>Closed a case</source>
        <translation>A clôturé un dossier</translation>
    </message>
    <message>
        <source>Reopened a case</source>
        <translation>A rouvert un dossier</translation>
    </message>
    <message>
        <source>Applied the retention period</source>
        <translation>A appliqué la durée de conservation</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>S&apos;est connecté(e)</translation>
    </message>
    <message>
        <source>Wrong passphrase</source>
        <translation>Phrase secrète erronée</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>A verrouillé</translation>
    </message>
    <message>
        <source>Erased the vault</source>
        <translation>A effacé le coffre</translation>
    </message>
    <message>
        <source>Synchronised</source>
        <translation>A synchronisé</translation>
    </message>
    <message>
        <source>Numbered unsent changes again after a restore</source>
        <translation>A renuméroté des changements non envoyés après une restauration</translation>
    </message>
    <message>
        <source>Managed people</source>
        <translation>A géré les personnes</translation>
    </message>
    <message>
        <source>Added a person</source>
        <translation>A ajouté une personne</translation>
    </message>
    <message>
        <source>Removed a person</source>
        <translation>A retiré une personne</translation>
    </message>
    <message>
        <source>Changed roles</source>
        <translation>A changé des rôles</translation>
    </message>
    <message>
        <source>Reset a passphrase</source>
        <translation>A réinitialisé une phrase secrète</translation>
    </message>
    <message>
        <source>Managed devices</source>
        <translation>A géré les appareils</translation>
    </message>
    <message>
        <source>Asked to set this laptop&apos;s centre</source>
        <translation>A demandé à choisir le centre de cet ordinateur</translation>
    </message>
    <message>
        <source>Set this laptop&apos;s centre</source>
        <translation>A choisi le centre de cet ordinateur</translation>
    </message>
    <message>
        <source>Asked to enrol this laptop for sync</source>
        <translation>A demandé à inscrire cet ordinateur pour la synchronisation</translation>
    </message>
    <message>
        <source>Asked to enrol this laptop into an enrolment code&apos;s centre</source>
        <translation>A demandé à inscrire cet ordinateur dans le centre d&apos;un code d&apos;inscription</translation>
    </message>
    <message>
        <source>Asked the server for indicators</source>
        <translation>Indicateurs demandés au serveur</translation>
    </message>
    <message>
        <source>Marked a device lost</source>
        <translation>A signalé un appareil perdu</translation>
    </message>
    <message>
        <source>Made an enrolment code</source>
        <translation>A créé un code d&apos;inscription</translation>
    </message>
    <message>
        <source>Revoked an enrolment code</source>
        <translation>A révoqué un code d&apos;inscription</translation>
    </message>
    <message>
        <source>Reviewed the audit log</source>
        <translation>A consulté le journal d&apos;audit</translation>
    </message>
    <message>
        <source>Exported the audit log</source>
        <translation>A exporté le journal d&apos;audit</translation>
    </message>
    <message>
        <source>Log continued from an older copy of the vault</source>
        <translation>Journal repris d&apos;une copie plus ancienne du coffre</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>Autorisé</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fait</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
</context>
<context>
    <name>CodesModel</name>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>Valable jusqu&apos;au</translation>
    </message>
    <message>
        <source>Made by</source>
        <translation>Créé par</translation>
    </message>
    <message>
        <source>For a laptop used by</source>
        <translation>Pour un ordinateur utilisé par</translation>
    </message>
    <message>
        <source>the server&apos;s command line</source>
        <translation>la ligne de commande du serveur</translation>
    </message>
    <message>
        <source>Anyone (unrestricted)</source>
        <translation>Tout le monde (sans restriction)</translation>
    </message>
</context>
<context>
    <name>DevicesArea</name>
    <message>
        <source>The code for %1 valid until %2 is revoked: no laptop can enrol with it.</source>
        <translation>Le code pour %1 valable jusqu&apos;au %2 est révoqué : aucun ordinateur ne peut plus s&apos;inscrire avec.</translation>
    </message>
    <message>
        <source>%1 will erase its vault at its next contact.</source>
        <translation>%1 effacera son coffre à son prochain contact.</translation>
    </message>
    <message>
        <source>%1 will lock at its next contact.</source>
        <translation>%1 se verrouillera à son prochain contact.</translation>
    </message>
    <message>
        <source>&amp;Devices…</source>
        <translation>&amp;Appareils…</translation>
    </message>
</context>
<context>
    <name>DevicesModel</name>
    <message>
        <source>Device</source>
        <translation>Appareil</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>Utilisé par</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>Inscrit le</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>; vault put back from an older copy on %1, audit log continued from it</source>
        <translation> ; coffre remis depuis une copie plus ancienne le %1, journal d&apos;audit repris depuis celle-ci</translation>
    </message>
    <message>
        <source>; vault also in use on another computer (copied), found on %1: that copy must be enrolled again with a new code</source>
        <translation> ; coffre aussi utilisé sur un autre ordinateur (copié), constaté le %1&#xa0;: cette copie doit être inscrite de nouveau avec un nouveau code</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Révoqué</translation>
    </message>
    <message>
        <source>Wipe ordered: at its next contact</source>
        <translation>Effacement ordonné : à son prochain contact</translation>
    </message>
    <message>
        <source>Lock ordered: at its next contact</source>
        <translation>Verrouillage ordonné : à son prochain contact</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>En service</translation>
    </message>
    <message>
        <source> (this laptop)</source>
        <translation> (cet ordinateur)</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <source>Devices</source>
        <translation>Appareils</translation>
    </message>
    <message>
        <source>The laptops enrolled at the centres you manage. A lost or stolen laptop locks itself or erases its vault the next time it reaches the server, before anything else; a wiped laptop can no longer synchronise.</source>
        <translation>Les ordinateurs inscrits dans les centres que vous gérez. Un ordinateur perdu ou volé se verrouille ou efface son coffre la prochaine fois qu&apos;il joint le serveur, avant toute autre chose ; un ordinateur effacé ne peut plus synchroniser.</translation>
    </message>
    <message>
        <source>Open enrolment codes</source>
        <translation>Codes d&apos;inscription en cours</translation>
    </message>
    <message>
        <source>Each code enrols one laptop before it expires. A code is shown only when it is made; revoke one that was lost or is no longer needed.</source>
        <translation>Chaque code inscrit un seul ordinateur avant d&apos;expirer. Un code n&apos;est affiché qu&apos;à sa création ; révoquez celui qui a été perdu ou qui ne sert plus.</translation>
    </message>
    <message>
        <source>&amp;New enrolment code…</source>
        <translation>&amp;Nouveau code d&apos;inscription…</translation>
    </message>
    <message>
        <source>Re&amp;voke code…</source>
        <translation>&amp;Révoquer le code…</translation>
    </message>
    <message>
        <source>Loc&amp;k it…</source>
        <translation>&amp;Verrouiller…</translation>
    </message>
    <message>
        <source>&amp;Wipe it…</source>
        <translation>&amp;Effacer…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Back to the &amp;list</source>
        <translation>Retour à la &amp;liste</translation>
    </message>
    <message>
        <source>Wipe a lost laptop</source>
        <translation>Effacer un ordinateur perdu</translation>
    </message>
    <message>
        <source>Wipe %1? At its next contact with the server it erases its vault: every record not yet sent is lost, and it can no longer synchronise.</source>
        <translation>Effacer %1 ? À son prochain contact avec le serveur, il efface son coffre : tout dossier pas encore envoyé est perdu, et il ne peut plus synchroniser.</translation>
    </message>
    <message>
        <source>Lock a lost laptop</source>
        <translation>Verrouiller un ordinateur perdu</translation>
    </message>
    <message>
        <source>Lock %1? At its next contact with the server it signs everyone out.</source>
        <translation>Verrouiller %1 ? À son prochain contact avec le serveur, il déconnecte tout le monde.</translation>
    </message>
    <message>
        <source>Revoke an enrolment code</source>
        <translation>Révoquer un code d&apos;inscription</translation>
    </message>
    <message>
        <source>Revoke the code for %1 valid until %2? No laptop can enrol with it any more.</source>
        <translation>Révoquer le code pour %1 valable jusqu&apos;au %2 ? Plus aucun ordinateur ne pourra s&apos;inscrire avec.</translation>
    </message>
</context>
<context>
    <name>NewCodeDialog</name>
    <message>
        <source>New enrolment code</source>
        <translation>Nouveau code d&apos;inscription</translation>
    </message>
    <message>
        <source>&amp;Centre</source>
        <translation>&amp;Centre</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>Utilisé par</translation>
    </message>
    <message>
        <source>&amp;Valid for</source>
        <translation>&amp;Valable</translation>
    </message>
    <message>
        <source>The code enrols one laptop of this centre, for the people named here: what it receives and may change follows their roles.</source>
        <translation>Le code inscrit un ordinateur de ce centre, pour les personnes indiquées ici : ce qu&apos;il reçoit et peut modifier suit leurs rôles.</translation>
    </message>
    <message>
        <source>&amp;Make the code</source>
        <translation>&amp;Générer le code</translation>
    </message>
    <message>
        <source>&amp;Copy the code</source>
        <translation>&amp;Copier le code</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n jour</numerusform>
            <numerusform>%n jours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n heure</numerusform>
            <numerusform>%n heures</numerusform>
        </translation>
    </message>
    <message>
        <source>Enrolment code for %1</source>
        <translation>Code d&apos;inscription pour %1</translation>
    </message>
    <message>
        <source>Enrolment code for one laptop of %1, used by: %2.</source>
        <translation>Code d&apos;inscription pour un ordinateur de %1, utilisé par : %2.</translation>
    </message>
    <message>
        <source>Valid until %1, for one laptop only.</source>
        <translation>Valable jusqu&apos;au %1, pour un seul ordinateur.</translation>
    </message>
    <message>
        <source>On the new laptop: Registrations → Enrol this laptop for sync…, then type this code. It is shown only now: if it is lost, revoke it and make another.</source>
        <translation>Sur le nouvel ordinateur : Enregistrements → Inscrire cet ordinateur pour la synchronisation…, puis saisissez ce code. Il n&apos;est affiché que maintenant : s&apos;il est perdu, révoquez-le et générez-en un autre.</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>Copié.</translation>
    </message>
</context>
<context>
    <name>NewPassphrasePage</name>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Les deux phrases secrètes diffèrent.</translation>
    </message>
    <message>
        <source>Saving the new passphrase…</source>
        <translation>Enregistrement de la nouvelle phrase secrète…</translation>
    </message>
    <message>
        <source>Signed in with the recovery code</source>
        <translation>Connecté avec le code de récupération</translation>
    </message>
    <message>
        <source>Choose the person who is with you and let them choose a new passphrase. Then they sign in with it. Their restricted answers stay readable.</source>
        <translation>Choisissez la personne qui est avec vous et laissez-la choisir une nouvelle phrase secrète. Elle se connecte ensuite avec. Ses réponses restreintes restent lisibles.</translation>
    </message>
    <message>
        <source>&amp;Set the passphrase</source>
        <translation>&amp;Enregistrer la phrase secrète</translation>
    </message>
    <message>
        <source>Choose your own passphrase</source>
        <translation>Choisissez votre propre phrase secrète</translation>
    </message>
    <message>
        <source>An administrator reset your passphrase. Choose one only you know before you continue; the temporary one stops working.</source>
        <translation>Un administrateur a réinitialisé votre phrase secrète. Choisissez-en une que vous seul connaissez avant de continuer ; la phrase temporaire cesse de fonctionner.</translation>
    </message>
    <message>
        <source>&amp;Save and continue</source>
        <translation>&amp;Enregistrer et continuer</translation>
    </message>
    <message>
        <source>&amp;Person:</source>
        <translation>&amp;Personne :</translation>
    </message>
    <message>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Nouvelle phrase secrète :</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>&amp;Répéter :</translation>
    </message>
    <message>
        <source>&amp;Lock instead</source>
        <translation>&amp;Verrouiller plutôt</translation>
    </message>
</context>
<context>
    <name>PeopleModel</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rôles</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <source> (you)</source>
        <translation> (vous)</translation>
    </message>
    <message>
        <source>No valid role</source>
        <translation>Aucun rôle valide</translation>
    </message>
    <message>
        <source>Must choose a new one at the next sign-in</source>
        <translation>Doit en choisir une nouvelle à la prochaine connexion</translation>
    </message>
    <message>
        <source>Set</source>
        <translation>Définie</translation>
    </message>
    <message>
        <source>Reads restricted answers (case worker)</source>
        <translation>Lit les réponses restreintes (gestionnaire de cas)</translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <source>People</source>
        <translation>Personnes</translation>
    </message>
    <message>
        <source>Who may open the records on this laptop, and in which role. Field staff register people; case workers also read restricted answers and trafficking cases; coordinators review their region; administrators manage people.</source>
        <translation>Qui peut ouvrir les dossiers de cet ordinateur, et avec quel rôle. Le personnel de terrain enregistre les personnes ; les gestionnaires de cas lisent aussi les réponses restreintes et les dossiers de traite ; les coordinateurs supervisent leur région ; les administrateurs gèrent les personnes.</translation>
    </message>
    <message>
        <source>&amp;Add a person…</source>
        <translation>&amp;Ajouter une personne…</translation>
    </message>
    <message>
        <source>Change &amp;roles…</source>
        <translation>Changer les &amp;rôles…</translation>
    </message>
    <message>
        <source>Reset &amp;passphrase…</source>
        <translation>Réinitialiser la &amp;phrase secrète…</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>Re&amp;tirer…</translation>
    </message>
    <message>
        <source>Back to the &amp;list</source>
        <translation>Retour à la &amp;liste</translation>
    </message>
    <message>
        <source>Remove a person</source>
        <translation>Retirer une personne</translation>
    </message>
    <message>
        <source>Remove %1? They can no longer open this vault; the vault&apos;s key is changed so a copy they kept opens nothing new. The records they made stay.</source>
        <translation>Retirer %1 ? Cette personne ne pourra plus ouvrir ce coffre ; la clé du coffre est changée pour qu&apos;une copie conservée n&apos;ouvre rien de nouveau. Les dossiers qu&apos;elle a saisis restent.</translation>
    </message>
</context>
<context>
    <name>ResetDialog</name>
    <message>
        <source>Reset the passphrase of %1</source>
        <translation>Réinitialiser la phrase secrète de %1</translation>
    </message>
    <message>
        <source>&amp;Temporary passphrase:</source>
        <translation>Phrase secrète &amp;temporaire :</translation>
    </message>
    <message>
        <source>&amp;Reset</source>
        <translation>&amp;Réinitialiser</translation>
    </message>
    <message>
        <source>Tell %1 this passphrase in person. At the next sign-in they must choose their own before anything else.</source>
        <translation>Communiquez cette phrase secrète à %1 en personne. À la prochaine connexion, %1 devra choisir la sienne avant toute autre chose.</translation>
    </message>
</context>
<context>
    <name>RolesDialog</name>
    <message>
        <source>Roles of %1</source>
        <translation>Rôles de %1</translation>
    </message>
    <message>
        <source>Case workers read restricted answers (trafficking, violence, health) and open trafficking cases. A new case worker receives the keys when another case worker next signs in on this laptop, or through sync.</source>
        <translation>Les gestionnaires de cas lisent les réponses restreintes (traite, violences, santé) et ouvrent les dossiers de traite. Un nouveau gestionnaire de cas reçoit les clés quand un autre gestionnaire de cas se connecte ensuite sur cet ordinateur, ou par la synchronisation.</translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation>Choisissez au moins un rôle.</translation>
    </message>
</context>
</TS>
