<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>EraseDialog</name>
    <message>
        <source>Erase this vault</source>
        <translation>Effacer ce coffre-fort</translation>
    </message>
</context>
<context>
    <name>ErasePanel</name>
    <message>
        <source>Emergency erase</source>
        <translation>Effacement d&apos;urgence</translation>
    </message>
    <message>
        <source>This destroys the vault on this computer at once: every registration, file and user on it is lost for good and no passphrase or recovery code will open it again. Records already synced stay on the server. Only administrators may do this, or everyone where the organisation allows it.</source>
        <translation>Cela détruit immédiatement le coffre-fort de cet ordinateur&#xa0;: tous les enregistrements, fichiers et utilisateurs qu&apos;il contient sont perdus définitivement et aucune phrase secrète ni aucun code de récupération ne l&apos;ouvrira plus. Les enregistrements déjà synchronisés restent sur le serveur. Seuls les administrateurs peuvent le faire, ou tout le monde si l&apos;organisation l&apos;autorise.</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>Nom d&apos;&amp;utilisateur</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;Phrase secrète</translation>
    </message>
    <message>
        <source>To confirm, type %1</source>
        <translation>Pour confirmer, tapez %1</translation>
    </message>
    <message>
        <source>ERASE</source>
        <translation>EFFACER</translation>
    </message>
    <message>
        <source>&amp;Erase the vault now</source>
        <translation>&amp;Effacer le coffre-fort maintenant</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>A&amp;nnuler</translation>
    </message>
</context>
<context>
    <name>IntegrityWatch</name>
    <message>
        <source>The vault is damaged</source>
        <translation>Le coffre-fort est endommagé</translation>
    </message>
    <message>
        <source>Waypoint checked every part of the vault after you signed in and found damage: the disk is failing or the file was changed outside Waypoint. Records in the damaged part may not open or save. Sync what you can now and tell your administrator; do not erase anything.</source>
        <translation>Waypoint a vérifié chaque partie du coffre-fort après votre connexion et a trouvé des dommages&#xa0;: le disque est défaillant ou le fichier a été modifié en dehors de Waypoint. Les enregistrements de la partie endommagée peuvent ne pas s&apos;ouvrir ou ne pas s&apos;enregistrer. Synchronisez ce que vous pouvez maintenant et prévenez votre administrateur&#xa0;; n&apos;effacez rien.</translation>
    </message>
</context>
<context>
    <name>Passphrase</name>
    <message>
        <source>Type a passphrase.</source>
        <translation>Tapez une phrase secrète.</translation>
    </message>
    <message>
        <source>It is shorter than %1 characters.</source>
        <translation>Elle fait moins de %1 caractères.</translation>
    </message>
    <message>
        <source>It is, or contains, a password attackers try first.</source>
        <translation>Elle est, ou contient, un mot de passe que les attaquants essaient en premier.</translation>
    </message>
    <message>
        <source>It contains a place of the region, the organisation&apos;s name, or a common name or word here.</source>
        <translation>Elle contient un lieu de la région, le nom de l&apos;organisation, ou un prénom ou un mot courant ici.</translation>
    </message>
    <message>
        <source>It contains the user name.</source>
        <translation>Elle contient le nom d&apos;utilisateur.</translation>
    </message>
    <message>
        <source>It is made of too few common words.</source>
        <translation>Elle est faite de trop peu de mots courants.</translation>
    </message>
    <message>
        <source>Years and dates are among the first things tried.</source>
        <translation>Les années et les dates sont parmi les premières choses essayées.</translation>
    </message>
    <message>
        <source>Keyboard rows, repeats and sequences (qwerty, 1234) are tried early.</source>
        <translation>Les rangées du clavier, les répétitions et les suites (azerty, 1234) sont essayées tôt.</translation>
    </message>
    <message>
        <source>Look-alike symbols (P@ssw0rd) do not make it stronger.</source>
        <translation>Des symboles qui ressemblent aux lettres (P@ssw0rd) ne la rendent pas plus solide.</translation>
    </message>
    <message>
        <source>Someone who copies the vault would guess it too soon.</source>
        <translation>Quelqu&apos;un qui copie le coffre-fort la devinerait trop vite.</translation>
    </message>
    <message>
        <source>Very weak.</source>
        <translation>Très faible.</translation>
    </message>
    <message>
        <source>Weak.</source>
        <translation>Faible.</translation>
    </message>
    <message>
        <source>Almost: add a word or two.</source>
        <translation>Presque&#xa0;: ajoutez un ou deux mots.</translation>
    </message>
    <message>
        <source>Strong.</source>
        <translation>Solide.</translation>
    </message>
    <message>
        <source>Very strong.</source>
        <translation>Très solide.</translation>
    </message>
    <message>
        <source>This passphrase is too easy to guess.</source>
        <translation>Cette phrase secrète est trop facile à deviner.</translation>
    </message>
    <message>
        <source>Use at least %1 characters: a short sentence of five or six words is easy to remember and hard to guess.</source>
        <translation>Utilisez au moins %1 caractères&#xa0;: une courte phrase de cinq ou six mots est facile à retenir et difficile à deviner.</translation>
    </message>
    <message>
        <source>Su&amp;ggest a strong passphrase</source>
        <translation>Pr&amp;oposer une phrase secrète solide</translation>
    </message>
    <message>
        <source>Suggested passphrase (learn it or write it down, then keep the paper safe):</source>
        <translation>Phrase secrète proposée (apprenez-la ou notez-la, puis gardez le papier en lieu sûr)&#xa0;:</translation>
    </message>
</context>
<context>
    <name>PrivateFileDialog</name>
    <message>
        <source>&amp;Folder:</source>
        <translation>&amp;Dossier&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;Regarder dans&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Up</source>
        <translation>&amp;Monter</translation>
    </message>
    <message>
        <source>&amp;Home</source>
        <translation>&amp;Accueil</translation>
    </message>
</context>
</TS>
