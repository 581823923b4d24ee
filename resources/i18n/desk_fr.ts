<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>CandidateListModel</name>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Personne</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Possible duplicate</source>
        <translation>Doublon possible</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
</context>
<context>
    <name>ConflictListModel</name>
    <message>
        <source>No.</source>
        <translation>N°</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Depuis</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Où</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>waiting for sync</source>
        <translation>en attente de synchronisation</translation>
    </message>
</context>
<context>
    <name>ConflictSidesModel</name>
    <message>
        <source>Enter on a side takes its value; F2 on the result corrects it</source>
        <translation>Entrée sur un côté reprend sa valeur ; F2 sur le résultat la corrige</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <source>This laptop</source>
        <translation>Cet ordinateur</translation>
    </message>
    <message>
        <source>Device %1</source>
        <translation>Appareil %1</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Serveur</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>(restricted)</source>
        <translation>(restreint)</translation>
    </message>
    <message>
        <source>(absent)</source>
        <translation>(absent)</translation>
    </message>
</context>
<context>
    <name>ConflictsPage</name>
    <message>
        <source>Choose a conflict in the list.</source>
        <translation>Choisissez un conflit dans la liste.</translation>
    </message>
    <message>
        <source>%1 · registration %2 · %3</source>
        <translation>%1 · enregistrement %2 · %3</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>This laptop: saved by %1 on %2</source>
        <translation>Cet ordinateur : enregistré par %1 le %2</translation>
    </message>
    <message>
        <source>This laptop: saved here on %2</source>
        <translation>Cet ordinateur : enregistré ici le %2</translation>
    </message>
    <message>
        <source>an unknown date</source>
        <translation>une date inconnue</translation>
    </message>
    <message>
        <source>No conflict to decide. Fetch the server&apos;s conflicts to see those it decided between other devices.</source>
        <translation>Aucun conflit à trancher. Recevez les conflits du serveur pour voir ceux qu&apos;il a tranchés entre d&apos;autres appareils.</translation>
    </message>
    <message>
        <source>Device %1: its version, made on %2</source>
        <translation>Appareil %1 : sa version, faite le %2</translation>
    </message>
    <message>
        <source>Server: version %1, from device %2, made on %3, kept by the server on %4</source>
        <translation>Serveur : version %1, de l&apos;appareil %2, faite le %3, retenue par le serveur le %4</translation>
    </message>
    <message>
        <source>Keep the other de&amp;vice&apos;s version</source>
        <translation>Garder la version de l&apos;autre &amp;appareil</translation>
    </message>
    <message>
        <source>Every answer as device %1 made it</source>
        <translation>Chaque réponse telle que l&apos;appareil %1 l&apos;a faite</translation>
    </message>
    <message>
        <source>Server: version %1, from another device, received here on %2</source>
        <translation>Serveur : version %1, d&apos;un autre appareil, reçue ici le %2</translation>
    </message>
    <message numerus="yes">
        <source>%n answer(s) differ.</source>
        <translation>
            <numerusform>%n réponse diffère.</numerusform>
            <numerusform>%n réponses diffèrent.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server&apos;s version is not on this laptop yet. Sync, then decide.</source>
        <translation>La version du serveur n&apos;est pas encore sur cet ordinateur. Synchronisez, puis décidez.</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Conflits</translation>
    </message>
    <message>
        <source>Two devices changed the same answers of a record. Compare them answer by answer, keep one side or correct the result, and save: your decision becomes a new version that syncs to every device and stays in the record&apos;s history.</source>
        <translation>Deux appareils ont modifié les mêmes réponses d&apos;une fiche. Comparez-les réponse par réponse, gardez un côté ou corrigez le résultat, puis enregistrez : votre décision devient une nouvelle version, synchronisée vers tous les appareils et conservée dans l&apos;historique de la fiche.</translation>
    </message>
    <message>
        <source>Show &amp;all answers, not only those that differ</source>
        <translation>Afficher &amp;toutes les réponses, pas seulement celles qui diffèrent</translation>
    </message>
    <message>
        <source>Keep this lap&amp;top&apos;s version</source>
        <translation>Garder la version de cet &amp;ordinateur</translation>
    </message>
    <message>
        <source>Keep the &amp;server&apos;s version</source>
        <translation>Garder la version du &amp;serveur</translation>
    </message>
    <message>
        <source>Save the &amp;result</source>
        <translation>Enregistrer le &amp;résultat</translation>
    </message>
    <message>
        <source>Every answer as this laptop has it</source>
        <translation>Chaque réponse telle que cet ordinateur la connaît</translation>
    </message>
    <message>
        <source>&amp;Fetch the server&apos;s conflicts</source>
        <translation>Re&amp;cevoir les conflits du serveur</translation>
    </message>
    <message>
        <source>Conflicts the server decided between other devices of your region</source>
        <translation>Les conflits que le serveur a tranchés entre d&apos;autres appareils de votre région</translation>
    </message>
    <message>
        <source>Every answer as the server has it</source>
        <translation>Chaque réponse telle que le serveur la connaît</translation>
    </message>
    <message>
        <source>The Result column: Enter on a side takes its value, F2 corrects it</source>
        <translation>La colonne Résultat : Entrée sur un côté reprend sa valeur, F2 la corrige</translation>
    </message>
