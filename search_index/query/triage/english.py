"""Which of a few target words a typed word is probably a misspelling of.

Triage must see 'sucide', 'numbnes' and 'speach' as the words the rules are written in,
without the search index (it still works when the index is down) and without taking real
words for others: 'cooking' is one letter from 'choking'. So a typed word stands for a
target only when it is close (one edit from five letters, two from eight; a swap of two
letters is one edit) and either unknown in English or far rarer there than the target
('overdoes' for 'overdose'). English frequencies come from query/everyday.py.
"""
from collections.abc import Iterable

from search_index.backends.edit_distance import within
from search_index.query.everyday import english, frequency

# A real word stands for a target only when the target is this many times commoner: the
# typo 'overdoes' (84 in the list) for 'overdose' (2,920), never 'breeding' (7,153) for
# 'bleeding' (33,531).
RARER = 30
# A word this common in English was typed as meant: most words of a long question are, and
# passing them over without measuring their distance to anything halved triage's time on
# MedQuAD's dev questions. (The rarest such word would need a target of 600,000.)
COMMON = 20_000
# Targets shorter than this are never meant: a typed word needs five letters to be read as a
# misspelling at all, and one edit from five letters reaches no shorter target.
MIN_TARGET = 4


def is_english(word: str) -> bool:
    """True when the word is in the English word list."""
    return frequency(word) > 0


def max_edits(word: str, known: bool) -> int:
    """How many edits a word of this length may carry and still be recognised: more for a
    word English does not know ('tounge' is two from 'tongue')."""
    if len(word) < 5:
        return 0
    return 1 if len(word) < (8 if known else 6) else 2


class SpellingTargets:
    """Target words grouped by first letter (misspellings rarely change the first letter)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.by_initial: dict[str, list[str]] = {}
        for word in sorted(set(words)):
            if word.isalpha() and len(word) >= MIN_TARGET:
                self.by_initial.setdefault(word[0], []).append(word)

    def likely_meant(self, word: str) -> list[str]:
        """The targets the word is probably a misspelling of; empty for most words."""
        choices = self.by_initial.get(word[:1])
        if len(word) < 5 or not choices or not word.isalpha():
            return []
        typed = frequency(word)
        if typed >= COMMON:
            return []
        limit = max_edits(word, known=typed > 0)
        return [
            target
            for target, _edits in within(word, choices, limit, limit=8)
            if typed == 0 or typed * RARER < english()[target]
        ]
