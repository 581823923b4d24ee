<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>Labels</name>
    <message>
        <source>Field staff</source>
        <translation>Personnel de terrain</translation>
    </message>
    <message>
        <source>Case worker</source>
        <translation>Gestionnaire de cas</translation>
    </message>
    <message>
        <source>Coordinator</source>
        <translation>Coordinateur</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrateur</translation>
    </message>
    <message>
        <source>Recovery (administrator)</source>
        <translation>Récupération (administrateur)</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Brouillon</translation>
    </message>
    <message>
        <source>Finalized</source>
        <translation>Finalisé</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Non envoyé</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Synchronisé</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflit</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Féminin</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Masculin</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>A vault already exists in this folder. Sign in to open it.</source>
        <translation>Un coffre-fort existe déjà dans ce dossier. Connectez-vous pour l&apos;ouvrir.</translation>
    </message>
    <message>
        <source>Choose the vault folder</source>
        <translation>Choisir le dossier du coffre-fort</translation>
    </message>
    <message>
        <source>The vault is ready. Sign in with the passphrase you just chose.</source>
        <translation>Le coffre-fort est prêt. Connectez-vous avec la phrase secrète que vous venez de choisir.</translation>
    </message>
    <message numerus="yes">
        <source>The vault locked itself after %n minute(s) without use, to protect the records. Sign in to continue.</source>
        <translation>
            <numerusform>Le coffre-fort s&apos;est verrouillé tout seul après %n minute sans utilisation, pour protéger les enregistrements. Connectez-vous pour continuer.</numerusform>
            <numerusform>Le coffre-fort s&apos;est verrouillé tout seul après %n minutes sans utilisation, pour protéger les enregistrements. Connectez-vous pour continuer.</numerusform>
        </translation>
    </message>
    <message>
        <source>The vault is locked.</source>
        <translation>Le coffre-fort est verrouillé.</translation>
    </message>
    <message>
        <source>The vault was erased. Nothing of it is left on this computer.</source>
        <translation>Le coffre-fort a été effacé. Il n&apos;en reste rien sur cet ordinateur.</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>“%1” is finalized. Only drafts can be deleted here: a finalized registration stays in the person&apos;s history.</source>
        <translation>«&#xa0;%1&#xa0;» est finalisé. Seuls les brouillons peuvent être supprimés ici&#xa0;: un enregistrement finalisé reste dans l&apos;historique de la personne.</translation>
    </message>
    <message>
        <source>Delete the draft “%1” (%2)? It cannot be brought back.</source>
        <translation>Supprimer le brouillon «&#xa0;%1&#xa0;» (%2)&#xa0;? Il ne pourra pas être récupéré.</translation>
    </message>
    <message>
        <source>It is open in the form: deleting it closes the form, and nothing typed there is kept.</source>
        <translation>Il est ouvert dans le formulaire&#xa0;: le supprimer ferme le formulaire, et rien de ce qui y a été saisi n&apos;est gardé.</translation>
    </message>
    <message>
        <source>Delete draft</source>
        <translation>Supprimer le brouillon</translation>
    </message>
    <message>
        <source>This draft was deleted already (in another window, or by a deletion sync brought). Nothing was changed.</source>
        <translation>Ce brouillon était déjà supprimé (dans une autre fenêtre, ou par une suppression apportée par la synchronisation). Rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <source>The draft could not be deleted; nothing was changed.</source>
        <translation>Le brouillon n&apos;a pas pu être supprimé&#xa0;; rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <source>Unlocked</source>
        <translation>Déverrouillé</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Verrouillé</translation>
    </message>
    <message numerus="yes">
        <source>%n not yet synced</source>
        <translation>
            <numerusform>%n non synchronisé</numerusform>
            <numerusform>%n non synchronisés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in total</source>
        <translation>
            <numerusform>%n au total</numerusform>
            <numerusform>%n au total</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n incomplete (files missing)</source>
        <translation>
            <numerusform>%n incomplet (fichiers manquants)</numerusform>
            <numerusform>%n incomplets (fichiers manquants)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n draft(s) kept here until finalized</source>
        <translation>
            <numerusform>%n brouillon gardé ici jusqu&apos;à la finalisation</numerusform>
            <numerusform>%n brouillons gardés ici jusqu&apos;à la finalisation</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n draft(s) kept here</source>
        <translation>
            <numerusform>%n brouillon gardé ici</numerusform>
            <numerusform>%n brouillons gardés ici</numerusform>
        </translation>
    </message>
    <message>
        <source>About Waypoint</source>
        <translation>À propos de Waypoint</translation>
    </message>
    <message>
        <source>Waypoint %1</source>
        <translation>Waypoint %1</translation>
    </message>
    <message>
        <source>Waypoint registers people assisted at transit centres. Every record is encrypted on this computer and locks when you step away.</source>
        <translation>Waypoint enregistre les personnes assistées dans les centres de transit. Chaque dossier est chiffré sur cet ordinateur et se verrouille quand vous vous absentez.</translation>
    </message>
    <message>
        <source>Waypoint</source>
        <translation>Waypoint</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Registrations</source>
        <translation>&amp;Enregistrements</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Langue</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;New registration</source>
        <translation>&amp;Nouvel enregistrement</translation>
    </message>
    <message>
        <source>Registration &amp;list</source>
        <translation>&amp;Liste des enregistrements</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>&amp;Verrouiller</translation>
    </message>
    <message>
        <source>Lock the vault now (Ctrl+L)</source>
        <translation>Verrouiller le coffre-fort maintenant (Ctrl+L)</translation>
    </message>
    <message>
        <source>Start a new registration (Ctrl+N)</source>
        <translation>Commencer un nouvel enregistrement (Ctrl+N)</translation>
    </message>
    <message>
        <source>Back to the registration list (Ctrl+1)</source>
        <translation>Revenir à la liste des enregistrements (Ctrl+1)</translation>
    </message>
    <message>
        <source>&amp;Search…</source>
        <translation>&amp;Rechercher…</translation>
    </message>
    <message>
        <source>Search the list by name or ID (Ctrl+F)</source>
        <translation>Rechercher dans la liste par nom ou identifiant (Ctrl+F)</translation>
    </message>
    <message>
        <source>&amp;Delete draft</source>
        <translation>&amp;Supprimer le brouillon</translation>
    </message>
    <message>
        <source>Delete the selected draft (Delete); finalized registrations stay</source>
        <translation>Supprimer le brouillon sélectionné (Suppr)&#xa0;; les enregistrements finalisés restent</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Erase this vault…</source>
        <translation>&amp;Effacer ce coffre-fort…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;About Waypoint</source>
        <translation>À &amp;propos de Waypoint</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>The username or passphrase is not right. Check the keyboard language and Caps Lock, then try again.</source>
        <translation>Le nom d&apos;utilisateur ou la phrase secrète n&apos;est pas correct. Vérifiez la langue du clavier et la touche Verr. Maj, puis réessayez.</translation>
    </message>
    <message>
        <source>This recovery code is not right. Check each group of letters and try again.</source>
        <translation>Ce code de récupération n&apos;est pas correct. Vérifiez chaque groupe de caractères et réessayez.</translation>
    </message>
    <message>
        <source>The vault files have been changed outside Waypoint and cannot be trusted. Nothing was opened or changed. Contact your administrator.</source>
        <translation>Les fichiers du coffre-fort ont été modifiés en dehors de Waypoint et ne sont plus fiables. Rien n&apos;a été ouvert ni modifié. Contactez votre administrateur.</translation>
    </message>
    <message>
        <source>The database file in this folder is not a Waypoint vault: it is empty or has no vault identity. Nothing was opened or changed. Contact your administrator.</source>
        <translation>Le fichier de base de données de ce dossier n&apos;est pas un coffre-fort Waypoint&#xa0;: il est vide ou n&apos;a pas d&apos;identité de coffre-fort. Rien n&apos;a été ouvert ni modifié. Contactez votre administrateur.</translation>
    </message>
    <message>
        <source>The database file in this folder belongs to another vault, not to this folder&apos;s keys. Nothing was opened or changed. Contact your administrator.</source>
        <translation>Le fichier de base de données de ce dossier appartient à un autre coffre-fort, pas aux clés de ce dossier. Rien n&apos;a été ouvert ni modifié. Contactez votre administrateur.</translation>
    </message>
    <message>
        <source>This user&apos;s role was not given by an administrator: the vault&apos;s key file was edited. Nothing was opened or changed. Contact your administrator.</source>
        <translation>Le rôle de cet utilisateur n&apos;a pas été donné par un administrateur&#xa0;: le fichier de clés du coffre-fort a été modifié. Rien n&apos;a été ouvert ni modifié. Contactez votre administrateur.</translation>
    </message>
    <message>
        <source>Nothing was erased: type the confirmation word exactly as shown.</source>
        <translation>Rien n&apos;a été effacé&#xa0;: tapez le mot de confirmation exactement comme indiqué.</translation>
    </message>
    <message>
        <source>The vault&apos;s protection settings are weaker than Waypoint allows. Nothing was opened. Contact your administrator.</source>
        <translation>Les réglages de protection du coffre-fort sont plus faibles que ce que Waypoint autorise. Rien n&apos;a été ouvert. Contactez votre administrateur.</translation>
    </message>
    <message>
        <source>This vault was made by a newer version of Waypoint. Install the newer version to open it. Nothing was changed.</source>
        <translation>Ce coffre-fort a été créé par une version plus récente de Waypoint. Installez cette version pour l&apos;ouvrir. Rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <source>No vault was found in this folder. If it is on a USB drive, plug the drive in and try again.</source>
        <translation>Aucun coffre-fort n&apos;a été trouvé dans ce dossier. S&apos;il se trouve sur une clé USB, branchez-la et réessayez.</translation>
    </message>
    <message>
        <source>Waypoint cannot write to the vault folder. Check that the drive is not read-only and that you may write there.</source>
        <translation>Waypoint ne peut pas écrire dans le dossier du coffre-fort. Vérifiez que le disque n&apos;est pas en lecture seule et que vous avez le droit d&apos;y écrire.</translation>
    </message>
    <message>
        <source>The disk is full. Free some space, then try again. Nothing was lost.</source>
        <translation>Le disque est plein. Libérez de la place, puis réessayez. Rien n&apos;a été perdu.</translation>
    </message>
    <message>
        <source>There is already a vault in this folder. Open it instead, or choose another folder.</source>
        <translation>Ce dossier contient déjà un coffre-fort. Ouvrez-le, ou choisissez un autre dossier.</translation>
    </message>
    <message>
        <source>The vault is locked. Unlock it and try again.</source>
        <translation>Le coffre-fort est verrouillé. Déverrouillez-le et réessayez.</translation>
    </message>
    <message>
        <source>Your role does not allow this.</source>
        <translation>Votre rôle ne permet pas cette action.</translation>
    </message>
    <message>
        <source>This was not accepted: %1</source>
        <translation>Ceci n&apos;a pas été accepté&#xa0;: %1</translation>
    </message>
    <message>
        <source>Something went wrong and nothing was changed. Details for your administrator: %1</source>
        <translation>Un problème est survenu et rien n&apos;a été modifié. Détails pour votre administrateur&#xa0;: %1</translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong attempts. Wait %n second(s), then try again.</source>
        <translation>
            <numerusform>Trop de tentatives erronées. Attendez %n seconde, puis réessayez.</numerusform>
            <numerusform>Trop de tentatives erronées. Attendez %n secondes, puis réessayez.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PlacePage</name>
    <message>
        <source>Not saved: this laptop is enrolled for sync, so its centre is the one the server enrolled it for.</source>
        <translation>Non enregistré&#xa0;: cet ordinateur est inscrit pour la synchronisation, son centre est donc celui pour lequel le serveur l&apos;a inscrit.</translation>
    </message>
    <message>
        <source>Not saved: only an administrator or a coordinator can set this laptop&apos;s centre.</source>
        <translation>Non enregistré&#xa0;: seul un administrateur ou un coordinateur peut choisir le centre de cet ordinateur.</translation>
    </message>
    <message>
        <source>Where does this laptop work?</source>
        <translation>Où travaille cet ordinateur&#xa0;?</translation>
    </message>
    <message>
        <source>New registrations start with this country and centre; you can still change them on a registration. An enrolment for sync sets them from the server&apos;s centre.</source>
        <translation>Les nouveaux enregistrements commencent avec ce pays et ce centre&#xa0;; vous pouvez encore les changer sur un enregistrement. Une inscription pour la synchronisation les prend du centre du serveur.</translation>
    </message>
    <message>
        <source>This laptop is enrolled for sync: its centre is the one the server enrolled it for, and the server&apos;s centre decides what it receives and where its new records are filed. To move it to another centre, enrol it again with a code of that centre.</source>
        <translation>Cet ordinateur est inscrit pour la synchronisation&#xa0;: son centre est celui pour lequel le serveur l&apos;a inscrit, et c&apos;est le centre du serveur qui décide de ce qu&apos;il reçoit et où ses nouveaux enregistrements sont classés. Pour le déplacer vers un autre centre, inscrivez-le de nouveau avec un code de ce centre.</translation>
    </message>
    <message>
        <source>&amp;Country</source>
        <translation>&amp;Pays</translation>
    </message>
    <message>
        <source>C&amp;entre</source>
        <translation>C&amp;entre</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>En&amp;registrer</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>Enregistrer (Entrée)</translation>
    </message>
    <message>
        <source>&amp;Later</source>
        <translation>Plus &amp;tard</translation>
    </message>