</context>
<context>
    <name>DecisionListModel</name>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Décision</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Personnes</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Par</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Same person (merged)</source>
        <translation>Même personne (fusionnée)</translation>
    </message>
    <message>
        <source>Not the same person</source>
        <translation>Pas la même personne</translation>
    </message>
    <message>
        <source>%1 kept, %2 merged into it</source>
        <translation>%1 gardé, %2 fusionné avec lui</translation>
    </message>
    <message>
        <source>Undone by %1</source>
        <translation>Annulée par %1</translation>
    </message>
    <message>
        <source>Standing</source>
        <translation>En vigueur</translation>
    </message>
</context>
<context>
    <name>DeskArea</name>
    <message>
        <source>The server&apos;s conflicts are up to date: %1 new, %2 decided elsewhere.</source>
        <translation>Les conflits du serveur sont à jour : %1 nouveaux, %2 décidés ailleurs.</translation>
    </message>
    <message>
        <source>The server could not be asked for its conflicts: %1</source>
        <translation>Impossible de demander ses conflits au serveur : %1</translation>
    </message>
    <message>
        <source>Saved as a new version of the record. It goes to every device at the next sync; the versions it replaces stay in the record&apos;s history.</source>
        <translation>Enregistré comme nouvelle version de la fiche. Elle part vers tous les appareils à la prochaine synchronisation ; les versions remplacées restent dans l&apos;historique de la fiche.</translation>
    </message>
    <message>
        <source>Marked reviewed.</source>
        <translation>Marqué comme examiné.</translation>
    </message>
    <message>
        <source>Reading registrations…</source>
        <translation>Lecture des enregistrements…</translation>
    </message>
    <message numerus="yes">
        <source>Comparing %n person(s)…</source>
        <translation>
            <numerusform>Comparaison de %n personne…</numerusform>
            <numerusform>Comparaison de %n personnes…</numerusform>
        </translation>
    </message>
    <message>
        <source>Saving the pairs…</source>
        <translation>Enregistrement des paires…</translation>
    </message>
    <message numerus="yes">
        <source>Search finished: %n pair(s) to review.</source>
        <translation>
            <numerusform>Recherche terminée : %n paire à examiner.</numerusform>
            <numerusform>Recherche terminée : %n paires à examiner.</numerusform>
        </translation>
    </message>
    <message>
        <source>Search cancelled. The pairs found before are kept.</source>
        <translation>Recherche annulée. Les paires trouvées auparavant sont conservées.</translation>
    </message>
    <message>
        <source>Recorded as the same person: counted once, and %1&apos;s case file shows both registrations&apos; events. You can undo it under Decisions.</source>
        <translation>Enregistré comme la même personne : comptée une fois, le dossier de %1 montre les prestations des deux. Annulable sous Décisions.</translation>
    </message>
    <message>
        <source>Recorded as two different people. This pair will not be proposed again.</source>
        <translation>Enregistré comme deux personnes différentes. Cette paire ne sera plus proposée.</translation>
    </message>
    <message numerus="yes">
        <source>Decision undone; %n record(s) moved back.</source>
        <translation>
            <numerusform>Décision annulée ; %n fiche est revenue.</numerusform>
            <numerusform>Décision annulée ; %n fiches sont revenues.</numerusform>
        </translation>
    </message>
    <message>
        <source>Decision undone; the two registrations are separate people again.</source>
        <translation>Décision annulée ; les deux enregistrements sont de nouveau deux personnes distinctes.</translation>
    </message>
    <message>
        <source>Re&amp;view</source>
        <translation>&amp;Revue</translation>
    </message>
    <message>
        <source>&amp;Conflicts…</source>
        <translation>&amp;Conflits…</translation>
    </message>
    <message>
        <source>Possible &amp;duplicates…</source>
        <translation>&amp;Doublons possibles…</translation>
    </message>
    <message>
        <source>&amp;Rejected changes…</source>
        <translation>Modifications &amp;refusées…</translation>
    </message>
