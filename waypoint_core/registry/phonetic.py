"""The phonetic key of one name word: its consonant skeleton, tuned to West African and Horn of Africa names.

The same name reaches a register through French (Ousmane, Aïcha, Abdoulaye), English (Usman, Aisha,
Abdullahi), Somali (Cismaan, Caasha, Maxamed) or Arabic script (عثمان, عائشة, محمد). These spellings agree on
the consonants and disagree on almost everything else, so the key keeps consonants only, in classes:

| class | letters (after `arabic.romanise` for Arabic script) |
|---|---|
| B | b, p |
| F | f, v, ph |
| T | t, d, dh (Somali retroflex d, Arabic ذ) — final d/t alternate (Mohamed / Mahamat) |
| S | s, z, c before e/i/y, th (Arabic ث: Ousmane, Usman, Othman), ts/tz (Ethiopian ጸ: Tsegaye / Segaye) |
| X | sh, ch, sch (French ch = English sh: Aïcha / Aisha; Chérif / Sharif) |
| J | j, dj, g, gh, tch, and di/dy before a vowel (Diallo / Jallow / ديالو, Ndiaye / Njie, Kadidia / Khadija) |
|   | g and j share a class because Egyptian and Sudanese spellings write ج as g (Gamal / Jamal) |
| K | k, q, c elsewhere, kh, ck |
| L, R, M, N | themselves |

Vowels, semivowels (w, y, and ou/i before a vowel), h, ayn and hamza are dropped: Hawa is Awa, Hassan is
Assane (Wolof), Maryam is Mariam. Only a w (or ou before a vowel) that starts a word is kept, as W:
Ouattara = Wattara = واتارا, and none of them is Touré. A doubled consonant counts once (Mohammed = Mohamed),
but two equal consonants with a vowel or h between them both count (محمد → M M T, like Mohamed).

Two rules need the word: in Somali orthography (recognised by a doubled vowel or an x after a vowel or
starting a word anywhere in the name, or told by the caller from the person's nationality) c is ayn and
x is h (Cabdi = Abdi, Maxamed = Mohamed; `names` keeps the French/English reading as a second key); and in
a word that starts with abd, the article's l before a sun letter (t, s, sh, r, n) is dropped, as it is
assimilated in speech (Abdulrahman = Abdourahmane = Abderrahmane = عبد الرحمن).

A word with no consonant left (Awa, Aoua, حواء) has the empty skeleton: `names` gives it the key "_".

Known confusions, by design: names with the same consonants share a key (Mohamed, Mamadou and Mahmoud are
MMT; Boureima and Ibrahim are BRM; Haile and Ali are L). The key only finds candidates: the similarity
(`names.name_similarity`) compares the letters too, and the other fields decide.
"""

from __future__ import annotations

import re

VOWELS = frozenset("aeiouyw")
_SOMALI_MARK = re.compile(r"aa|ii|uu|oo|ee|[aeiou]x|^x[aeiou]")
_SUN = frozenset("TSXRN")


def looks_somali(folded_name: str) -> bool:
    """Somali orthography: long vowels written double, or x (= h) after a vowel or starting a word."""
    return _SOMALI_MARK.search(folded_name) is not None


def skeleton(word: str, *, somali: bool = False) -> str:
    """The consonant-class skeleton of one folded Latin word ('mohammed' → 'MMT')."""
    stream: list[str] = []
    i, n = 0, len(word)
    while i < n:
        c = word[i]
        nxt = word[i + 1] if i + 1 < n else ""
        nxt2 = word[i + 2] if i + 2 < n else ""
        step, cls = 1, "V"
        if i == 0 and (c == "w" or (word.startswith("ou", 0) and nxt2 in "aeiy" and nxt2)):
            cls, step = "W", (1 if c == "w" else 2)  # a word-initial w is kept: Ouattara / Wattara ≠ Touré
        elif c in VOWELS or c == "h":
            cls = "V"
        elif word.startswith("tch", i) or word.startswith("sch", i):
            cls, step = ("J" if c == "t" else "X"), 3
        elif c in "sc" and nxt == "h":
            cls, step = "X", 2
        elif c == "d" and nxt == "j":
            cls, step = "J", 2
        elif c == "d" and nxt == "h":
            cls, step = "T", 2
        elif c == "d" and nxt in "iy" and nxt2 in "aeou" and nxt and nxt2:
            cls, step = "J", 2
        elif c == "t" and nxt == "h":
            cls, step = "S", 2
        elif c == "t" and nxt in "sz" and nxt:
            cls, step = "S", 2
        elif c == "p" and nxt == "h":
            cls, step = "F", 2
        elif c == "c":
            if somali:
                cls = "V"
            elif nxt in "eiy" and nxt:
                cls = "S"
            else:
                cls = "K"
        elif c == "x":
            if somali:
                cls = "V"
            else:
                stream.extend(("K", "S"))
                i += 1
                continue
        else:
            cls = _LETTER.get(c, "")
            if not cls:  # digits, letters of other scripts: ignored by the key
                i += 1
                continue
        stream.append(cls)
        i += step
    out: list[str] = []
    previous = ""
    for cls in stream:
        if cls != "V" and cls != previous:
            out.append(cls)
        previous = cls
    key = "".join(out)
    if word.startswith("abd") and len(key) > 3 and key.startswith("BTL") and key[3] in _SUN:
        key = "BT" + key[3:]
    return key


_LETTER = {
    "b": "B", "p": "B", "f": "F", "v": "F", "t": "T", "d": "T", "s": "S", "z": "S", "j": "J", "g": "J",
    "k": "K", "q": "K", "l": "L", "r": "R", "m": "M", "n": "N",
}

_SIMPLE_RULES = (
    ("tch", "ch"), ("sch", "sh"), ("ch", "sh"), ("dj", "j"), ("ph", "f"), ("ou", "u"), ("kh", "k"),
    ("q", "k"), ("y", "i"), ("w", "u"), ("z", "s"), ("ee", "i"), ("oo", "u"),
)


def simple(word: str) -> str:
    """A spelling-normalised form for comparing two Latin spellings letter by letter (vowels kept):
    French and English digraphs unified, doubled letters single, h dropped outside digraphs."""
    for old, new in _SIMPLE_RULES:
        word = word.replace(old, new)
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch == "h" and (i == 0 or word[i - 1] not in "sc"):
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)
