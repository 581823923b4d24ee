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