</context>
<context>
    <name>DeskPage</name>
    <message>
        <source>Back to the &amp;list</source>
        <translation>Retour à la &amp;liste</translation>
    </message>
</context>
<context>
    <name>DeskRefusals</name>
    <message>
        <source>viewing</source>
        <translation>consultation</translation>
    </message>
    <message>
        <source>creating a record</source>
        <translation>création d&apos;un enregistrement</translation>
    </message>
    <message>
        <source>changing a record</source>
        <translation>modification d&apos;un enregistrement</translation>
    </message>
    <message>
        <source>finalising a record</source>
        <translation>finalisation d&apos;un enregistrement</translation>
    </message>
    <message>
        <source>deleting a record</source>
        <translation>suppression d&apos;un enregistrement</translation>
    </message>
    <message>
        <source>exporting</source>
        <translation>exportation</translation>
    </message>
    <message>
        <source>reviewing</source>
        <translation>révision</translation>
    </message>
    <message>
        <source>managing people</source>
        <translation>gestion des personnes</translation>
    </message>
    <message>
        <source>managing laptops</source>
        <translation>gestion des ordinateurs</translation>
    </message>
    <message>
        <source>registrations</source>
        <translation>inscriptions</translation>
    </message>
    <message>
        <source>protection cases</source>
        <translation>dossiers de protection</translation>
    </message>
    <message>
        <source>people and laptops</source>
        <translation>personnes et ordinateurs</translation>
    </message>
    <message>
        <source>the records made on that laptop</source>
        <translation>les enregistrements faits sur cet ordinateur</translation>
    </message>
    <message>
        <source>the records of its own centre</source>
        <translation>les enregistrements de son propre centre</translation>
    </message>
    <message>
        <source>the records of its own region</source>
        <translation>les enregistrements de sa propre région</translation>
    </message>
    <message>
        <source>every record</source>
        <translation>tous les enregistrements</translation>
    </message>
    <message>
        <source>consent refused</source>
        <translation>consentement refusé</translation>
    </message>
    <message>
        <source>consent withdrawn</source>
        <translation>consentement retiré</translation>
    </message>
    <message>
        <source>consent not recorded</source>
        <translation>consentement non enregistré</translation>
    </message>
    <message>
        <source>the form</source>
        <translation>le formulaire</translation>
    </message>
    <message>
        <source>This laptop could not send it: an answer is too long (%1).</source>
        <translation>Cet ordinateur n&apos;a pas pu l&apos;envoyer : une réponse est trop longue (%1).</translation>
    </message>
    <message>
        <source>This laptop could not send it: an answer holds characters that cannot be sent (%1).</source>
        <translation>Cet ordinateur n&apos;a pas pu l&apos;envoyer : une réponse contient des caractères qui ne peuvent pas être envoyés (%1).</translation>
    </message>
    <message>
        <source>This laptop could not send it: the sync cannot carry an answer (%1).</source>
        <translation>Cet ordinateur n&apos;a pas pu l&apos;envoyer : la synchronisation ne peut pas transmettre une réponse (%1).</translation>
    </message>
    <message>
        <source>Refused by the server, which gave no reason.</source>
        <translation>Refusé par le serveur, qui n&apos;a pas donné de raison.</translation>
    </message>
    <message>
        <source>This record belongs to another centre.</source>
        <translation>Cet enregistrement appartient à un autre centre.</translation>
    </message>
    <message>
        <source>Refused by the server: the roles of that laptop&apos;s people (%1) do not allow this: %2 (%3).</source>
        <translation>Refusé par le serveur : les rôles des personnes de cet ordinateur (%1) ne permettent pas ceci : %2 (%3).</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>Refused by the server: that laptop may do this (%1) only on %2, and this record is not one of them.</source>
        <translation>Refusé par le serveur : cet ordinateur ne peut faire ceci (%1) que sur %2, et cet enregistrement n&apos;en fait pas partie.</translation>
    </message>
    <message>
        <source>Refused by the server: a referral to a kind of recipient it does not know (%1); no consent can cover it.</source>
        <translation>Refusé par le serveur : une orientation vers un type de destinataire qu&apos;il ne connaît pas (%1) ; aucun consentement ne peut la couvrir.</translation>
    </message>
    <message>
        <source>Refused by the server: the person has not consented to this sharing (%1: %2).</source>
        <translation>Refusé par le serveur : la personne n&apos;a pas consenti à ce partage (%1 : %2).</translation>
    </message>
