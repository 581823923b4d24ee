<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ConsentArea</name>
    <message>
        <source>&amp;Consent…</source>
        <translation>&amp;Consentement…</translation>
    </message>
</context>
<context>
    <name>ConsentModel</name>
    <message>
        <source>Purpose</source>
        <translation>Finalité</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consentement</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Depuis</translation>
    </message>
    <message>
        <source>How</source>
        <translation>Comment</translation>
    </message>
    <message>
        <source>Consented</source>
        <translation>Consenti</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>Retiré</translation>
    </message>
    <message>
        <source>Not recorded</source>
        <translation>Non renseigné</translation>
    </message>
    <message>
        <source>Verbal, witnessed</source>
        <translation>Verbal, avec témoin</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Signé</translation>
    </message>
    <message>
        <source>Thumbprint</source>
        <translation>Empreinte</translation>
    </message>
    <message>
        <source>%1 by %2</source>
        <translation>%1 par %2</translation>
    </message>
    <message>
        <source>by a parent or guardian</source>
        <translation>par un parent ou tuteur</translation>
    </message>
    <message>
        <source>by someone else</source>
        <translation>par une autre personne</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>Consent</source>
        <translation>Consentement</translation>
    </message>
    <message>
        <source>What the person agreed to, purpose by purpose. A person may withdraw consent at any time; it takes effect at once and is recorded in the audit log.</source>
        <translation>Ce que la personne a accepté, finalité par finalité. Une personne peut retirer son consentement à tout moment ; le retrait prend effet immédiatement et est inscrit au journal d&apos;audit.</translation>
    </message>
    <message>
        <source>Back to the &amp;list</source>
        <translation>Retour à la &amp;liste</translation>
    </message>
</context>
<context>
    <name>ConsentPanel</name>
    <message>
        <source>Consent withdrawn: %1.</source>
        <translation>Consentement retiré : %1.</translation>
    </message>
    <message>
        <source>Consent recorded: %1.</source>
        <translation>Consentement enregistré : %1.</translation>
    </message>
    <message>
        <source>Consent could not be read or changed; nothing was changed.</source>
        <translation>Le consentement n&apos;a pas pu être lu ou modifié ; rien n&apos;a été changé.</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consentement</translation>
    </message>
    <message>
        <source>Consent of %1</source>
        <translation>Consentement de %1</translation>
    </message>
    <message>
        <source>Withdraw &amp;consent…</source>
        <translation>Retirer le &amp;consentement…</translation>
    </message>
    <message>
        <source>Record consent &amp;given…</source>
        <translation>Enregistrer un consentement &amp;donné…</translation>
    </message>
</context>
<context>
    <name>ConsentPurpose</name>
    <message>
        <source>Assistance and case management</source>
        <translation>Assistance et suivi de cas</translation>
    </message>
    <message>
        <source>Sharing with service providers</source>
        <translation>Partage avec les prestataires</translation>
    </message>
    <message>
        <source>Sharing with national authorities</source>
        <translation>Partage avec les autorités nationales</translation>
    </message>
    <message>
        <source>Sharing with UNHCR</source>
        <translation>Partage avec le HCR</translation>
    </message>
    <message>
        <source>Non-identifiable reporting and research</source>
        <translation>Rapports et recherche non identifiants</translation>
    </message>
    <message>
        <source>Being contacted again</source>
        <translation>Être recontacté(e)</translation>
    </message>
    <message>
        <source>Search for duplicates and family links</source>
        <translation>Recherche de doublons et de liens familiaux</translation>
    </message>
</context>
<context>
    <name>GiveDialog</name>
    <message>
        <source>Record consent</source>
        <translation>Enregistrer un consentement</translation>
    </message>
    <message>
        <source>%1: to what does the person now consent?</source>
        <translation>%1 : à quoi la personne consent-elle maintenant ?</translation>
    </message>
    <message>
        <source>Choose how…</source>
        <translation>Choisissez comment…</translation>
    </message>
    <message>
        <source>Verbal, witnessed</source>
        <translation>Verbal, avec témoin</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Signé</translation>
    </message>
    <message>
        <source>Thumbprint</source>
        <translation>Empreinte</translation>
    </message>
    <message>
        <source>How was consent &amp;given?</source>
        <translation>Comment le consentement a-t-il été &amp;donné ?</translation>
    </message>
    <message>
        <source>&amp;Record</source>
        <translation>&amp;Enregistrer</translation>
    </message>
</context>
<context>
    <name>WithdrawDialog</name>
    <message>
        <source>Withdraw consent</source>
        <translation>Retirer le consentement</translation>
    </message>
    <message>
        <source>%1: which consent does the person withdraw?</source>
        <translation>%1 : quel consentement la personne retire-t-elle ?</translation>
    </message>
    <message>
        <source>It takes effect at once, on this laptop and on every other after their next synchronisation: no more duplicate search, sharing or follow-up contact for what is withdrawn. It is recorded in the audit log. Only new consent from the person can give it back.</source>
        <translation>Le retrait prend effet immédiatement, sur cet ordinateur et sur tous les autres après leur prochaine synchronisation : plus de recherche de doublons, de partage ni de recontact pour ce qui est retiré. Il est inscrit au journal d&apos;audit. Seul un nouveau consentement de la personne peut le rétablir.</translation>
    </message>
    <message>
        <source>The person has asked for this withdrawal</source>
        <translation>La personne a demandé ce retrait</translation>
    </message>
    <message>
        <source>&amp;Withdraw</source>
        <translation>&amp;Retirer</translation>
    </message>
</context>
</TS>
