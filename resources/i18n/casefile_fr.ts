<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>CaseFile</name>
    <message>
        <source>Returned (AVRR/VHR)</source>
        <translation>Retourné (AVRR/VHR)</translation>
    </message>
    <message>
        <source>Left voluntarily</source>
        <translation>Départ volontaire</translation>
    </message>
    <message>
        <source>Onward movement</source>
        <translation>Poursuite du voyage</translation>
    </message>
    <message>
        <source>Transferred or referred</source>
        <translation>Transféré ou référé</translation>
    </message>
    <message>
        <source>Duplicate registration</source>
        <translation>Enregistrement en double</translation>
    </message>
    <message>
        <source>Deceased</source>
        <translation>Décédé</translation>
    </message>
    <message>
        <source>Came back to the centre</source>
        <translation>Revenu au centre</translation>
    </message>
    <message>
        <source>A new need</source>
        <translation>Un nouveau besoin</translation>
    </message>
    <message>
        <source>Closed by mistake</source>
        <translation>Clôturé par erreur</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvert</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Clôturé</translation>
    </message>
    <message>
        <source>Registration</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <source>Referral: %1</source>
        <translation>Référencement&#xa0;: %1</translation>
    </message>
    <message>
        <source>Trafficking case: %1</source>
        <translation>Dossier de traite&#xa0;: %1</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>Dossier clôturé</translation>
    </message>
    <message>
        <source>Case reopened</source>
        <translation>Dossier rouvert</translation>
    </message>
    <message>
        <source>Consent withdrawn</source>
        <translation>Consentement retiré</translation>
    </message>
    <message>
        <source>Consent given</source>
        <translation>Consentement donné</translation>
    </message>
    <message>
        <source>next appointment %1</source>
        <translation>prochain rendez-vous le %1</translation>
    </message>
    <message>
        <source>to %1</source>
        <translation>vers %1</translation>
    </message>
</context>
<context>
    <name>CaseFileArea</name>
    <message>
        <source>For %1 (%2), from their case file. Finalize or close the form to go back to it.</source>
        <translation>Pour %1 (%2), depuis son dossier. Finalisez ou fermez le formulaire pour y revenir.</translation>
    </message>
    <message>
        <source>The case was not changed</source>
        <translation>Le dossier n&apos;a pas été modifié</translation>
    </message>
    <message>
        <source>The case was not changed. %1</source>
        <translation>Le dossier n&apos;a pas été modifié. %1</translation>
    </message>
    <message>
        <source>This case is already closed: it was closed meanwhile, on this laptop or through sync.</source>
        <translation>Ce dossier est déjà clôturé&#xa0;: il l&apos;a été entre-temps, sur cet ordinateur ou par la synchronisation.</translation>
    </message>
    <message>
        <source>This case is already open: it was reopened meanwhile, on this laptop or through sync.</source>
        <translation>Ce dossier est déjà ouvert&#xa0;: il a été rouvert entre-temps, sur cet ordinateur ou par la synchronisation.</translation>
    </message>
    <message>
        <source>The reason “Other” needs a note saying why.</source>
        <translation>Le motif «&#xa0;Autre&#xa0;» demande une note qui dise pourquoi.</translation>
    </message>
    <message>
        <source>This reason cannot be chosen for this change. Choose one from the list.</source>
        <translation>Ce motif ne peut pas être choisi pour ce changement. Choisissez-en un dans la liste.</translation>
    </message>
    <message>
        <source>This registration is no longer on this laptop.</source>
        <translation>Cet enregistrement n&apos;est plus sur cet ordinateur.</translation>
    </message>
    <message>
        <source>The case file could not be opened. %1</source>
        <translation>Le dossier n&apos;a pas pu être ouvert. %1</translation>
    </message>
    <message>
        <source>Your role does not allow you to see this person&apos;s case file.</source>
        <translation>Votre rôle ne vous permet pas de voir le dossier de cette personne.</translation>
    </message>
    <message>
        <source>Not printed</source>
        <translation>Non imprimé</translation>
    </message>
    <message>
        <source>Waypoint prints on a printer only, never to a file: a file would be a copy of the person outside the vault.</source>
        <translation>Waypoint imprime seulement sur une imprimante, jamais dans un fichier&#xa0;: un fichier serait une copie de la personne hors du coffre.</translation>
    </message>
    <message>
        <source>The print was not recorded</source>
        <translation>L&apos;impression n&apos;a pas été enregistrée</translation>
    </message>