</context>
<context>
    <name>DeskWords</name>
    <message>
        <source>Someone already resolved this conflict.</source>
        <translation>Quelqu&apos;un a déjà résolu ce conflit.</translation>
    </message>
    <message>
        <source>The server&apos;s version is not on this laptop yet. Sync, then decide.</source>
        <translation>La version du serveur n&apos;est pas encore sur cet ordinateur. Synchronisez, puis décidez.</translation>
    </message>
    <message>
        <source>This record is no longer on this laptop.</source>
        <translation>Cette fiche n&apos;est plus sur cet ordinateur.</translation>
    </message>
    <message>
        <source>This conflict is no longer on this laptop.</source>
        <translation>Ce conflit n&apos;est plus sur cet ordinateur.</translation>
    </message>
    <message>
        <source>A restricted answer cannot be corrected here.</source>
        <translation>Une réponse restreinte ne peut pas être corrigée ici.</translation>
    </message>
    <message>
        <source>One of these registrations is no longer on this laptop.</source>
        <translation>L&apos;un de ces enregistrements n&apos;est plus sur cet ordinateur.</translation>
    </message>
    <message>
        <source>This decision was already undone.</source>
        <translation>Cette décision a déjà été annulée.</translation>
    </message>
    <message>
        <source>A person cannot be their own duplicate.</source>
        <translation>Une personne ne peut pas être son propre doublon.</translation>
    </message>
    <message>
        <source>This change was already marked reviewed.</source>
        <translation>Cette modification est déjà marquée comme examinée.</translation>
    </message>
    <message>
        <source>On the laptop that made it: open the record, shorten or correct the answer that is too long or holds characters that cannot be sent, and save it. The corrected version is sent at the next sync.</source>
        <translation>Sur l&apos;ordinateur qui l&apos;a faite : ouvrez la fiche, raccourcissez ou corrigez la réponse trop longue ou qui contient des caractères impossibles à envoyer, puis enregistrez. La version corrigée part à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>This record belongs to another centre. The change must be made on a laptop of that centre, or by a coordinator whose laptop the server lets change it.</source>
        <translation>Cette fiche appartient à un autre centre. La modification doit être faite sur un ordinateur de ce centre, ou par un coordinateur dont l&apos;ordinateur y est autorisé par le serveur.</translation>
    </message>
    <message>
        <source>The people of that laptop may not change this record. Ask a coordinator of its centre to make the change.</source>
        <translation>Les personnes de cet ordinateur n&apos;ont pas le droit de modifier cette fiche. Demandez à un coordinateur de son centre de faire la modification.</translation>
    </message>
    <message>
        <source>On the laptop that made it: open the record, check it and save it again; the corrected version is sent at the next sync. If the same message comes back, give the registration number to your administrator.</source>
        <translation>Sur l&apos;ordinateur qui l&apos;a faite : ouvrez la fiche, vérifiez-la et enregistrez-la à nouveau ; la version corrigée part à la prochaine synchronisation. Si le même message revient, donnez le numéro d&apos;enregistrement à votre administrateur.</translation>
    </message>
    <message>
        <source>same document number</source>
        <translation>même numéro de document</translation>
    </message>
    <message>
        <source>document numbers one character apart</source>
        <translation>numéros de document à un caractère près</translation>
    </message>
    <message>
        <source>different numbers for the same type of document</source>
        <translation>numéros différents pour le même type de document</translation>
    </message>
    <message>
        <source>different document numbers</source>
        <translation>numéros de document différents</translation>
    </message>
    <message>
        <source>same phone number</source>
        <translation>même numéro de téléphone</translation>
    </message>
    <message>
        <source>same phone number (last eight digits)</source>
        <translation>même numéro de téléphone (huit derniers chiffres)</translation>
    </message>
    <message>
        <source>same sex</source>
        <translation>même sexe</translation>
    </message>
    <message>
        <source>different sex</source>
        <translation>sexe différent</translation>
    </message>
    <message>
        <source>same date of birth</source>
        <translation>même date de naissance</translation>
    </message>
    <message>
        <source>date of birth with day and month swapped</source>
        <translation>date de naissance avec jour et mois inversés</translation>
    </message>
    <message>
        <source>same month and year of birth</source>
        <translation>même mois et année de naissance</translation>
    </message>
    <message>
        <source>same year of birth</source>
        <translation>même année de naissance</translation>
    </message>
    <message>
        <source>years of birth one year apart</source>
        <translation>années de naissance à un an d&apos;écart</translation>
    </message>
    <message>
        <source>age fits the date of birth</source>
        <translation>l&apos;âge correspond à la date de naissance</translation>
    </message>
    <message>
        <source>ages fit</source>
        <translation>les âges correspondent</translation>
    </message>
    <message>
        <source>ages close</source>
        <translation>âges proches</translation>
    </message>
    <message>
        <source>same nationality</source>
        <translation>même nationalité</translation>
    </message>
    <message>
        <source>different nationality</source>
        <translation>nationalité différente</translation>
    </message>
    <message>
        <source>name: no word in common</source>
        <translation>nom : aucun mot en commun</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>identique(s)</translation>
    </message>
    <message>
        <source>spelling variant</source>
        <translation>variante(s) d&apos;orthographe</translation>
    </message>
    <message>
        <source>Arabic/Latin transliteration</source>
        <translation>translittération(s) arabe/latin</translation>
    </message>
    <message>
        <source>close spelling</source>
        <translation>orthographe proche</translation>
    </message>
    <message>
        <source>weak</source>
        <translation>faible(s)</translation>
    </message>
    <message numerus="yes">
        <source>name: %n word(s)</source>
        <translation>
            <numerusform>nom : %n mot</numerusform>
            <numerusform>nom : %n mots</numerusform>
        </translation>
    </message>
    <message>
        <source>given and family names in the other order</source>
        <translation>prénom et nom de famille inversés</translation>
    </message>
    <message>
        <source>years of birth %1 years apart</source>
        <translation>années de naissance à %1 ans d&apos;écart</translation>
    </message>
    <message>
        <source>ages %1 years apart</source>
        <translation>âges à %1 ans d&apos;écart</translation>
    </message>
