"""Synthetic people with planted duplicates, for measuring search and duplicate detection honestly.

No real person is in here: given and family names are drawn independently from lists of common names of
West Africa and the Horn of Africa, each list a group of spellings of one name (French, English, Somali and
Arabic script where the name is of Arabic origin), combined at random with invented dates and numbers.

Each generated registration knows its true identity and the name groups it was drawn from, so a test or a
benchmark can say which results are right. A duplicate is a second (or third) registration of the same
identity at another centre, months later, with some of: another spelling of a name, Arabic script, given
and family names swapped, a typing error in a name, a document number retyped (spacing, O/0, one character
wrong or two swapped) or missing, an age instead of the date of birth, a phone written another way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from waypoint_core.registry.person import PersonRecord

# (spellings, Arabic script or None, relative frequency). The first spelling is the commonest.
Group = tuple[tuple[str, ...], str | None, float]

WEST_MALE: list[Group] = [
    (("Mohamed", "Mohammed", "Muhammad", "Mouhamed", "Mohamad", "Mahamat"), "محمد", 9),
    (("Mamadou", "Mamadu", "Mahamadou"), None, 6),
    (("Ousmane", "Usman", "Osman", "Ousman", "Othman"), "عثمان", 5),
    (("Abdoulaye", "Abdullahi", "Abdallah", "Abdoulahi"), "عبد الله", 5),
    (("Abdourahmane", "Abdulrahman", "Abderrahmane", "Abdourahamane", "Abdou Rahmane"), "عبد الرحمن", 3),
    (("Ibrahim", "Ibrahima", "Brahim"), "إبراهيم", 5),
    (("Moussa", "Musa", "Mousa"), "موسى", 5),
    (("Boubacar", "Aboubacar", "Abubakar", "Boubakar"), "أبو بكر", 4),
    (("Amadou", "Ahmadou", "Ahmed", "Ahmad"), "أحمد", 5),
    (("Souleymane", "Suleiman", "Sulayman", "Souleyman"), "سليمان", 3),
    (("Ismael", "Ismail", "Ismaila", "Ismaïla"), "إسماعيل", 2),
    (("Youssouf", "Yusuf", "Yousouf", "Youssef"), "يوسف", 3),
    (("Idrissa", "Idris", "Idriss"), "إدريس", 2),
    (("Oumar", "Omar", "Umar"), "عمر", 4),
    (("Ali", "Aly", "Aliyu"), "علي", 3),
    (("Hassan", "Hassane", "Assane", "Hasan"), "حسن", 3),
    (("Hussein", "Housseini", "Hussaini", "Ousseini"), "حسين", 2),
    (("Adama", "Adamou", "Adam"), "آدم", 3),
    (("Lamine", "Lamin", "Alamine"), "الأمين", 2),
    (("Seydou", "Saidou", "Seidou"), None, 3),
    (("Issa", "Aïssa", "Isa"), "عيسى", 2),
    (("Yacouba", "Yakubu", "Yacoub"), "يعقوب", 2),
    (("Djibril", "Jibril", "Gibril"), "جبريل", 2),
    (("Salif", "Salifou"), None, 2),
    (("Sékou", "Sekou", "Shekou"), None, 2),
    (("Karim", "Kareem", "Abdoul Karim"), "كريم", 1),
    (("Tidiane", "Tijani", "Tidjani"), "التجاني", 1),
    (("Boureima", "Boureyma", "Bourema"), None, 2),
    (("Harouna", "Haruna", "Haroun"), "هارون", 2),
    (("Zakaria", "Zakariya", "Zakari"), "زكريا", 1),
    (("Daouda", "Dawda", "Daoud", "Dauda"), "داود", 1),
    (("Soumaila", "Sumaila", "Smaila"), None, 1),
    (("Bakary", "Bakari"), None, 2),
    (("Aliou", "Aliyou", "Alieu"), None, 2),
    (("Kalidou", "Khalid", "Khaled"), "خالد", 1),
    (("Modibo", "Modibbo"), None, 1),
    (("Lassina", "Lassana"), None, 1),
    (("Siaka", "Syaka"), None, 1),
    (("Drissa", "Dirissa"), None, 1),
    (("Adamu", "Adamou"), None, 1),
]
WEST_FEMALE: list[Group] = [
    (("Fatoumata", "Fatimata", "Fatouma", "Fatima", "Fatuma"), "فاطمة", 8),
    (("Aïcha", "Aisha", "Aicha", "Aysha", "Aichatou"), "عائشة", 5),
    (("Mariam", "Maryam", "Mariama", "Meryem"), "مريم", 6),
    (("Aminata", "Amina", "Aminatou"), "أمينة", 6),
    (("Hawa", "Awa", "Aoua"), "حواء", 5),
    (("Kadidia", "Khadija", "Kadija", "Khadidja"), "خديجة", 4),
    (("Zeinab", "Zainab", "Zeynabou", "Seynabou"), "زينب", 3),
    (("Salamatou", "Salamata", "Salama"), "سلامة", 2),
    (("Rahmatou", "Rahmata", "Rahma"), "رحمة", 2),
    (("Hadiza", "Hadizatou", "Adiza"), None, 3),
    (("Ramatoulaye", "Ramatou", "Ramata"), None, 2),
    (("Oumou", "Umu", "Oumy"), None, 3),
    (("Kadiatou", "Kadiatu", "Khadiatou"), None, 3),
    (("Safiatou", "Safiya", "Safia"), "صفية", 2),
    (("Halima", "Halimatou", "Alima"), "حليمة", 2),
    (("Asma", "Asmaou", "Asmau"), "أسماء", 1),
    (("Aissatou", "Aissata", "Aïssatou"), None, 3),
    (("Adjara", "Hadjara", "Hajara"), "هاجر", 1),
    (("Djeneba", "Jeneba", "Dieneba"), None, 2),
    (("Bintou", "Bintu", "Binta"), None, 2),
    (("Nana", "Nanah"), None, 1),
    (("Ramatou", "Ramatu"), None, 1),
    (("Sali", "Saly", "Salli"), None, 1),
    (("Habsatou", "Habsa", "Hafsa"), "حفصة", 1),
]
WEST_FAMILY: list[Group] = [
    (("Diallo", "Jallow", "Djalo", "Diallou"), "ديالو", 8),
    (("Traoré", "Traore", "Traoure"), "تراوري", 6),
    (("Coulibaly", "Kulibali", "Koulibaly", "Kulibaly"), "كوليبالي", 6),
    (("Keita", "Keïta", "Kéita"), "كيتا", 4),
    (("Touré", "Toure", "Ture"), "توري", 4),
    (("Diarra", "Jarra", "Diara"), None, 3),
    (("Sow", "Sao"), None, 3),
    (("Bah", "Ba"), None, 3),
    (("Barry", "Bari", "Barri"), None, 3),
    (("Camara", "Kamara"), None, 4),
    (("Cissé", "Cisse", "Sissé", "Sisse"), "سيسي", 4),
    (("Sanogo", "Sanogho"), None, 2),
    (("Ouédraogo", "Ouedraogo", "Wedraogo"), None, 4),
    (("Sawadogo", "Savadogo", "Sawadgo"), None, 3),
    (("Kaboré", "Kabore"), None, 2),
    (("Zongo", "Zongho"), None, 1),
    (("Ouattara", "Wattara", "Watara"), "واتارا", 3),
    (("Maïga", "Maiga", "Mayga"), "مايغا", 4),
    (("Issoufou", "Issifou", "Yusufu"), None, 2),
    (("Abdou", "Abdu"), "عبده", 2),
    (("Hama", "Hamma"), None, 2),
    (("Ndiaye", "N'Diaye", "Njie"), None, 3),
    (("Diop", "Job", "Diope"), None, 3),
    (("Fall", "Fal"), None, 2),
    (("Sy", "Si"), None, 1),
    (("Kane", "Kan"), None, 2),
    (("Ould Salem", "Ould Saleem"), "ولد سالم", 1),
    (("Ould Cheikh", "Ould Sheikh"), "ولد الشيخ", 1),
    (("Bello", "Belo"), "بلو", 2),
    (("Garba", "Garbah"), None, 2),
    (("Konaté", "Konate", "Konnate"), None, 3),
    (("Dembélé", "Dembele", "Dembelé"), None, 3),
    (("Sangaré", "Sangare", "Sangari"), None, 2),
    (("Doumbia", "Dumbia", "Doumbya"), None, 2),
    (("Sidibé", "Sidibe", "Sidibeh"), None, 2),
    (("Tall", "Tal"), None, 1),
    (("Mahamane", "Mahaman"), None, 2),
    (("Souley", "Souleye"), None, 1),
    (("Oumarou", "Umaru", "Oumaru"), None, 2),
    (("Mounkaila", "Mounkeila"), None, 1),
    (("Tandia", "Tandja"), None, 1),
    (("Bamba", "Bambah"), None, 1),
    (("Guèye", "Gueye", "Gaye"), None, 2),
    (("Soumaré", "Soumare", "Sumareh"), None, 1),
    (("Kourouma", "Kuruma"), None, 1),
    (("Condé", "Conde", "Kondé"), None, 2),
]
HORN_MALE: list[Group] = [
    (("Mohamed", "Mohammed", "Maxamed", "Muhammad"), "محمد", 8),
    (("Tesfaye", "Tesfay", "Tesfai"), None, 3),
    (("Abebe", "Abebé"), None, 2),
    (("Dawit", "Dawitt", "Daweet"), None, 2),
    (("Yonas", "Yoonas", "Jonas"), None, 2),
    (("Yohannes", "Yohanes", "Yohhannes"), None, 2),
    (("Gebremedhin", "Gebre Medhin", "G/Medhin", "Gebremedin"), None, 1),
    (("Berhane", "Berhanu", "Birhanu"), None, 2),
    (("Mulugeta", "Mulugheta"), None, 1),
    (("Girma", "Ghirma"), None, 1),
    (("Abdi", "Cabdi"), "عبدي", 3),
    (("Abdirahman", "Cabdiraxmaan", "Abdurahman"), "عبد الرحمن", 2),
    (("Hassan", "Xasan", "Hasan"), "حسن", 3),
    (("Ahmed", "Axmed", "Ahmad"), "أحمد", 3),
    (("Omar", "Cumar", "Umar"), "عمر", 2),
    (("Osman", "Cismaan", "Usman"), "عثمان", 2),
    (("Yusuf", "Yuusuf", "Yousuf"), "يوسف", 2),
    (("Ismail", "Ismaaciil", "Ismael"), "إسماعيل", 1),
    (("Mahmoud", "Mahmud", "Maxamuud"), "محمود", 2),
    (("Khalid", "Khaled", "Khaalid"), "خالد", 1),
    (("Adem", "Adam", "Aadam"), "آدم", 2),
    (("Ibrahim", "Ibraahim", "Ibrahiim"), "إبراهيم", 2),
    (("Idris", "Idriis", "Edris"), "إدريس", 2),
    (("Kidane", "Kidana"), None, 1),
    (("Habtom", "Habtoum"), None, 1),
    (("Samuel", "Samiel"), None, 1),
]
HORN_FEMALE: list[Group] = [
    (("Fatuma", "Faadumo", "Fatima", "Fatma"), "فاطمة", 5),
    (("Amina", "Aamina", "Ameena"), "أمينة", 3),
    (("Hawa", "Xaawo", "Hawo"), "حواء", 3),
    (("Halima", "Xaliimo", "Halimo"), "حليمة", 2),
    (("Aisha", "Caasha", "Ayesha"), "عائشة", 3),
    (("Maryam", "Maryan", "Mariam"), "مريم", 3),
    (("Zahra", "Sahra", "Zahara"), "زهراء", 2),
    (("Tigist", "Tigest"), None, 2),
    (("Meron", "Meroun"), None, 2),
    (("Almaz", "Almaze"), None, 1),
    (("Selam", "Salam"), "سلام", 1),
    (("Hiwot", "Hiwet"), None, 1),
    (("Saba", "Sabah"), None, 1),
    (("Hodan", "Hodon"), None, 1),
    (("Nasra", "Nasro"), "نصرة", 1),
    (("Amal", "Aamal"), "أمل", 1),
    (("Rahel", "Rachel"), None, 1),
    (("Helen", "Hellen", "Helena"), None, 1),
]
HORN_FAMILY: list[Group] = [
    (("Tesfaye", "Tesfay"), None, 2),
    (("Gebre", "Gebru", "Ghebre"), None, 3),
    (("Haile", "Hayle"), None, 2),
    (("Bekele", "Bekelé"), None, 2),
    (("Alemu", "Alemou"), None, 2),
    (("Kebede", "Kebbede"), None, 2),
    (("Tadesse", "Tadese", "Taddese"), None, 2),
    (("Woldemariam", "Wolde Mariam", "W/Mariam"), None, 1),
    (("Hailemariam", "Haile Mariam", "H/Mariam"), None, 1),
    (("Gebreyesus", "Gebre Yesus", "G/Yesus"), None, 1),
    (("Warsame", "Warsama"), None, 2),
    (("Farah", "Faarax", "Farax"), "فرح", 3),
    (("Hirsi", "Xirsi"), None, 2),
    (("Ali", "Cali", "Aly"), "علي", 3),
    (("Hussein", "Xuseen", "Husein"), "حسين", 2),
    (("Jama", "Jaamac"), "جامع", 2),
    (("Osman", "Cismaan", "Othman"), "عثمان", 2),
    (("Idris", "Idriis", "Edris"), "إدريس", 2),
    (("Adam", "Aadan", "Adem"), "آدم", 2),
    (("Mengistu", "Mengestu"), None, 1),
    (("Tesfamariam", "Tesfa Mariam"), None, 1),
    (("Kidane", "Kidana"), None, 1),
    (("Abdullahi", "Cabdullaahi", "Abdulahi"), "عبد الله", 2),
    (("Yusuf", "Yuusuf"), "يوسف", 1),
    (("Ahmed", "Axmed"), "أحمد", 2),
    (("Ibrahim", "Ibraahim"), "إبراهيم", 1),
    (("Omer", "Omar", "Cumar"), "عمر", 1),
]

WEST_NATIONALITIES = ("NE", "ML", "BF", "SN", "GN", "NG", "CI", "GM", "MR", "TD")
HORN_NATIONALITIES = ("ET", "ER", "SO", "SD", "DJ")
ARABIC_WRITERS = {"MR", "TD", "SD", "DJ", "SO", "NE"}
CENTRES = {
    "NE": ("ne_agadez", "ne_arlit", "ne_niamey", "ne_dirkou"),
    "ML": ("ml_gao", "ml_bamako", "ml_kayes"),
    "BF": ("bf_ouagadougou", "bf_bobo"),
    "MR": ("mr_nouakchott",),
    "ET": ("et_metema", "et_semera", "et_dire_dawa", "et_moyale"),
    "DJ": ("dj_obock",),
}
PHONE = {"NE": ("227", 8), "ML": ("223", 8), "BF": ("226", 8), "MR": ("222", 8), "ET": ("251", 9), "DJ": ("253", 8)}
START = date(2024, 1, 1)


@dataclass(frozen=True)
class Synthetic:
    record: PersonRecord
    identity: int
    groups: frozenset[str]  # ids of the name groups (given and family) this registration was drawn from
    arabic: bool = False
    changes: tuple[str, ...] = ()  # what a duplicate changed (empty for an original)


@dataclass
class Population:
    records: list[Synthetic] = field(default_factory=list)

    @property
    def people(self) -> int:
        return len({r.identity for r in self.records})

    def true_pairs(self, *, consenting_only: bool = True) -> set[frozenset[str]]:
        by_identity: dict[int, list[str]] = {}
        for r in self.records:
            if consenting_only and not r.record.consent_matching:
                continue
            by_identity.setdefault(r.identity, []).append(r.record.id)
        pairs: set[frozenset[str]] = set()
        for ids in by_identity.values():
            for i in range(len(ids)):
                for j in range(i + 1, len(ids)):
                    pairs.add(frozenset((ids[i], ids[j])))
        return pairs


def _pick(rng: random.Random, groups: list[Group]) -> int:
    return rng.choices(range(len(groups)), weights=[g[2] for g in groups])[0]


def _spelling(rng: random.Random, group: Group, avoid: str | None = None) -> str:
    spellings = [s for s in group[0] if s != avoid] or list(group[0])
    weights = [3.0 if i == 0 else 1.0 for i, s in enumerate(spellings)]
    return rng.choices(spellings, weights=weights)[0]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("substitute", "delete", "swap", "double"))
    if kind == "substitute":
        return word[:i] + rng.choice("aeioumnrstl") + word[i + 1:]
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


def _document(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVZ"
    if rng.random() < 0.5:
        return "".join(rng.choice(letters) for _ in range(2)) + "".join(rng.choice("0123456789") for _ in range(7))
    return "".join(rng.choice("0123456789") for _ in range(9))


def _retype_document(rng: random.Random, number: str) -> tuple[str, str]:
    kind = rng.choice(("spacing", "lookalike", "substitute", "swap"))
    if kind == "spacing":
        return " ".join((number[:2], number[2:5], number[5:])) if rng.random() < 0.5 else "-".join(
            (number[:4], number[4:])), "document spacing"
    if kind == "lookalike":
        table = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
        spots = [i for i, ch in enumerate(number) if ch in table]
        if spots:
            i = rng.choice(spots)
            return number[:i] + table[number[i]] + number[i + 1:], "document O/0"
        return number.lower(), "document case"
    i = rng.randrange(2, len(number) - 1)
    if kind == "substitute":
        digit = rng.choice([d for d in "0123456789" if d != number[i]])
        return number[:i] + digit + number[i + 1:], "document typo"
    return number[:i] + number[i + 1] + number[i] + number[i + 2:], "document swap"


def _phone(rng: random.Random, country: str) -> tuple[str, str]:
    code, length = PHONE.get(country, ("227", 8))
    national = rng.choice("79") + "".join(rng.choice("0123456789") for _ in range(length - 1))
    return code, national


def generate(people: int = 10_000, *, seed: int = 20261201, duplicate_rate: float = 0.15) -> Population:
    """`people` identities, about `duplicate_rate` of them registered more than once."""
    rng = random.Random(seed)
    population = Population()
    serial = 0
    for identity in range(people):
        horn = rng.random() < 0.3
        female = rng.random() < 0.4
        given_list = (HORN_FEMALE if female else HORN_MALE) if horn else (WEST_FEMALE if female else WEST_MALE)
        family_list = HORN_FAMILY if horn else WEST_FAMILY
        nationality = rng.choice(HORN_NATIONALITIES if horn else WEST_NATIONALITIES)
        centre_country = rng.choice(("ET", "DJ")) if horn else rng.choice(("NE", "NE", "ML", "BF", "MR"))
        given_ids = [_pick(rng, given_list)]
        if rng.random() < 0.15:
            given_ids.append(_pick(rng, given_list))
        family_id = _pick(rng, family_list)
        prefix = ("hf" if female else "hm") if horn else ("wf" if female else "wm")
        groups = frozenset([f"{prefix}{g}" for g in given_ids] + [f"{'h' if horn else 'w'}fam{family_id}"])
        registered = START + timedelta(days=rng.randrange(0, 540))
        age = int(min(75, max(1, rng.gauss(27, 9))))
        born = registered - timedelta(days=365 * age + rng.randrange(0, 365))
        has_dob = rng.random() < 0.4
        document = _document(rng) if rng.random() < 0.5 else None
        phone = _phone(rng, centre_country) if rng.random() < 0.35 else None
        names = {
            "given": [_spelling(rng, given_list[g]) for g in given_ids],
            "family": _spelling(rng, family_list[family_id]),
        }
        base = PersonRecord(
            id=f"r{serial:07d}", given_name=" ".join(names["given"]), family_name=names["family"],
            sex="female" if female else "male", date_of_birth=born if has_dob else None,
            age_years=None if has_dob else age, age_on=registered, nationality=nationality,
            document_number=document, document_type="passport" if document else None,
            phone=("+" + phone[0] + phone[1]) if phone else None, country=centre_country,
            centre=rng.choice(CENTRES[centre_country]), status="finalized", consent_matching=rng.random() < 0.92,
        )
        serial += 1
        arabic_writer = nationality in ARABIC_WRITERS and rng.random() < 0.1
        if arabic_writer:
            base = _in_arabic(base, given_list, given_ids, family_list, family_id)
        population.records.append(Synthetic(base, identity, groups, arabic=arabic_writer))
        if rng.random() >= duplicate_rate:
            continue
        for _ in range(2 if rng.random() < 0.1 else 1):
            dup, changes = _duplicate(rng, base, given_list, given_ids, family_list, family_id, born, has_dob)
            dup = replace(dup, id=f"r{serial:07d}")
            serial += 1
            population.records.append(Synthetic(dup, identity, groups, arabic="arabic script" in changes,
                                                changes=tuple(changes)))
    return population


def _in_arabic(record: PersonRecord, given_list: list[Group], given_ids: list[int], family_list: list[Group],
               family_id: int) -> PersonRecord:
    given = " ".join(given_list[g][1] or given_list[g][0][0] for g in given_ids)
    family = family_list[family_id][1] or record.family_name
    return replace(record, given_name=given, family_name=family)


def _duplicate(rng: random.Random, base: PersonRecord, given_list: list[Group], given_ids: list[int],
               family_list: list[Group], family_id: int, born: date, has_dob: bool) -> tuple[PersonRecord, list[str]]:
    later = (base.age_on or START) + timedelta(days=rng.randrange(20, 400))
    changes: list[str] = []
    given = " ".join(_spelling(rng, given_list[g]) for g in given_ids)
    family = _spelling(rng, family_list[family_id])
    if given != base.given_name or family != base.family_name:
        changes.append("spelling")
    record = replace(base, given_name=given, family_name=family, age_on=later,
                     centre=rng.choice(CENTRES[base.country or "NE"]),
                     consent_matching=rng.random() < 0.92)
    if rng.random() < 0.2 and any(given_list[g][1] for g in given_ids):
        record = _in_arabic(record, given_list, given_ids, family_list, family_id)
        changes.append("arabic script")
    if rng.random() < 0.25:
        record = replace(record, given_name=record.family_name, family_name=record.given_name)
        changes.append("swapped")
    if rng.random() < 0.25 and "arabic script" not in changes:
        words = (record.family_name or "").split()
        if words:
            k = rng.randrange(len(words))
            words[k] = _typo(rng, words[k])
            record = replace(record, family_name=" ".join(words))
            changes.append("name typo")
    if has_dob and rng.random() < 0.5:
        age = (later - born).days // 365 + rng.choice((-1, 0, 0, 0, 1))
        record = replace(record, date_of_birth=None, age_years=max(0, age))
        changes.append("age instead of date of birth")
    elif not has_dob:
        age = (later - born).days // 365 + rng.choice((-2, -1, 0, 0, 0, 1, 2))
        record = replace(record, age_years=max(0, age))
    if record.document_number:
        roll = rng.random()
        if roll < 0.4:
            number, change = _retype_document(rng, record.document_number)
            record = replace(record, document_number=number)
            changes.append(change)
        elif roll < 0.6:
            record = replace(record, document_number=None, document_type=None)
            changes.append("document missing")
    if record.phone and rng.random() < 0.5:
        code = record.phone[1:4]
        national = record.phone[4:]
        record = replace(record, phone=" ".join(national[i:i + 2] for i in range(0, len(national), 2)))
        changes.append("phone national" if code else "phone")
    return record, changes


_LISTS = {"wm": WEST_MALE, "wf": WEST_FEMALE, "wfam": WEST_FAMILY, "hm": HORN_MALE, "hf": HORN_FEMALE,
          "hfam": HORN_FAMILY}


def group_spellings(group_id: str) -> list[str]:
    """Every spelling of a name group (Latin, and Arabic script when the name has one)."""
    prefix = group_id.rstrip("0123456789")
    spellings, arabic, _ = _LISTS[prefix][int(group_id[len(prefix):])]
    return list(spellings) + ([arabic] if arabic else [])
