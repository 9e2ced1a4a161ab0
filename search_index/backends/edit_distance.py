"""Edit distances measured in C, for every engine and for triage: optimal string alignment,
where a swap of two letters is one edit (Whoosh's damerau_levenshtein distance)."""
from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA


def within(word: str, choices: Sequence[str], max_edits: int,
           limit: int | None = None) -> list[tuple[str, int]]:
    """(choice, edits) of the choices at most max_edits from word, closest first."""
    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=max_edits,
                            limit=limit)
    return [(choice, int(distance)) for choice, distance, _position in found]


def edits(a: str, b: str) -> int:
    """The number of edits between two words (a swap of neighbours counts one)."""
    return int(OSA.distance(a, b))