</context>
<context>
    <name>DuplicatesPage</name>
    <message numerus="yes">
        <source>%n pair(s) to review.</source>
        <translation>
            <numerusform>%n paire à examiner.</numerusform>
            <numerusform>%n paires à examiner.</numerusform>
        </translation>
    </message>
    <message>
        <source>No pair to review. Find duplicates after new registrations arrive.</source>
        <translation>Aucune paire à examiner. Cherchez les doublons quand de nouveaux enregistrements arrivent.</translation>
    </message>
    <message>
        <source>Choose a pair in the list.</source>
        <translation>Choisissez une paire dans la liste.</translation>
    </message>
    <message>
        <source>Same person: keep the &amp;first</source>
        <translation>Même personne : garder le &amp;premier</translation>
    </message>
    <message>
        <source>Same person: keep the s&amp;econd</source>
        <translation>Même personne : garder le s&amp;econd</translation>
    </message>
    <message>
        <source>Score %1 %: %2 (%3) and %4 (%5)</source>
        <translation>Score %1 % : %2 (%3) et %4 (%5)</translation>
    </message>
    <message>
        <source>Same person: keep &amp;%1</source>
        <translation>Même personne : garder &amp;%1</translation>
    </message>
    <message>
        <source>Same person: keep %1</source>
        <translation>Même personne : garder %1</translation>
    </message>
    <message>
        <source>Both registrations keep their numbers and their events; this one&apos;s case file also shows the other&apos;s, and the person counts once. It can be undone.</source>
        <translation>Les deux enregistrements gardent leur numéro et leurs prestations ; le dossier de celui-ci montre aussi celles de l&apos;autre, et la personne compte une fois. C&apos;est annulable.</translation>
    </message>
    <message>
        <source>Possible duplicates</source>
        <translation>Doublons possibles</translation>
    </message>
    <message>
        <source>People who may have been registered twice, in any centre of your region. Only people who agreed to be searched for duplicates are compared. Check the answers and the reasons, then decide.</source>
        <translation>Des personnes peut-être enregistrées deux fois, dans n&apos;importe quel centre de votre région. Seules les personnes qui ont accepté la recherche de doublons sont comparées. Vérifiez les réponses et les raisons, puis décidez.</translation>
    </message>
    <message>
        <source>F&amp;ind duplicates</source>
        <translation>&amp;Chercher les doublons</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <source>Why they may be the same person (points for and against):</source>
        <translation>Pourquoi ce pourrait être la même personne (points pour et contre) :</translation>
    </message>
    <message>
        <source>&amp;Not the same person</source>
        <translation>Pas la &amp;même personne</translation>
    </message>
    <message>
        <source>&amp;Undo this decision</source>
        <translation>A&amp;nnuler cette décision</translation>
    </message>
    <message>
        <source>&amp;Pairs to review</source>
        <translation>&amp;Paires à examiner</translation>
    </message>
    <message>
        <source>&amp;Decisions</source>
        <translation>&amp;Décisions</translation>
    </message>