</context>
<context>
    <name>RegistrationListModel</name>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
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
        <source>Form</source>
        <translation>Formulaire</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Synchro</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Modifié le</translation>
    </message>
    <message>
        <source>Some of this registration&apos;s files (photos, scans, audit logs) have not arrived on this laptop yet; they are fetched at the next sync.</source>
        <translation>Certains fichiers de cet enregistrement (photos, documents numérisés, journaux d’audit) ne sont pas encore arrivés sur cet ordinateur&#xa0;; ils seront récupérés à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message numerus="yes">
        <source>incomplete: %n file(s) missing</source>
        <translation>
            <numerusform>incomplet&#xa0;: %n fichier manquant</numerusform>
            <numerusform>incomplet&#xa0;: %n fichiers manquants</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RegistrationsPage</name>
    <message>
        <source>The list could not be loaded. Lock and unlock the vault, then try again.</source>
        <translation>La liste n&apos;a pas pu être chargée. Verrouillez puis déverrouillez le coffre-fort, puis réessayez.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>No registration matches this search.</source>
        <translation>Aucun enregistrement ne correspond à cette recherche.</translation>
    </message>
    <message>
        <source>No registrations yet. Choose Registrations → New registration to add one.</source>
        <translation>Aucun enregistrement pour l&apos;instant. Choisissez Enregistrements → Nouvel enregistrement pour en ajouter un.</translation>
    </message>
    <message>
        <source>Registrations</source>
        <translation>Enregistrements</translation>
    </message>
    <message>
        <source>&amp;Search by name or ID</source>
        <translation>&amp;Rechercher par nom ou identifiant</translation>
    </message>
    <message>
        <source>Type to search</source>
        <translation>Tapez pour rechercher</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>&amp;Lock after (minutes without use)</source>
        <translation>&amp;Verrouiller après (minutes sans activité)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>The vault locks itself when nobody touches the keyboard or mouse for this long.</source>
        <translation>Le coffre-fort se verrouille tout seul quand personne ne touche le clavier ni la souris pendant cette durée.</translation>
    </message>
    <message>
        <source>L&amp;anguage</source>
        <translation>&amp;Langue</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <source>Choose the vault folder</source>
        <translation>Choisir le dossier du coffre-fort</translation>
    </message>
    <message>
        <source>Choose a folder for the vault.</source>
        <translation>Choisissez un dossier pour le coffre-fort.</translation>
    </message>
    <message>
        <source>Type a username for the administrator.</source>
        <translation>Saisissez un nom d&apos;utilisateur pour l&apos;administrateur.</translation>
    </message>
    <message>
        <source>The two passphrases are not the same. Type them again.</source>
        <translation>Les deux phrases secrètes ne sont pas identiques. Saisissez-les à nouveau.</translation>
    </message>
    <message>
        <source>Set up Waypoint on this computer</source>
        <translation>Configurer Waypoint sur cet ordinateur</translation>
    </message>
    <message>
        <source>Step %1 of 3</source>
        <translation>Étape %1 sur 3</translation>
    </message>
    <message>
        <source>Waypoint keeps every registration in an encrypted vault: a folder that only opens with a passphrase. Choose where it lives. The suggested folder is right for most computers.</source>
        <translation>Waypoint garde chaque enregistrement dans un coffre-fort chiffré&#xa0;: un dossier qui ne s&apos;ouvre qu&apos;avec une phrase secrète. Choisissez son emplacement. Le dossier proposé convient à la plupart des ordinateurs.</translation>
    </message>
    <message>
        <source>Vault &amp;folder</source>
        <translation>&amp;Dossier du coffre-fort</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Parcourir…</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>&amp;Suivant</translation>
    </message>
    <message>
        <source>Create the first administrator. The administrator adds the other staff later. Choose a passphrase you will remember: a short sentence works well.</source>
        <translation>Créez le premier administrateur. L&apos;administrateur ajoutera ensuite les autres membres du personnel. Choisissez une phrase secrète dont vous vous souviendrez&#xa0;: une courte phrase convient bien.</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;Phrase secrète</translation>
    </message>
    <message>
        <source>&amp;Repeat passphrase</source>
        <translation>&amp;Répéter la phrase secrète</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>Re&amp;tour</translation>
    </message>
    <message>
        <source>&amp;Create the vault</source>
        <translation>&amp;Créer le coffre-fort</translation>
    </message>
    <message>
        <source>This is the recovery code. It opens the vault if every passphrase is forgotten. Write it on paper now and keep the paper somewhere safe, away from this computer.</source>
        <translation>Voici le code de récupération. Il ouvre le coffre-fort si toutes les phrases secrètes sont oubliées. Écrivez-le maintenant sur papier et gardez ce papier en lieu sûr, loin de cet ordinateur.</translation>
    </message>
    <message>
        <source>It will not be shown again. It cannot be copied, on purpose: copied text can be read by other programs.</source>
        <translation>Il ne sera plus affiché. Il ne peut pas être copié, volontairement&#xa0;: un texte copié peut être lu par d&apos;autres programmes.</translation>
    </message>
    <message>
        <source>I have &amp;written it down</source>
        <translation>Je l&apos;ai &amp;noté par écrit</translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>&amp;Continuer</translation>
    </message>
    <message>
        <source>Creating the vault… this takes a few seconds.</source>
        <translation>Création du coffre-fort… cela prend quelques secondes.</translation>
    </message>
