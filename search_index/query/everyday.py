"""How common a word is in English: an everyday word ("odd", "mixed", "today") typed in a
question is meant as itself, not as the name of a topic or a drug.

Frequencies come from pyspellchecker's word list (160,000 words, about 15 MB), loaded once
per process before the workers fork; triage reads the same list for misspellings.
"""
from functools import cache, lru_cache

from spellchecker import SpellChecker
from spellchecker.spellchecker import WordFrequency

# A word this common in English is an everyday word before it is a name: "odd" (38,275) or
# "mixed" typed in a question names no topic; "ed" (5,827) and "cant" (9,394) are over it,
# "lou" (1,098), "ms" (50) and "tylenol" (81) under.
EVERYDAY = 5_000


@cache
def english() -> WordFrequency:
    """English word frequencies (pyspellchecker's list), loaded once."""
    return SpellChecker(language="en", distance=1).word_frequency


def frequency(word: str) -> int:
    """How common the word is in English; a contraction typed without its apostrophe
    ('couldnt', 'didnt') counts as the contraction."""
    found = english()[word]
    if not found and word.endswith("nt") and len(word) > 3:
        found = english()[f"{word[:-1]}'t"]
    return found


@lru_cache(maxsize=2**16)
def is_everyday(word: str) -> bool:
    """True for a lower-cased word common enough in English to be meant as itself.

    Remembered: every word of every query is asked about, and the list's lookup (about
    4 us) was a fifth of a long question's plan.
    """
    return frequency(word) >= EVERYDAY