</context>
<context>
    <name>PairModel</name>
    <message>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Personne</translation>
    </message>
    <message>
        <source>Possible duplicate</source>
        <translation>Doublon possible</translation>
    </message>
    <message>
        <source>Given name(s)</source>
        <translation>Prénom(s)</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Nom de famille</translation>
    </message>
    <message>
        <source>Other names</source>
        <translation>Autres noms</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Date de naissance</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Âge</translation>
    </message>
    <message>
        <source>Nationality</source>
        <translation>Nationalité</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Pièce d&apos;identité</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>Numéro du document</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Registered on</source>
        <translation>Enregistré le</translation>
    </message>
    <message>
        <source>Events and referrals</source>
        <translation>Prestations et référencements</translation>
    </message>
</context>
<context>
    <name>RejectedListModel</name>
    <message>
        <source>No.</source>
        <translation>N°</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
</context>
<context>
    <name>RejectedPage</name>
    <message>
        <source>No refused change: nothing to pass on.</source>
        <translation>Aucune modification refusée&#xa0;: rien à transmettre.</translation>
    </message>
    <message>
        <source>Choose a refused change in the list.</source>
        <translation>Choisissez une modification refusée dans la liste.</translation>
    </message>
    <message>
        <source>Registration %1: %2</source>
        <translation>Enregistrement %1 : %2</translation>
    </message>
    <message>
        <source>Rejected changes</source>
        <translation>Modifications refusées</translation>
    </message>
    <message>
        <source>Changes that could not be applied. Nothing was lost: the record is kept on the laptop that made it. Pass on what to do, then mark the change reviewed.</source>
        <translation>Des modifications qui n&apos;ont pas pu être appliquées. Rien n&apos;est perdu : la fiche reste sur l&apos;ordinateur qui l&apos;a faite. Transmettez ce qu&apos;il faut faire, puis marquez la modification comme examinée.</translation>
    </message>
    <message>
        <source>&amp;Mark reviewed</source>
        <translation>&amp;Marquer comme examiné</translation>
    </message>
</context>
</TS>