</context>
<context>
    <name>SignedInLabel</name>
    <message>
        <source>Signed in: %1 (%2)</source>
        <translation>Connecté&#xa0;: %1 (%2)</translation>
    </message>
    <message numerus="yes">
        <source>Signed in: %1 (%2 +%n)</source>
        <translation>
            <numerusform>Connecté&#xa0;: %1 (%2 +%n)</numerusform>
            <numerusform>Connecté&#xa0;: %1 (%2 +%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>Connecté&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>UnlockPage</name>
    <message>
        <source>Type your username.</source>
        <translation>Saisissez votre nom d&apos;utilisateur.</translation>
    </message>
    <message>
        <source>Type your passphrase.</source>
        <translation>Saisissez votre phrase secrète.</translation>
    </message>
    <message>
        <source>Type the recovery code.</source>
        <translation>Saisissez le code de récupération.</translation>
    </message>
    <message>
        <source>Unlock the vault</source>
        <translation>Déverrouiller le coffre-fort</translation>
    </message>
    <message>
        <source>Sign in to see and add registrations.</source>
        <translation>Connectez-vous pour voir et ajouter des enregistrements.</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;Phrase secrète</translation>
    </message>
    <message>
        <source>Un&amp;lock</source>
        <translation>&amp;Déverrouiller</translation>
    </message>
    <message>
        <source>Forgot the passphrase? Use the &amp;recovery code</source>
        <translation>Phrase secrète oubliée&#xa0;? Utiliser le code de &amp;récupération</translation>
    </message>
    <message>
        <source>Type the recovery code written down when the vault was created. It opens the vault as administrator.</source>
        <translation>Saisissez le code de récupération noté lors de la création du coffre-fort. Il ouvre le coffre-fort en tant qu&apos;administrateur.</translation>
    </message>
    <message>
        <source>Recovery &amp;code</source>
        <translation>&amp;Code de récupération</translation>
    </message>
    <message>
        <source>&amp;Unlock with the recovery code</source>
        <translation>&amp;Déverrouiller avec le code de récupération</translation>
    </message>
    <message>
        <source>&amp;Back to passphrase</source>
        <translation>&amp;Retour à la phrase secrète</translation>
    </message>
    <message>
        <source>&amp;Other folder…</source>
        <translation>&amp;Autre dossier…</translation>
    </message>
    <message>
        <source>Emergency: &amp;erase this vault…</source>
        <translation>Urgence&#xa0;: &amp;effacer ce coffre-fort…</translation>
    </message>
    <message>
        <source>The username was filled in from the last sign-in here: %1. If you are not %1, type your own username.</source>
        <translation>Le nom d&apos;utilisateur a été rempli d&apos;après la dernière connexion ici&#xa0;: %1. Si vous n&apos;êtes pas %1, tapez votre propre nom d&apos;utilisateur.</translation>
    </message>
    <message>
        <source>Opening the vault… this takes a few seconds.</source>
        <translation>Ouverture du coffre-fort… cela prend quelques secondes.</translation>
    </message>
    <message>
        <source>Updating the vault for this version of Waypoint: step %1 of %2. On a large vault this takes a few minutes; keep Waypoint open.</source>
        <translation>Mise à jour du coffre-fort pour cette version de Waypoint&#xa0;: étape %1 sur %2. Sur un grand coffre-fort, cela prend quelques minutes&#xa0;; laissez Waypoint ouvert.</translation>
    </message>
    <message>
        <source>Vault folder: %1</source>
        <translation>Dossier du coffre-fort&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>_Words</name>
    <message>
        <source>This laptop&apos;s &amp;centre…</source>
        <translation>&amp;Centre de cet ordinateur…</translation>
    </message>
</context>
</TS>
