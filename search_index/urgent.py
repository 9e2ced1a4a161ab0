"""Urgent-care rules: spot queries that describe an emergency and say what to do first.

A rule's pattern line matches when every word slot matches some query word (slots separate on
spaces, alternatives inside a slot on '|'), comparing stemmed words so 'drooping' matches
'droop'. A query word preceded within three words by a negation ('no slurred speech',
'not sudden', 'without chest pain') cannot satisfy a slot; the negation's reach stops at
punctuation and at words like 'but', so 'no fever but sudden weakness' still counts.
"""
import re
from dataclasses import dataclass

from .analysis import stem, vocabulary_analyzer
from .models import UrgentCareRule
from .rechecked import Rechecked, rows_version
from .results import UrgentMessage

NEGATION_REACH = 3
# "can't" and "couldn't" are left out on purpose: "can't speak" is a symptom, not a denial.
NEGATIONS = frozenset(
    """no not without never none nor neither don't dont doesn't doesnt didn't didnt
    isn't isnt aren't arent wasn't wasnt haven't havent hasn't hasnt hadn't denies deny
    denied""".split()
)
SCOPE_BREAKS = frozenset("but however though although yet except apart".split())
# "no feeling", "no control": here the negation describes the symptom itself.
LOST_FUNCTIONS = frozenset("feeling sensation control strength movement grip".split())
CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]]+")
LEVEL_ORDER = {UrgentCareRule.Level.EMERGENCY: 0, UrgentCareRule.Level.URGENT: 1}

_words = vocabulary_analyzer()


def affirmed_stems(text: str) -> set[str]:
    """Stems of the query's words that no nearby negation cancels."""
    stems: set[str] = set()
    for clause in CLAUSE_BREAK.split(text):
        words = _words.terms(clause.replace("\u2019", "'"))
        since_negation = NEGATION_REACH + 1
        for i, word in enumerate(words):
            following = words[i + 1] if i + 1 < len(words) else ""
            if word in NEGATIONS and following not in LOST_FUNCTIONS:
                since_negation = 0
                continue
            if word in SCOPE_BREAKS:
                since_negation = NEGATION_REACH + 1
            since_negation += 1
            if since_negation > NEGATION_REACH:
                stems.add(stem(word))
    return stems


@dataclass(frozen=True)
class CompiledRule:
    """A rule's patterns as sets of stemmed alternatives, one set per word slot."""

    name: str
    level: str
    message: str
    patterns: tuple[tuple[frozenset[str], ...], ...]

    def matches(self, stems: set[str]) -> bool:
        return any(
            all(slot & stems for slot in pattern) for pattern in self.patterns if pattern
        )


def compile_pattern(line: str) -> tuple[frozenset[str], ...]:
    """'sudden numb|numbness' -> ({'sudden'}, {'numb'}), stemmed like query words."""
    slots = []
    for slot in line.lower().split():
        alternatives = frozenset(
            stem(t.text) for part in slot.split("|") for t in _words(part)
        )
        if alternatives:
            slots.append(alternatives)
    return tuple(slots)


def compile_rule(rule: UrgentCareRule) -> CompiledRule:
    patterns = tuple(compile_pattern(line) for line in rule.pattern_list())
    return CompiledRule(rule.name, rule.level, rule.message, patterns)


def _rules_fingerprint() -> tuple:
    return rows_version(UrgentCareRule)


def _compile_rules(_fingerprint: object) -> list[CompiledRule]:
    rules = [compile_rule(r) for r in UrgentCareRule.objects.filter(active=True)]
    rules.sort(key=lambda r: (LEVEL_ORDER.get(r.level, 9), r.name))
    return rules


# Reading the rule table's fingerprint is a query, a third of a cached search's time, so a
# process checks it at most every 2 s (at once after a rule is saved in it).
_rules = Rechecked("urgent-rules", _rules_fingerprint, _compile_rules, 2.0, [UrgentCareRule])


def urgent_care_rules() -> list[CompiledRule]:
    """Active rules, most severe first; re-read only when the rule table has changed."""
    return _rules.get()


def urgent_message(text: str) -> UrgentMessage | None:
    """The banner for the most severe rule the query matches, or None."""
    if not text:
        return None
    stems = affirmed_stems(text)
    for rule in urgent_care_rules():
        if rule.matches(stems):
            return UrgentMessage(rule.level, rule.message)
    return None
