<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>BreakdownModel</name>
    <message>
        <source>People</source>
        <translation>Personnes</translation>
    </message>
    <message>
        <source>Fewer than %1 people: hidden so that no one can be recognised.</source>
        <translation>Moins de %1 personnes : masqué pour que personne ne puisse être reconnu.</translation>
    </message>
    <message>
        <source>Hidden so that the totals cannot give a small cell back.</source>
        <translation>Masqué pour que les totaux ne permettent pas de retrouver une petite case.</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
</context>
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
        <source>%1: %2 % — %3</source>
        <translation>%1&#xa0;: %2&#xa0;% — %3</translation>
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
    <name>ExportsArea</name>
    <message>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <source>The passphrase needs at least %1 characters.</source>
        <translation>La phrase secrète doit compter au moins %1 caractères.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Les deux phrases secrètes diffèrent.</translation>
    </message>
    <message>
        <source>Choose where to save the export</source>
        <translation>Choisir où enregistrer l&apos;export</translation>
    </message>
    <message numerus="yes">
        <source>Saved %1: %n record(s), passphrase-protected.</source>
        <translation>
            <numerusform>Enregistré %1&#xa0;: %n fiche, protégée par phrase secrète.</numerusform>
            <numerusform>Enregistré %1&#xa0;: %n fiches, protégées par phrase secrète.</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose where to save the CTDC export</source>
        <translation>Choisir où enregistrer l&apos;export CTDC</translation>
    </message>
    <message numerus="yes">
        <source>Saved %1: %n case(s), k-anonymous (k = 11).</source>
        <translation>
            <numerusform>Enregistré %1&#xa0;: %n cas, k-anonyme (k = 11).</numerusform>
            <numerusform>Enregistré %1&#xa0;: %n cas, k-anonymes (k = 11).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) withheld: too few alike.</source>
        <translation>
            <numerusform>%n cas retenu&#xa0;: trop peu de cas semblables.</numerusform>
            <numerusform>%n cas retenus&#xa0;: trop peu de cas semblables.</numerusform>
        </translation>
    </message>
    <message>
        <source>Some values were generalised; see %1.</source>
        <translation>Certaines valeurs ont été généralisées ; voir %1.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Export en cours…</translation>
    </message>
    <message>
        <source>Export cancelled: no file was left.</source>
        <translation>Export annulé&#xa0;: aucun fichier n&apos;a été laissé.</translation>
    </message>
    <message>
        <source>The export could not be written: %1</source>
        <translation>L&apos;export n&apos;a pas pu être écrit&#xa0;: %1</translation>
    </message>
    <message>
        <source>E&amp;xports…</source>
        <translation>E&amp;xports…</translation>
    </message>
    <message>
        <source>Export a form&apos;s records, passphrase-protected, or CTDC&apos;s anonymised trafficking cases (Ctrl+Shift+X)</source>
        <translation>Exporter les fiches d&apos;un formulaire, protégées par phrase secrète, ou les cas de traite anonymisés pour le CTDC (Ctrl+Maj+X)</translation>
    </message>
</context>
<context>
    <name>ExportsPage</name>
    <message>
        <source>Your role does not allow exporting records.</source>
        <translation>Votre rôle ne permet pas d&apos;exporter des fiches.</translation>
    </message>
    <message>
        <source>%1 of %2 records</source>
        <translation>%1 fiches sur %2</translation>
    </message>
    <message>
        <source>Exports</source>
        <translation>Exports</translation>
    </message>
    <message>
        <source>Record-level exports hold personal data: they are written passphrase-protected and recorded in the audit log. Give the passphrase to the recipient by another way than the file.</source>
        <translation>Les exports de fiches contiennent des données personnelles&#xa0;: ils sont protégés par une phrase secrète et inscrits au journal d&apos;audit. Transmettez la phrase secrète au destinataire par un autre moyen que le fichier.</translation>
    </message>
    <message>
        <source>A form&apos;s records (passphrase-protected)</source>
        <translation>Les fiches d&apos;un formulaire (protégées par phrase secrète)</translation>
    </message>
    <message>
        <source>&amp;Form:</source>
        <translation>&amp;Formulaire&#xa0;:</translation>
    </message>
    <message>
        <source>F&amp;ormat:</source>
        <translation>F&amp;ormat&#xa0;:</translation>
    </message>
    <message>
        <source>Add a row of &amp;HXL hashtags under the header</source>
        <translation>Ajouter une ligne de mots-dièse &amp;HXL sous l&apos;en-tête</translation>
    </message>
    <message>
        <source>&amp;Passphrase for the file:</source>
        <translation>&amp;Phrase secrète du fichier&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Same passphrase again:</source>
        <translation>Même phrase &amp;secrète à nouveau&#xa0;:</translation>
    </message>
    <message>
        <source>at least %1 characters</source>
        <translation>au moins %1 caractères</translation>
    </message>
    <message>
        <source>&amp;Export records…</source>
        <translation>&amp;Exporter les fiches…</translation>
    </message>
    <message>
        <source>Trafficking cases for CTDC (anonymised)</source>
        <translation>Cas de traite pour le CTDC (anonymisés)</translation>
    </message>
    <message>
        <source>Possible and identified victims in the columns of the Counter Trafficking Data Collaborative: no name, number, centre or date finer than the year. Before the file is written, every combination of year, source, gender, age, citizenship, country of exploitation and duration is shared by at least 11 cases: values are generalised, then the remaining cases withheld; a note beside the file says what.</source>
        <translation>Victimes présumées et identifiées dans les colonnes du Counter Trafficking Data Collaborative&#xa0;: ni nom, ni numéro, ni centre, ni date plus précise que l&apos;année. Avant l&apos;écriture du fichier, chaque combinaison d&apos;année, de source, de genre, d&apos;âge, de nationalité, de pays d&apos;exploitation et de durée est partagée par au moins 11 cas&#xa0;: des valeurs sont généralisées, puis les cas restants retenus&#xa0;; une note à côté du fichier dit lesquels.</translation>
    </message>
    <message>
        <source>Export for &amp;CTDC…</source>
        <translation>Exporter pour le &amp;CTDC…</translation>
    </message>
    <message>
        <source>Cance&amp;l</source>
        <translation>Annu&amp;ler</translation>
    </message>
