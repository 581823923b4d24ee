<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AcknowledgeField</name>
    <message>
        <source>OK, done</source>
        <translation>OK, c&apos;est fait</translation>
    </message>
</context>
<context>
    <name>BarcodeField</name>
    <message>
        <source>Type or scan the code</source>
        <translation>Saisissez ou scannez le code</translation>
    </message>
</context>
<context>
    <name>CloseQuestion</name>
    <message>
        <source>This record is finalized and you changed it. Finalize it again with the changes (the previous version is kept), save it as a draft, or discard the changes?</source>
        <translation>Cet enregistrement est finalisé et vous l&apos;avez modifié. Le finaliser à nouveau avec ces modifications (la version précédente est conservée), l&apos;enregistrer comme brouillon, ou abandonner les modifications&#xa0;?</translation>
    </message>
    <message>
        <source>Keep these answers? Finalize the record, keep it as a draft to finish later, or discard the changes made since you opened it.</source>
        <translation>Garder ces réponses&#xa0;? Finalisez l&apos;enregistrement, gardez-le comme brouillon pour le terminer plus tard, ou abandonnez les modifications faites depuis son ouverture.</translation>
    </message>
    <message>
        <source>Close the form</source>
        <translation>Fermer le formulaire</translation>
    </message>
    <message>
        <source>&amp;Finalize</source>
        <translation>&amp;Finaliser</translation>
    </message>
    <message>
        <source>Save as &amp;draft</source>
        <translation>Garder comme &amp;brouillon</translation>
    </message>
    <message>
        <source>D&amp;iscard changes</source>
        <translation>A&amp;bandonner les modifications</translation>
    </message>
    <message>
        <source>Go &amp;back to the form</source>
        <translation>&amp;Revenir au formulaire</translation>
    </message>
</context>
<context>
    <name>DateField</name>
    <message>
        <source>YYYY</source>
        <translation>AAAA</translation>
    </message>
    <message>
        <source>MM/YYYY</source>
        <translation>MM/AAAA</translation>
    </message>
    <message>
        <source>DD/MM/YYYY</source>
        <translation>JJ/MM/AAAA</translation>
    </message>
    <message>
        <source>This is not a date. Type the day, month and year, e.g. 12/04/1998 for 12 April 1998.</source>
        <translation>Ce n&apos;est pas une date. Tapez le jour, le mois et l&apos;année, p. ex. 12/04/1998 pour le 12 avril 1998.</translation>
    </message>
</context>
<context>
    <name>DateTimeField</name>
    <message>
        <source>DD/MM/YYYY HH:MM</source>
        <translation>JJ/MM/AAAA HH:MM</translation>
    </message>
    <message>
        <source>This is not a date and time. Type day, month, year, hours and minutes, e.g. 12/04/2024 14:30.</source>
        <translation>Ce n&apos;est pas une date et une heure. Tapez jour, mois, année, heures et minutes, p. ex. 12/04/2024 14:30.</translation>
    </message>
</context>
<context>
    <name>FieldWidget</name>
    <message>
        <source>Not shown: restricted</source>
        <translation>Non affichée : réponse restreinte</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Pas de réponse</translation>
    </message>
    <message>
        <source>In ODK Collect, the app {0} gives this answer; type it here.</source>
        <translation>Dans ODK Collect, l&apos;application {0} donne cette réponse&#xa0;; saisissez-la ici.</translation>
    </message>
    <message>
        <source> (required)</source>
        <translation> (obligatoire)</translation>
    </message>
    <message>
        <source>Restricted answer: only case workers can read it.</source>
        <translation>Réponse restreinte : seuls les gestionnaires de cas peuvent la lire.</translation>
    </message>
    <message>
        <source>Restricted: once saved, only case workers can read this answer.</source>
        <translation>Restreinte : une fois enregistrée, seuls les gestionnaires de cas pourront lire cette réponse.</translation>
    </message>
    <message>
        <source>Restricted answer: recorded, only case workers can read it.</source>
        <translation>Réponse restreinte : enregistrée, seuls les gestionnaires de cas peuvent la lire.</translation>
    </message>
    <message>
        <source>Restricted answer: the key to read it has not reached this laptop yet.</source>
        <translation>Réponse restreinte : la clé pour la lire n&apos;est pas encore arrivée sur cet ordinateur.</translation>
    </message>
    <message>
        <source>Restricted answer: it cannot be read (damaged).</source>
        <translation>Réponse restreinte : elle ne peut pas être lue (endommagée).</translation>
    </message>
