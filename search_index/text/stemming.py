"""The English Snowball ("Porter2") stemmer, in plain Python, as the index has always used it.

Every term in the index went through this algorithm in the form Whoosh ships (a port of the
2006 description: https://snowballstem.org/algorithms/english/stemmer.html). Newer Snowball
releases (the `snowballstemmer` and `PyStemmer` packages) stem 86 of MedQuAD's 54,602
distinct words differently ("neurologist", "emergency", "added"), so they would change
index terms and ranks. This module keeps the old results without importing an engine;
tests/search_index/backends/whoosh/test_text_oracle.py checks it against Whoosh's stemmer.

The regions R1 and R2 are kept as strings and cut with the word, as that form does,
including its two quirks: an R2 shorter than a replaced suffix becomes "" (or "e" after
"-ate" and "-ive" in step 2), and step 1b's "-e" joins R2 only for words past five letters
or with an R1 of three letters or more.

>>> [stem(w) for w in ("numbness", "tingling", "paresthesias", "generously", "skies")]
['numb', 'tingl', 'paresthesia', 'generous', 'sky']
"""
VOWELS = frozenset("aeiouy")
DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
LI_ENDINGS = frozenset("cdeghkmnrt")
# R1 starts after these prefixes, not after the first non-vowel following a vowel.
LONG_PREFIXES = {"gener": 5, "arsen": 5, "commun": 6}

# Words stemmed as a whole, before any step.
EXCEPTIONS = {
    "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
    "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
    "singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
    "cosmos": "cosmos", "bias": "bias", "andes": "andes",
    **{w: w for w in ("inning", "outing", "canning", "herring", "earring")},
    **{w + "s": w for w in ("inning", "outing", "canning", "herring", "earring")},
    **{w + end: w for w in ("proceed", "exceed", "succeed") for end in ("", "s", "ed", "ing")},
}

# Step 2: (suffix, letters to remove, letters to add, R2 when shorter than the removal).
# The first suffix the word ends with is the only one tried; it applies when R1 ends with it.
STEP2 = (
    ("ization", 7, "ize", ""), ("ational", 7, "ate", "e"), ("fulness", 4, "", ""),
    ("ousness", 7, "ous", ""), ("iveness", 7, "ive", "e"), ("tional", 2, "", ""),
    ("biliti", 6, "ble", ""), ("lessli", 2, "", ""), ("entli", 2, "", ""),
    ("ation", 5, "ate", "e"), ("alism", 5, "al", ""), ("aliti", 5, "al", ""),
    ("ousli", 5, "ous", ""), ("iviti", 5, "ive", "e"), ("fulli", 2, "", ""),
    ("enci", 1, "e", ""), ("anci", 1, "e", ""), ("abli", 1, "e", ""), ("izer", 4, "ize", ""),
    ("ator", 4, "ate", "e"), ("alli", 4, "al", ""), ("bli", 3, "ble", ""),
    ("ogi", 1, "", ""), ("li", 2, "", ""),
)
# Step 3, likewise; "ative" needs R2 to end with it too.
STEP3 = (
    ("ational", 7, "ate"), ("tional", 2, ""), ("alize", 3, ""), ("icate", 5, "ic"),
    ("iciti", 5, "ic"), ("ative", 5, ""), ("ical", 4, "ic"), ("ness", 4, ""), ("ful", 3, ""),
)
# Step 4: removed when R2 ends with them ("ion" only after "s" or "t").
STEP4 = (
    "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous",
    "ive", "ize", "ion", "al", "er", "ic",
)


class _Word:
    """A word being stemmed, with its regions R1 and R2 as strings."""

    def __init__(self, text: str) -> None:
        self.text = text
        start = next((n for p, n in LONG_PREFIXES.items() if text.startswith(p)), None)
        self.r1 = text[start:] if start is not None else _after_syllable(text)
        self.r2 = _after_syllable(self.r1)

    def cut(self, count: int) -> None:
        """Remove the last `count` letters from the word and its regions."""
        self.text, self.r1, self.r2 = (s[:-count] for s in (self.text, self.r1, self.r2))

    def replace(self, count: int, added: str, short_r2: str = "") -> None:
        """Replace the last `count` letters; a region shorter than that becomes "" (R2:
        `short_r2`)."""
        self.text = self.text[:-count] + added
        self.r1 = self.r1[:-count] + added if len(self.r1) >= count else ""
        self.r2 = self.r2[:-count] + added if len(self.r2) >= count else short_r2


def _after_syllable(text: str) -> str:
    """What follows the first non-vowel that follows a vowel ("" when there is none)."""
    for n in range(1, len(text)):
        if text[n] not in VOWELS and text[n - 1] in VOWELS:
            return text[n + 1 :]
    return ""