</context>
<context>
    <name>CaseFilePage</name>
    <message>
        <source>Add &amp;assistance</source>
        <translation>Ajouter une assis&amp;tance</translation>
    </message>
    <message>
        <source>Record assistance given to this person (the form opens with this person already chosen)</source>
        <translation>Enregistrer une assistance fournie à cette personne (le formulaire s&apos;ouvre avec cette personne déjà choisie)</translation>
    </message>
    <message>
        <source>Refer this person to another service (the form opens with this person already chosen)</source>
        <translation>Référer cette personne à un autre service (le formulaire s&apos;ouvre avec cette personne déjà choisie)</translation>
    </message>
    <message>
        <source>&amp;Open the registration</source>
        <translation>&amp;Ouvrir l&apos;enregistrement</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>&amp;Retour</translation>
    </message>
    <message>
        <source>&amp;Timeline</source>
        <translation>&amp;Historique</translation>
    </message>
    <message>
        <source>Co&amp;nsent</source>
        <translation>Co&amp;nsentement</translation>
    </message>
    <message>
        <source>The person&apos;s consent and what they agreed to share will show here.</source>
        <translation>Le consentement de la personne et ce qu&apos;elle a accepté de partager s&apos;afficheront ici.</translation>
    </message>
    <message>
        <source>Next appointment:</source>
        <translation>Prochain rendez-vous&#xa0;:</translation>
    </message>
    <message>
        <source>Open referrals:</source>
        <translation>Référencements en cours&#xa0;:</translation>
    </message>
    <message>
        <source>Add a r&amp;eferral</source>
        <translation>Ajouter un référence&amp;ment</translation>
    </message>
    <message>
        <source>Pr&amp;int…</source>
        <translation>&amp;Imprimer…</translation>
    </message>
    <message>
        <source>Print this case file for the person (on a printer, never to a file; the print is recorded in the audit log)</source>
        <translation>Imprimer ce dossier pour la personne (sur une imprimante, jamais dans un fichier&#xa0;; l&apos;impression est enregistrée dans le journal d&apos;audit)</translation>
    </message>
    <message>
        <source>Reo&amp;pen the case…</source>
        <translation>Rouvrir le do&amp;ssier…</translation>
    </message>
    <message>
        <source>Clo&amp;se the case…</source>
        <translation>Clôturer le do&amp;ssier…</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message numerus="yes">
        <source>%n year(s)</source>
        <translation>
            <numerusform>%n an</numerusform>
            <numerusform>%n ans</numerusform>
        </translation>
    </message>
    <message>
        <source>registered on %1</source>
        <translation>enregistré(e) le %1</translation>
    </message>
    <message>
        <source>registration not finalized</source>
        <translation>enregistrement non finalisé</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>Dossier clôturé</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>le %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1&#xa0;: %2</translation>
    </message>
    <message>
        <source>Case reopened on %1: %2</source>
        <translation>Dossier rouvert le %1&#xa0;: %2</translation>
    </message>
    <message>
        <source>Case open</source>
        <translation>Dossier ouvert</translation>
    </message>
    <message>
        <source>%1, after %2 of %3</source>
        <translation>%1, après %2 du %3</translation>
    </message>
    <message>
        <source>none planned</source>
        <translation>aucun prévu</translation>
    </message>
    <message>
        <source>do not contact: no consent to being contacted again</source>
        <translation>ne pas contacter&#xa0;: pas de consentement à être recontacté(e)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message numerus="yes">
        <source>%n linked record(s) not shown: your role does not give access to them.</source>
        <translation>
            <numerusform>%n fiche liée non affichée&#xa0;: votre rôle n&apos;y donne pas accès.</numerusform>
            <numerusform>%n fiches liées non affichées&#xa0;: votre rôle n&apos;y donne pas accès.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CaseFilePrint</name>
    <message>
        <source>Printed on %1 from Waypoint. Keep it with the person&apos;s papers or give it to them; do not leave it lying around.</source>
        <translation>Imprimé le %1 depuis Waypoint. À garder avec les papiers de la personne ou à lui remettre&#xa0;; ne pas le laisser traîner.</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Choose a reason.</source>
        <translation>Choisissez un motif.</translation>
    </message>
    <message>
        <source>Say why in the note.</source>
        <translation>Indiquez pourquoi dans la note.</translation>
    </message>
    <message>
        <source>&amp;Note (required for Other):</source>
        <translation>&amp;Note (obligatoire pour Autre)&#xa0;:</translation>
    </message>
    <message>
        <source>Close the case</source>
        <translation>Clôturer le dossier</translation>
    </message>
    <message>
        <source>Reopen the case</source>
        <translation>Rouvrir le dossier</translation>
    </message>
    <message>
        <source>The case closes for everyone on the next sync; it can be reopened.</source>
        <translation>Le dossier sera clôturé pour tous à la prochaine synchronisation ; il pourra être rouvert.</translation>
    </message>
    <message>
        <source>The case reopens for everyone on the next sync.</source>
        <translation>Le dossier sera rouvert pour tous à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Motif&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Close the case</source>
        <translation>&amp;Clôturer le dossier</translation>
    </message>
    <message>
        <source>Re&amp;open the case</source>
        <translation>&amp;Rouvrir le dossier</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <source>&amp;Note (optional):</source>
        <translation>&amp;Note (facultative)&#xa0;:</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Par</translation>
    </message>
</context>
</TS>