</context>
<context>
    <name>FormChooserPage</name>
    <message>
        <source>New registration</source>
        <translation>Nouvel enregistrement</translation>
    </message>
    <message>
        <source>Choose the form to fill in, then press Enter. Assistance and referrals are added from the person&apos;s case file: Find a person (Ctrl+Shift+F), then Enter.</source>
        <translation>Choisissez le formulaire à remplir, puis appuyez sur Entrée. Les assistances et les référencements s&apos;ajoutent depuis le dossier de la personne&#xa0;: Trouver une personne (Ctrl+Maj+F), puis Entrée.</translation>
    </message>
    <message>
        <source>No form is installed in this vault. Ask a coordinator to add one.</source>
        <translation>Aucun formulaire n&apos;est installé dans ce coffre. Demandez à un coordinateur d&apos;en ajouter un.</translation>
    </message>
    <message>
        <source>&amp;Open form</source>
        <translation>&amp;Ouvrir le formulaire</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <source>The record could not be saved: %1. Your answers are still here; try again.</source>
        <translation>La fiche n&apos;a pas pu être enregistrée&#xa0;: %1. Vos réponses sont toujours là&#xa0;; réessayez.</translation>
    </message>
    <message>
        <source>Read only: this record cannot be edited on this laptop</source>
        <translation>Lecture seule&#xa0;: cet enregistrement ne peut pas être modifié sur cet ordinateur</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <source>Finalized · your changes are not saved yet: Finalize (Ctrl+Enter) to keep them</source>
        <translation>Finalisé · vos modifications ne sont pas encore enregistrées&#xa0;: Finaliser (Ctrl+Entrée) pour les garder</translation>
    </message>
    <message>
        <source>Changes not saved yet</source>
        <translation>Modifications pas encore enregistrées</translation>
    </message>
    <message>
        <source>New record, nothing saved yet</source>
        <translation>Nouvelle fiche, rien d&apos;enregistré pour l&apos;instant</translation>
    </message>
    <message>
        <source>Finalized</source>
        <translation>Finalisé</translation>
    </message>
    <message>
        <source>Edited after finalizing: finalize again to make the changes final</source>
        <translation>Modifiée après finalisation&#xa0;: finalisez à nouveau pour rendre les modifications définitives</translation>
    </message>
    <message>
        <source>Draft saved at %1</source>
        <translation>Brouillon enregistré à %1</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Brouillon</translation>
    </message>
    <message>
        <source>“%1” was also changed on another laptop. Your answers are saved here and the other version is kept with them: the registration is marked Conflict until a coordinator reviews it. Nothing was overwritten.</source>
        <translation>« %1 » a aussi été modifié sur un autre ordinateur. Vos réponses sont enregistrées ici et l&apos;autre version est conservée avec elles : l&apos;enregistrement est marqué Conflit jusqu&apos;à ce qu&apos;un coordinateur l&apos;examine. Rien n&apos;a été écrasé.</translation>
    </message>
    <message>
        <source>This registration was changed on another laptop while you had it open. Your changes were merged with theirs: the form now shows both.</source>
        <translation>Cet enregistrement a été modifié sur un autre ordinateur pendant qu&apos;il était ouvert ici. Vos modifications ont été fusionnées avec les siennes : le formulaire montre maintenant les deux.</translation>
    </message>
    <message>
        <source>A newer version of this record arrived from the server: the form now shows it, and it can be edited again.</source>
        <translation>Une version plus récente de cet enregistrement est arrivée du serveur&#xa0;: le formulaire l&apos;affiche maintenant, et il peut de nouveau être modifié.</translation>
    </message>
    <message>
        <source>This registration was changed on another laptop while you had it open: the form now shows the new version.</source>
        <translation>Cet enregistrement a été modifié sur un autre ordinateur pendant qu&apos;il était ouvert ici : le formulaire montre maintenant la nouvelle version.</translation>
    </message>
    <message>
        <source>This registration was changed on another laptop while you had it open. The form still shows your answers: when you save, your changes are merged with theirs, and an answer changed on both sides is kept in both versions for review. Nothing is overwritten.</source>
        <translation>Cet enregistrement a été modifié sur un autre ordinateur pendant qu&apos;il était ouvert ici. Le formulaire montre toujours vos réponses : à l&apos;enregistrement, vos modifications seront fusionnées avec les siennes, et une réponse modifiée des deux côtés sera conservée dans ses deux versions pour examen. Rien n&apos;est écrasé.</translation>
    </message>
    <message>
        <source>The retention rule (the period an administrator set) removed this record&apos;s identifying data from this laptop, so the form is closed: nothing of it was saved back, and changes typed since the last save are not kept. The server keeps the organisation&apos;s record.</source>
        <translation>La règle de conservation (la durée fixée par un administrateur) a retiré de cet ordinateur les données identifiantes de cet enregistrement&#xa0;: le formulaire est donc fermé. Rien n&apos;en a été réenregistré, et les modifications saisies depuis le dernier enregistrement ne sont pas gardées. Le serveur conserve l&apos;enregistrement de l&apos;organisation.</translation>
    </message>
    <message>
        <source>This record was deleted on another laptop, and sync brought the deletion here while you had it open. The form is closed; nothing of it was saved again.</source>
        <translation>Cet enregistrement a été supprimé sur un autre ordinateur, et la synchronisation a apporté la suppression ici pendant qu&apos;il était ouvert. Le formulaire est fermé&#xa0;; rien n&apos;en a été enregistré à nouveau.</translation>
    </message>
    <message>
        <source>This draft was deleted while it was open in the form, so the form is closed. Nothing of it was saved again: it stays deleted.</source>
        <translation>Ce brouillon a été supprimé pendant qu&apos;il était ouvert dans le formulaire&#xa0;: le formulaire est donc fermé. Rien n&apos;en a été enregistré à nouveau&#xa0;: il reste supprimé.</translation>
    </message>
    <message>
        <source>This record was deleted while it was open in the form, so the form is closed. Nothing of it was saved again: it stays deleted.</source>
        <translation>Cet enregistrement a été supprimé pendant qu&apos;il était ouvert dans le formulaire&#xa0;: le formulaire est donc fermé. Rien n&apos;en a été enregistré à nouveau&#xa0;: il reste supprimé.</translation>
    </message>
    <message numerus="yes">
        <source>%n answer(s) need attention before finalizing.</source>
        <translation>
            <numerusform>%n réponse demande votre attention avant de finaliser.</numerusform>
            <numerusform>%n réponses demandent votre attention avant de finaliser.</numerusform>
        </translation>
    </message>
    <message>
        <source>First: “%1” — %2</source>
        <translation>D&apos;abord&#xa0;: «&#xa0;%1&#xa0;» — %2</translation>
    </message>
    <message>
        <source>service providers</source>
        <translation>des prestataires de services</translation>
    </message>
    <message>
        <source>the national authorities</source>
        <translation>les autorités nationales</translation>
    </message>
    <message>
        <source>UNHCR</source>
        <translation>le HCR</translation>
    </message>
    <message>
        <source>the person withdrew this consent</source>
        <translation>la personne a retiré ce consentement</translation>
    </message>
    <message>
        <source>the person said no to it at registration</source>
        <translation>la personne l&apos;a refusé à l&apos;enregistrement</translation>
    </message>
    <message>
        <source>this consent was never recorded</source>
        <translation>ce consentement n&apos;a jamais été enregistré</translation>
    </message>
    <message>
        <source>This person has not consented to sharing their data with %1: %2. Choose another recipient, or record the person&apos;s consent on their registration first. Your answers are kept.</source>
        <translation>Cette personne n&apos;a pas consenti au partage de ses données avec %1&#xa0;: %2. Choisissez un autre destinataire, ou enregistrez d&apos;abord le consentement de la personne sur sa fiche. Vos réponses sont conservées.</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>Choisir un fichier</translation>
    </message>
    <message>
        <source>This form uses things Waypoint does not do; they are left out: %1</source>
        <translation>Ce formulaire utilise des fonctions que Waypoint n&apos;applique pas&#xa0;; elles sont ignorées&#xa0;: %1</translation>
    </message>
    <message>
        <source>The retention rule (the period an administrator set) removed this person&apos;s identifying data from this laptop. What it keeps (case number, sex, age, nationality, centre, dates, assistance recorded) is shown read-only: this record cannot be edited here. The server keeps the organisation&apos;s record.</source>
        <translation>La règle de conservation (la durée fixée par un administrateur) a retiré de cet ordinateur les données identifiantes de cette personne. Ce qu&apos;elle garde (numéro de dossier, sexe, âge, nationalité, centre, dates, assistance enregistrée) est affiché en lecture seule&#xa0;: cet enregistrement ne peut pas être modifié ici. Le serveur conserve l&apos;enregistrement de l&apos;organisation.</translation>
    </message>
    <message>
        <source>Form &amp;language:</source>
        <translation>&amp;Langue du formulaire&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Save as draft</source>
        <translation>&amp;Enregistrer comme brouillon</translation>
    </message>
    <message>
        <source>Save as a draft to finish later (Ctrl+S); new records and drafts also save by themselves</source>
        <translation>Enregistrer comme brouillon pour terminer plus tard (Ctrl+S)&#xa0;; les nouveaux enregistrements et les brouillons s&apos;enregistrent aussi tout seuls</translation>
    </message>
    <message>
        <source>Go back to the list (Esc); if you changed answers, you choose what to keep</source>
        <translation>Revenir à la liste (Échap)&#xa0;; si vous avez modifié des réponses, vous choisissez ce qu&apos;il faut garder</translation>
    </message>
    <message>
        <source>&amp;Finalize</source>
        <translation>&amp;Finaliser</translation>
    </message>
    <message>
        <source>Check every answer and finalize the record (Ctrl+Enter)</source>
        <translation>Vérifier toutes les réponses et finaliser la fiche (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Fer&amp;mer</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <source>Page %1 of %2</source>
        <translation>Page %1 sur %2</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>Questions</translation>
    </message>
    <message>
        <source>Page %1</source>
        <translation>Page %1</translation>
    </message>
    <message>
        <source>← &amp;Previous</source>
        <translation>← &amp;Précédent</translation>
    </message>
    <message>
        <source>&amp;Next →</source>
        <translation>&amp;Suivant →</translation>
    </message>
    <message>
        <source>Previous page (Page Up or Alt+Left)</source>
        <translation>Page précédente (Page préc. ou Alt+Gauche)</translation>
    </message>
    <message>
        <source>Next page (Page Down or Alt+Right)</source>
        <translation>Page suivante (Page suiv. ou Alt+Droite)</translation>
    </message>
</context>
<context>
    <name>FormsArea</name>
    <message>
        <source>F&amp;orm</source>
        <translation>F&amp;ormulaire</translation>
    </message>
    <message>
        <source>&amp;Save as draft</source>
        <translation>&amp;Enregistrer comme brouillon</translation>
    </message>
    <message>
        <source>&amp;Finalize</source>
        <translation>&amp;Finaliser</translation>
    </message>
    <message>
        <source>&amp;Next page</source>
        <translation>Page &amp;suivante</translation>
    </message>
    <message>
        <source>Page Down</source>
        <translation>Pg suiv</translation>
    </message>
    <message>
        <source>&amp;Previous page</source>
        <translation>Page &amp;précédente</translation>
    </message>
    <message>
        <source>Page Up</source>
        <translation>Pg préc</translation>
    </message>
    <message>
        <source>&amp;Close the form</source>
        <translation>Fer&amp;mer le formulaire</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Échap</translation>
    </message>
    <message>
        <source>While the laptop was locked, the retention rule removed this person&apos;s identifying data from this laptop. The form is open again where you were, read-only: it cannot be edited here. Nothing else was lost.</source>
        <translation>Pendant que l&apos;ordinateur était verrouillé, la règle de conservation a retiré de cet ordinateur les données identifiantes de cette personne. Le formulaire est rouvert là où vous étiez, en lecture seule&#xa0;: il ne peut pas être modifié ici. Rien d&apos;autre n&apos;a été perdu.</translation>
    </message>
    <message>
        <source>The record that was open in the form was deleted while the laptop was locked (by someone else signed in here, or by a deletion sync brought), so the form was not opened again. Nothing else was lost.</source>
        <translation>L&apos;enregistrement ouvert dans le formulaire a été supprimé pendant que l&apos;ordinateur était verrouillé (par une autre personne connectée ici, ou par une suppression apportée par la synchronisation)&#xa0;: le formulaire n&apos;a donc pas été rouvert. Rien d&apos;autre n&apos;a été perdu.</translation>
    </message>
    <message>
        <source>The vault locked while you were changing this finalized record. Your changes were kept as a draft; the finalized version is in its history. Finalize to make them final, or Close → Discard changes.</source>
        <translation>Le coffre-fort s&apos;est verrouillé pendant que vous modifiiez cet enregistrement finalisé. Vos modifications ont été gardées comme brouillon&#xa0;; la version finalisée est dans son historique. Finalisez pour les rendre définitives, ou Fermer → Abandonner les modifications.</translation>
    </message>
    <message>
        <source>Form closed</source>
        <translation>Formulaire fermé</translation>
    </message>
    <message>
        <source>The form could not be opened</source>
        <translation>Le formulaire n&apos;a pas pu être ouvert</translation>
    </message>
    <message>
        <source>The form could not be opened. Nothing was changed.</source>
        <translation>Le formulaire n&apos;a pas pu être ouvert. Rien n&apos;a été modifié.</translation>
    </message>
</context>
<context>
    <name>GeoPathField</name>
    <message>
        <source>Points as &apos;lat lon; lat lon; …&apos;</source>
        <translation>Points sous la forme «&#xa0;lat lon; lat lon; …&#xa0;»</translation>
    </message>
</context>
<context>
    <name>GeopointField</name>
    <message>
        <source>Latitude Longitude, e.g. 13.5116 2.1254</source>
        <translation>Latitude Longitude, p. ex. 13.5116 2.1254</translation>
    </message>
    <message>
        <source>Write the latitude (−90 to 90) then the longitude (−180 to 180), separated by a space.</source>
        <translation>Écrivez la latitude (−90 à 90) puis la longitude (−180 à 180), séparées par une espace.</translation>
    </message>
</context>
<context>
    <name>RangeField</name>
    <message>
        <source>Clear</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <source>No answer yet</source>
        <translation>Pas encore de réponse</translation>
    </message>
</context>
<context>
    <name>RankField</name>
    <message>
        <source>Move &amp;up</source>
        <translation>Mon&amp;ter</translation>
    </message>
    <message>
        <source>Move &amp;down</source>
        <translation>Descen&amp;dre</translation>
    </message>
    <message>
        <source>&amp;Keep this order</source>
        <translation>&amp;Garder cet ordre</translation>
    </message>
    <message>
        <source>Ranked.</source>
        <translation>Classé.</translation>
    </message>
    <message>
        <source>Not ranked yet: put the most important first, or keep this order.</source>
        <translation>Pas encore classé&#xa0;: mettez le plus important en premier, ou gardez cet ordre.</translation>
    </message>
</context>
<context>
    <name>RepeatInstance</name>
    <message>
        <source>Entry</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Retirer %1</translation>
    </message>
    <message>
        <source>Remove %1 %2</source>
        <translation>Retirer %1 %2</translation>
    </message>
    <message>
        <source>Remove %1 %2 and all its answers?</source>
        <translation>Retirer %1 %2 et toutes ses réponses&#xa0;?</translation>
    </message>
    <message>
        <source>Yes, remove</source>
        <translation>Oui, retirer</translation>
    </message>
    <message>
        <source>No, keep it</source>
        <translation>Non, garder</translation>
    </message>
</context>
<context>
    <name>RepeatSection</name>
    <message>
        <source>Entry</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>&amp;Add: %1</source>
        <translation>&amp;Ajouter&#xa0;: %1</translation>
    </message>
    <message>
        <source>None added yet.</source>
        <translation>Aucun ajout pour l&apos;instant.</translation>
    </message>
</context>
<context>
    <name>SelectOneComboField</name>
    <message>
        <source>— Choose —</source>
        <translation>— Choisir —</translation>
    </message>
    <message>
        <source>— Nothing to choose yet —</source>
        <translation>— Rien à choisir pour l&apos;instant —</translation>
    </message>
</context>
<context>
    <name>SelectOneMapField</name>
    <message>
        <source>Feature</source>
        <translation>Élément</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Lieu</translation>
    </message>
    <message>
        <source>Clear answer</source>
        <translation>Effacer la réponse</translation>
    </message>
    <message>
        <source>area of %1 points from %2</source>
        <translation>zone de %1 points depuis %2</translation>
    </message>
    <message>
        <source>line of %1 points from %2</source>
        <translation>ligne de %1 points depuis %2</translation>
    </message>
</context>
<context>
    <name>TimeField</name>
    <message>
        <source>HH:MM</source>
        <translation>HH:MM</translation>
    </message>
    <message>
        <source>This is not a time. Type hours and minutes, e.g. 14:30.</source>
        <translation>Ce n&apos;est pas une heure. Tapez les heures et les minutes, p. ex. 14:30.</translation>
    </message>
</context>
<context>
    <name>UnsupportedField</name>
    <message>
        <source>This question cannot be shown here (%1). Its current answer: %2</source>
        <translation>Cette question ne peut pas être affichée ici (%1). Sa réponse actuelle&#xa0;: %2</translation>
    </message>
</context>
<context>
    <name>UploadField</name>
    <message>
        <source>Choose a file…</source>
        <translation>Choisir un fichier…</translation>
    </message>
    <message>
        <source>Remove the file</source>
        <translation>Retirer le fichier</translation>
    </message>
    <message>
        <source>This file is too large (more than 20 MB).</source>
        <translation>Ce fichier est trop volumineux (plus de 20 Mo).</translation>
    </message>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>Le fichier ne peut pas être lu&#xa0;: %1</translation>
    </message>
    <message>
        <source>Choose a file of this kind: %1</source>
        <translation>Choisissez un fichier de ce type&#xa0;: %1</translation>
    </message>
    <message>
        <source>No file yet</source>
        <translation>Pas encore de fichier</translation>
    </message>
    <message>
        <source>%1 (kept in the vault)</source>
        <translation>%1 (conservé dans le coffre)</translation>
    </message>
</context>
<context>
    <name>_ButtonsField</name>
    <message>
        <source>Clear answer</source>
        <translation>Effacer la réponse</translation>
    </message>
</context>
</TS>