</context>
<context>
    <name>IndicatorModel</name>
    <message>
        <source>EUTF</source>
        <translation>FFU</translation>
    </message>
    <message>
        <source>Indicator</source>
        <translation>Indicateur</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Personnes</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>Migrants in transit and forcibly displaced people protected or assisted</source>
        <translation>Migrants en transit et personnes déplacées de force protégés ou assistés</translation>
    </message>
    <message>
        <source>(Potential) migrants reached by information campaigns on migration</source>
        <translation>Migrants (potentiels) atteints par des campagnes d&apos;information sur la migration</translation>
    </message>
    <message>
        <source>Voluntary returns supported</source>
        <translation>Retours volontaires soutenus</translation>
    </message>
    <message>
        <source>Returning migrants benefitting from post-arrival assistance</source>
        <translation>Migrants de retour bénéficiant d&apos;une assistance à l&apos;arrivée</translation>
    </message>
    <message>
        <source>Returning migrants benefitting from reintegration assistance</source>
        <translation>Migrants de retour bénéficiant d&apos;une aide à la réintégration</translation>
    </message>
    <message>
        <source>Victims of trafficking identified, assisted or referred</source>
        <translation>Victimes de la traite identifiées, assistées ou référées</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Age group</source>
        <translation>Tranche d&apos;âge</translation>
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
        <source>Category</source>
        <translation>Catégorie</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Canal</translation>
    </message>
    <message>
        <source>Target group</source>
        <translation>Groupe cible</translation>
    </message>
    <message>
        <source>Not recorded</source>
        <translation>Non renseigné</translation>
    </message>
    <message>
        <source>Individual counselling</source>
        <translation>Conseil individuel</translation>
    </message>
    <message>
        <source>Migrant in transit</source>
        <translation>Migrant en transit</translation>
    </message>
    <message>
        <source>Stranded migrant</source>
        <translation>Migrant bloqué</translation>
    </message>
    <message>
        <source>Expelled or pushed back</source>
        <translation>Expulsé ou refoulé</translation>
    </message>
    <message>
        <source>Returnee</source>
        <translation>Migrant de retour</translation>
    </message>
    <message>
        <source>Asylum seeker</source>
        <translation>Demandeur d&apos;asile</translation>
    </message>
    <message>
        <source>Refugee</source>
        <translation>Réfugié</translation>
    </message>
    <message>
        <source>Internally displaced person</source>
        <translation>Personne déplacée interne</translation>
    </message>
    <message>
        <source>Host community</source>
        <translation>Communauté hôte</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <source>No cell below %1: nothing hidden.</source>
        <translation>Aucune case sous %1 : rien n&apos;est masqué.</translation>
    </message>
    <message numerus="yes">
        <source>%n cell(s) of fewer than %1 people shown as &lt;%1</source>
        <translation>
            <numerusform>%n case de moins de %1 personnes affichée &lt;%1</numerusform>
            <numerusform>%n cases de moins de %1 personnes affichées &lt;%1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more shown as x so that totals cannot give them back</source>
        <translation>
            <numerusform>%n autre affichée x pour que les totaux ne la révèlent pas</numerusform>
            <numerusform>%n autres affichées x pour que les totaux ne les révèlent pas</numerusform>
        </translation>
    </message>
    <message>
        <source>region %1</source>
        <translation>la région %1</translation>
    </message>
    <message>
        <source>centre %1</source>
        <translation>le centre %1</translation>
    </message>
    <message>
        <source>every centre</source>
        <translation>tous les centres</translation>
    </message>
    <message>
        <source>This laptop&apos;s records</source>
        <translation>Les fiches de cet ordinateur</translation>
    </message>
    <message>
        <source>This centre, every laptop (server)</source>
        <translation>Ce centre, tous les ordinateurs (serveur)</translation>
    </message>
    <message>
        <source>My region: %1 (server)</source>
        <translation>Ma région&#xa0;: %1 (serveur)</translation>
    </message>
    <message>
        <source>My region (server)</source>
        <translation>Ma région (serveur)</translation>
    </message>
    <message>
        <source>Centre %1 of my region (server)</source>
        <translation>Centre %1 de ma région (serveur)</translation>
    </message>
    <message>
        <source>The server could not be reached (no connection, or the server is down). Nothing changed on this laptop; its own records can still be counted: choose “This laptop&apos;s records”.</source>
        <translation>Le serveur est injoignable (pas de connexion, ou serveur arrêté). Rien n&apos;a changé sur cet ordinateur&#xa0;; ses propres fiches peuvent toujours être comptées&#xa0;: choisissez «&#xa0;Les fiches de cet ordinateur&#xa0;».</translation>
    </message>
    <message>
        <source>The server refused: that centre or region is outside what this laptop&apos;s people may view.</source>
        <translation>Le serveur a refusé&#xa0;: ce centre ou cette région dépasse ce que les personnes de cet ordinateur peuvent consulter.</translation>
    </message>
    <message>
        <source>The server knows no such centre or region any more. Open Indicators again to refresh the choices.</source>
        <translation>Le serveur ne connaît plus ce centre ou cette région. Rouvrez Indicateurs pour mettre les choix à jour.</translation>
    </message>
    <message>
        <source>This laptop is not enrolled with a server, so it cannot ask for the figures of the centre or region; its own records can still be counted.</source>
        <translation>Cet ordinateur n&apos;est inscrit auprès d&apos;aucun serveur&#xa0;: il ne peut pas demander les chiffres du centre ou de la région&#xa0;; ses propres fiches peuvent toujours être comptées.</translation>
    </message>
    <message>
        <source>Only coordinators may ask the server for the figures of a centre or region.</source>
        <translation>Seuls les coordinateurs peuvent demander au serveur les chiffres d&apos;un centre ou d&apos;une région.</translation>
    </message>
    <message>
        <source>The server had a problem answering. Try again later; nothing changed on this laptop.</source>
        <translation>Le serveur a eu un problème pour répondre. Réessayez plus tard&#xa0;; rien n&apos;a changé sur cet ordinateur.</translation>
    </message>
    <message>
        <source>The indicators could not be computed: %1</source>
        <translation>Les indicateurs n&apos;ont pas pu être calculés&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>ReportsArea</name>
    <message>
        <source>Computing…</source>
        <translation>Calcul…</translation>
    </message>
    <message>
        <source>The indicators could not be computed: %1</source>
        <translation>Les indicateurs n&apos;ont pas pu être calculés : %1</translation>
    </message>
    <message>
        <source>the period ends before it starts</source>
        <translation>la période se termine avant de commencer</translation>
    </message>
    <message>
        <source>Asking the server for the figures of %1…</source>
        <translation>Demande au serveur des chiffres de «&#xa0;%1&#xa0;»…</translation>
    </message>
    <message>
        <source>The figures below are still those of the last computation.</source>
        <translation>Les chiffres ci-dessous sont toujours ceux du dernier calcul.</translation>
    </message>
    <message>
        <source>Choose where to save the report</source>
        <translation>Choisissez où enregistrer le rapport</translation>
    </message>
    <message>
        <source>Saving the report…</source>
        <translation>Enregistrement du rapport…</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>Enregistré : %1.</translation>
    </message>
    <message>
        <source>The report could not be saved: %1</source>
        <translation>Le rapport n&apos;a pas pu être enregistré : %1</translation>
    </message>
    <message>
        <source>&amp;Indicators…</source>
        <translation>&amp;Indicateurs…</translation>
    </message>
    <message>
        <source>Indicators for a period, protected, with tables, charts and exports (Ctrl+Shift+I)</source>
        <translation>Indicateurs d&apos;une période, protégés, avec tableaux, graphiques et exports (Ctrl+Maj+I)</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>All</source>
        <translation>Tout</translation>
    </message>
    <message>
        <source>Computed by the server for %1 in %2 s; counts rounded down to a multiple of 5, as they left the server.</source>
        <translation>Calculé par le serveur pour %1 en %2 s&#xa0;; effectifs arrondis au multiple de 5 inférieur, tels qu&apos;ils ont quitté le serveur.</translation>
    </message>
    <message>
        <source>Computed in %1 s.</source>
        <translation>Calculé en %1 s.</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) or referral(s) name no registration in this scope and are not counted.</source>
        <translation>
            <numerusform>%n prestation ou référencement ne désigne aucun enregistrement de ce périmètre et n&apos;est pas compté.</numerusform>
            <numerusform>%n prestations ou référencements ne désignent aucun enregistrement de ce périmètre et ne sont pas comptés.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) or referral(s) name no registration on this laptop and are not counted.</source>
        <translation>
            <numerusform>%n prestation ou référencement ne désigne aucun enregistrement de cet ordinateur et n&apos;est pas compté.</numerusform>
            <numerusform>%n prestations ou référencements ne désignent aucun enregistrement de cet ordinateur et ne sont pas comptés.</numerusform>
        </translation>
    </message>
    <message>
        <source>Trafficking cases are not seen with your role: their indicator is not shown.</source>
        <translation>Votre rôle ne voit pas les cas de traite&#xa0;: leur indicateur n&apos;est pas affiché.</translation>
    </message>
    <message>
        <source>Estimated reach of mass media (radio, social media): %1, reported apart and not added to the people counted.</source>
        <translation>Portée estimée des médias de masse (radio, réseaux sociaux)&#xa0;: %1, indiquée à part et non additionnée aux personnes comptées.</translation>
    </message>
    <message>
        <source>Indicators</source>
        <translation>Indicateurs</translation>
    </message>
    <message>
        <source>Each person is counted once per indicator and period. Figures of fewer than 10 people (11 for trafficking) are hidden, and so are the figures that would give them back.</source>
        <translation>Chaque personne est comptée une fois par indicateur et par période. Les chiffres de moins de 10 personnes (11 pour la traite) sont masqués, ainsi que ceux qui permettraient de les retrouver.</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Du :</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Au :</translation>
    </message>
    <message>
        <source>&amp;Scope:</source>
        <translation>&amp;Portée :</translation>
    </message>
    <message>
        <source>&amp;Data:</source>
        <translation>Do&amp;nnées&#xa0;:</translation>
    </message>
    <message>
        <source>F&amp;ormat:</source>
        <translation>F&amp;ormat :</translation>
    </message>
    <message>
        <source>&amp;By:</source>
        <translation>Pa&amp;r :</translation>
    </message>
    <message>
        <source>&amp;Compute</source>
        <translation>&amp;Calculer</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exporter…</translation>
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
        <source>%1: %2</source>
        <translation>%1&#xa0;: %2</translation>
    </message>
    <message>
        <source>only %1</source>
        <translation>seulement %1</translation>
    </message>
    <message>
        <source>looking for other spellings…</source>
        <translation>recherche d&apos;autres orthographes…</translation>
    </message>
    <message>
        <source>No exact match yet. Looking for other spellings…</source>
        <translation>Aucune correspondance exacte pour l&apos;instant. Recherche d&apos;autres orthographes…</translation>
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
    <message>
        <source>case closed</source>
        <translation>dossier clôturé</translation>
    </message>
    <message>
        <source>case open</source>
        <translation>dossier ouvert</translation>
    </message>
    <message>
        <source>same nationality</source>
        <translation>même nationalité</translation>
    </message>
    <message>
        <source>same sex</source>
        <translation>même sexe</translation>
    </message>
    <message>
        <source>age fits the date of birth</source>
        <translation>l&apos;âge correspond à la date de naissance</translation>
    </message>
    <message>
        <source>ages close</source>
        <translation>âges proches</translation>
    </message>
    <message>
        <source>ages fit</source>
        <translation>les âges correspondent</translation>
    </message>
    <message>
        <source>different document numbers</source>
        <translation>numéros de document différents</translation>
    </message>
    <message>
        <source>different numbers for the same type of document</source>
        <translation>numéros différents pour le même type de document</translation>
    </message>
    <message>
        <source>different nationality</source>
        <translation>nationalité différente</translation>
    </message>
    <message>
        <source>different sex</source>
        <translation>sexe différent</translation>
    </message>
    <message>
        <source>date of birth with day and month swapped</source>
        <translation>date de naissance avec jour et mois inversés</translation>
    </message>
    <message>
        <source>document numbers one character apart</source>
        <translation>numéros de document à un caractère près</translation>
    </message>
    <message>
        <source>same month and year of birth</source>
        <translation>même mois et même année de naissance</translation>
    </message>
    <message>
        <source>same phone number (last eight digits)</source>
        <translation>même numéro de téléphone (huit derniers chiffres)</translation>
    </message>
    <message>
        <source>same year of birth</source>
        <translation>même année de naissance</translation>
    </message>
    <message>
        <source>years of birth one year apart</source>
        <translation>années de naissance à un an près</translation>
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