def _has_vowel(text: str) -> bool:
    return any(letter in VOWELS for letter in text)


def _is_short_syllable_end(text: str) -> bool:
    """Ends non-vowel, vowel, non-vowel other than w, x or Y; or is vowel, non-vowel."""
    if len(text) >= 3:
        return (text[-1] not in VOWELS and text[-1] not in "wxY" and text[-2] in VOWELS
                and text[-3] not in VOWELS)
    return len(text) == 2 and text[0] in VOWELS and text[1] not in VOWELS


def _mark_consonant_ys(text: str) -> str:
    """A "y" at the start or after a vowel is a consonant: written "Y" until the end."""
    if text.startswith("y"):
        text = "Y" + text[1:]
    letters = list(text)
    for n in range(1, len(letters)):
        if letters[n] == "y" and letters[n - 1] in VOWELS:
            letters[n] = "Y"
    return "".join(letters)


def stem(word: str) -> str:
    """The Snowball English stem of a word."""
    word = word.lower()
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    word = word.replace("\u2019", "'").replace("\u2018", "'").replace("\u201b", "'")
    if word.startswith("'"):
        word = word[1:]
    w = _Word(_mark_consonant_ys(word))
    for step in (_step0, _step1a, _step1b, _step1c, _step2, _step3, _step4, _step5):
        step(w)
    return w.text.replace("Y", "y")


def _step0(w: _Word) -> None:
    for suffix in ("'s'", "'s", "'"):
        if w.text.endswith(suffix):
            w.cut(len(suffix))
            return


def _step1a(w: _Word) -> None:
    text = w.text
    if text.endswith("sses"):
        w.cut(2)
    elif text.endswith(("ied", "ies")):
        w.cut(2 if len(text) > 4 else 1)
    elif text.endswith(("us", "ss")):
        return
    elif text.endswith("s") and _has_vowel(text[:-2]):
        w.cut(1)


def _step1b(w: _Word) -> None:
    for suffix in ("eedly", "ingly", "edly", "eed", "ing", "ed"):
        if w.text.endswith(suffix):
            break
    else:
        return
    if suffix in ("eed", "eedly"):
        if w.r1.endswith(suffix):
            w.replace(len(suffix), "ee")
        return
    if not _has_vowel(w.text[: -len(suffix)]):
        return
    w.cut(len(suffix))
    if w.text.endswith(("at", "bl", "iz")):
        w.text += "e"
        w.r1 += "e"
        if len(w.text) > 5 or len(w.r1) >= 3:
            w.r2 += "e"
    elif w.text.endswith(DOUBLES):
        w.cut(1)
    elif w.r1 == "" and _is_short_syllable_end(w.text):
        w.text += "e"
        w.r1 = w.r1 + "e" if w.r1 else ""
        w.r2 = w.r2 + "e" if w.r2 else ""


def _step1c(w: _Word) -> None:
    text = w.text
    if len(text) > 2 and text[-1] in "yY" and text[-2] not in VOWELS:
        w.replace(1, "i")


def _first_ending(text: str, rules: tuple) -> tuple | None:
    """The first rule whose suffix (its first item) the text ends with: the only one tried."""
    return next((rule for rule in rules if text.endswith(rule[0])), None)


def _step2(w: _Word) -> None:
    rule = _first_ending(w.text, STEP2)
    if rule is None:
        return
    suffix, count, added, short_r2 = rule
    if not w.r1.endswith(suffix):
        return
    if suffix == "ogi" and w.text[-4] != "l":
        return
    if suffix == "li" and w.text[-3] not in LI_ENDINGS:
        return
    if added:
        w.replace(count, added, short_r2)
    else:
        w.cut(count)


def _step3(w: _Word) -> None:
    rule = _first_ending(w.text, STEP3)
    if rule is None:
        return
    suffix, count, added = rule
    if not w.r1.endswith(suffix):
        return
    if suffix == "ative" and not w.r2.endswith(suffix):
        return
    if added:
        w.replace(count, added)
    else:
        w.cut(count)


def _step4(w: _Word) -> None:
    for suffix in STEP4:
        if w.text.endswith(suffix):
            break
    else:
        return
    if not w.r2.endswith(suffix):
        return
    if suffix == "ion":
        if w.text[-4] in "st":
            w.cut(3)
    else:
        w.cut(len(suffix))


def _step5(w: _Word) -> None:
    text = w.text
    if w.r2.endswith("l") and text[-2] == "l":
        w.text = text[:-1]
    elif w.r2.endswith("e"):
        w.text = text[:-1]
    elif w.r1.endswith("e") and len(text) >= 4 and (
        text[-2] in VOWELS or text[-2] in "wxY" or text[-3] not in VOWELS
        or text[-4] in VOWELS
    ):
        w.text = text[:-1]
