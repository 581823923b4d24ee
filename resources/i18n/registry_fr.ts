<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>DuplicateQuestion</name>
    <message>
        <source>Already registered?</source>
        <translation>Déjà enregistré(e) ?</translation>
    </message>
    <message>
        <source>This person may already be registered. Check before finalizing: open the registration below from Find a person, or finalize if it is someone else.</source>
        <translation>Cette personne est peut-être déjà enregistrée. Vérifiez avant de finaliser : ouvrez l&apos;enregistrement ci-dessous depuis Trouver une personne, ou finalisez s&apos;il s&apos;agit de quelqu&apos;un d&apos;autre.</translation>
    </message>
    <message>
        <source>&amp;Finalize anyway</source>
        <translation>&amp;Finaliser quand même</translation>
    </message>
    <message>
        <source>&amp;Go back to the form</source>
        <translation>&amp;Revenir au formulaire</translation>
    </message>
</context>
<context>
    <name>SearchArea</name>
    <message>
        <source>&amp;Find a person…</source>
        <translation>&amp;Trouver une personne…</translation>
    </message>
    <message>
        <source>Find a person by name in any script or spelling, document, phone, age (Ctrl+Shift+F)</source>
        <translation>Trouver une personne par son nom, quelle qu&apos;en soit l&apos;écriture ou l&apos;orthographe, son document, son téléphone, son âge (Ctrl+Maj+F)</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <source>The search could not run. Lock and unlock the vault, then try again.</source>
        <translation>La recherche n&apos;a pas pu s&apos;exécuter. Verrouillez puis déverrouillez le coffre, puis réessayez.</translation>
    </message>
    <message>
        <source>Type a name in any spelling or in Arabic script, a document or phone number, a date of birth or an age, a country or a centre.</source>
        <translation>Tapez un nom, quelle qu&apos;en soit l&apos;orthographe ou en écriture arabe, un numéro de document ou de téléphone, une date de naissance ou un âge, un pays ou un centre.</translation>
    </message>
    <message numerus="yes">
        <source>%n person(s) found</source>
        <translation>
            <numerusform>%n personne trouvée</numerusform>
            <numerusform>%n personnes trouvées</numerusform>
        </translation>
    </message>
    <message>
        <source>nationality</source>
        <translation>nationalité</translation>
    </message>
    <message>
        <source>centre</source>
        <translation>centre</translation>
    </message>
    <message>
        <source>sex</source>
        <translation>sexe</translation>
    </message>
    <message>
        <source>status</source>
        <translation>statut</translation>
    </message>
    <message>
        <source>only %1</source>
        <translation>seulement %1</translation>
    </message>
    <message>
        <source>No one matches. Try another spelling, fewer words, or a number.</source>
        <translation>Personne ne correspond. Essayez une autre orthographe, moins de mots, ou un numéro.</translation>
    </message>
    <message>
        <source>Find a person</source>
        <translation>Trouver une personne</translation>
    </message>
    <message>
        <source>Results follow what you type, best first, each with why it matched. Down moves into the results, Enter opens one, Escape comes back here.</source>
        <translation>Les résultats suivent ce que vous tapez, les meilleurs d&apos;abord, chacun avec la raison de la correspondance. Flèche bas entre dans les résultats, Entrée en ouvre un, Échap revient ici.</translation>
    </message>
    <message>
        <source>&amp;Search for</source>
        <translation>&amp;Rechercher</translation>
    </message>
    <message>
        <source>e.g. Ousmane Diallo, عثمان, AB 123 4567, 25 Mali</source>
        <translation>p. ex. Ousmane Diallo, عثمان, AB 123 4567, 25 Mali</translation>
    </message>
</context>
<context>
    <name>SearchReasons</name>
    <message numerus="yes">
        <source>%n exact</source>
        <translation>
            <numerusform>%n exact</numerusform>
            <numerusform>%n exacts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n spelling variant(s)</source>
        <translation>
            <numerusform>%n variante d&apos;orthographe</numerusform>
            <numerusform>%n variantes d&apos;orthographe</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Arabic/Latin transliteration(s)</source>
        <translation>
            <numerusform>%n translittération arabe/latin</numerusform>
            <numerusform>%n translittérations arabe/latin</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n close spelling(s)</source>
        <translation>
            <numerusform>%n orthographe proche</numerusform>
            <numerusform>%n orthographes proches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n weak</source>
        <translation>
            <numerusform>%n faible</numerusform>
            <numerusform>%n faibles</numerusform>
        </translation>
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
        <translation>prénom et nom dans l&apos;autre ordre</translation>
    </message>
    <message>
        <source>name: no word in common</source>
        <translation>nom : aucun mot en commun</translation>
    </message>
    <message>
        <source>name begins with the last word typed</source>
        <translation>le nom commence par le dernier mot tapé</translation>
    </message>
    <message>
        <source>same document number</source>
        <translation>même numéro de document</translation>
    </message>
    <message>
        <source>document number one character apart</source>
        <translation>numéro de document à un caractère près</translation>
    </message>
    <message>
        <source>same phone number</source>
        <translation>même numéro de téléphone</translation>
    </message>
    <message>
        <source>same date of birth</source>
        <translation>même date de naissance</translation>
    </message>
    <message>
        <source>age fits</source>
        <translation>l&apos;âge correspond</translation>
    </message>
    <message>
        <source>year of birth fits</source>
        <translation>l&apos;année de naissance correspond</translation>
    </message>
    <message>
        <source>nationality matches</source>
        <translation>la nationalité correspond</translation>
    </message>
    <message>
        <source>centre matches</source>
        <translation>le centre correspond</translation>
    </message>
    <message>
        <source>status matches</source>
        <translation>le statut correspond</translation>
    </message>
    <message>
        <source>sex matches</source>
        <translation>le sexe correspond</translation>
    </message>
</context>
<context>
    <name>SearchResultModel</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
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
        <source>Centre</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Match</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Why it matched</source>
        <translation>Pourquoi elle correspond</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
</context>
</TS>
