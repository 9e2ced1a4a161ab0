"""Red-flag triage: spot queries that say someone may be in danger, and say where to get help.

Each active UrgentCareRule has patterns: lines of word slots separated by spaces, with
alternatives for one slot separated by '|' ('sudden numb|numbness one|side'). A query is
read once into words, each with the stems it can stand for:

- its own stem, so 'drooping' matches 'droop';
- the rule words it is a likely misspelling of ('numbnes' -> 'numbness', 'sucide' ->
  'suicide'): one edit for words of five letters or more, two from eight, and only when the
  typed word is unknown in English or far rarer than the rule word (spelling_guard.py), so
  'cooking' never stands for 'choking';
- the terms of a glossary phrase it starts ('OD' -> 'overdose' when editors say so).

A pattern matches when each slot is filled by a word, all of them within a few words of each
other, in any order. A word within three words after a negation ('no chest pain', 'not
sudden') fills no slot, unless the pattern itself names the negation ('not breathing',
"can't breathe"). A rule fires when one of its patterns matches and none of its 'unless'
patterns does ('stroke prevention diet'). The reader's own words are read, and the words as
the spelling step corrected them, so a misspelling the rules do not foresee cannot hide a
red flag either. Rules of the most serious kind win: crisis, poison, emergency, urgent.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass

from search_index.caching.rechecked import Rechecked, rows_version
from search_index.models import UrgentCareRule
from search_index.query.glossary import Glossary, glossary
from search_index.query.triage.contacts import contacts_for
from search_index.query.triage.english import SpellingTargets, english, is_english
from search_index.results import UrgentMessage
from search_index.text.analysis import medical_analyzer, stem, vocabulary_analyzer

Kind = UrgentCareRule.Kind
KIND_ORDER = {Kind.CRISIS: 0, Kind.POISON: 1, Kind.EMERGENCY: 2, Kind.URGENT: 3}

NEGATION_REACH = 3
# "can't" and "couldn't" are left out on purpose: "can't speak" is a symptom, not a denial.
NEGATIONS = frozenset(
    """no not without never none nor neither don't dont doesn't doesnt didn't didnt
    isn't isnt aren't arent wasn't wasnt haven't havent hasn't hasnt hadn't denies deny
    denied""".split()
)
SCOPE_BREAKS = frozenset("but however though although yet except apart".split())
# "no feeling", "no control", "no pulse": here the negation describes the symptom itself.
LOST_FUNCTIONS = frozenset(
    "feeling sensation control strength movement grip pulse heartbeat response".split()
)
NEGATION_STEMS = frozenset(stem(word) for word in NEGATIONS)
CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]]+")
# How far apart a pattern's words may be: its number of slots plus this many other words
# ("my son swallowed one of the batteries from the remote" still pairs swallowed/batteries).
WINDOW_SLACK = 7
EXACT = "="  # marks a word matched as typed, not stemmed ('"swallowed"' is not 'swallow')
MAX_WORDS = 60  # a pasted letter is read up to here; red flags come early in what people type

_words = vocabulary_analyzer()
_prose = medical_analyzer()


@dataclass
class Reading:
    """A query as triage sees it: per word position, the stems it can stand for."""

    affirmed: dict[str, list[int]]  # stem -> positions where no negation cancels it
    every: dict[str, list[int]]  # stem -> positions, negated words included

    def add(self, word_stems: Iterable[str], position: int, affirmed: bool) -> None:
        for word_stem in word_stems:
            self.every.setdefault(word_stem, []).append(position)
            if affirmed:
                self.affirmed.setdefault(word_stem, []).append(position)


def read(text: str, rule_words: "RuleWords", lay: Glossary | None) -> Reading:
    """Every word's stems, likely meanings and glossary terms, with its position."""
    reading = Reading({}, {})
    position = 0
    for clause in CLAUSE_BREAK.split(text.replace("\u2019", "'")):
        words = _words.terms(clause)[: max(0, MAX_WORDS - position)]
        since_negation = NEGATION_REACH + 1
        for i, word in enumerate(words):
            following = words[i + 1] if i + 1 < len(words) else ""
            if word in NEGATIONS and following not in LOST_FUNCTIONS:
                reading.add((stem(word),), position + i, True)
                since_negation = 0
                continue
            if word in SCOPE_BREAKS:
                since_negation = NEGATION_REACH + 1
            since_negation += 1
            reading.add(rule_words.meanings(word), position + i, since_negation > NEGATION_REACH)
        if lay is not None:
            add_glossary_terms(reading, words, position, lay)
        position += len(words) + 1  # a clause break counts as a word between its neighbours
    return reading


def add_glossary_terms(reading: Reading, words: list[str], offset: int, lay: Glossary) -> None:
    """The stems of what a lay phrase in these words stands for, at the phrase's place."""
    kept = [(i, term) for i, (term, stopped) in enumerate(map(_prose.term, words)) if not stopped]
    for start, terms in lay.phrase_starts(tuple(term for _i, term in kept)):
        for term in terms:
            reading.add(term, offset + kept[start][0], True)


@dataclass(frozen=True)
class Pattern:
    """One pattern line: a set of stemmed alternatives per word slot."""

    slots: tuple[frozenset[str], ...]
    names_negation: bool  # "not breathing": read negated words too

    def matches(self, reading: Reading) -> bool:
        index = reading.every if self.names_negation else reading.affirmed
        found = []
        for slot in self.slots:
            positions = sorted({p for s in slot & index.keys() for p in index[s]})
            if not positions:
                return False
            found.append(positions)
        return within_window(found, len(self.slots) - 1 + WINDOW_SLACK)


def within_window(found: list[list[int]], width: int) -> bool:
    """True when one position of each list lies within `width` of a common start."""
    for start in sorted({p for positions in found for p in positions}):
        if all(any(start <= p <= start + width for p in positions) for positions in found):
            return True
    return False


def compile_pattern(line: str) -> Pattern | None:
    """'sudden numb|numbness' -> slots ({'sudden'}, {'numb'}), stemmed like query words."""
    slots = []
    for slot in line.lower().replace("\u2019", "'").split():
        alternatives = frozenset(
            slot_term(word, part.startswith('"'))
            for part in slot.split("|")
            for word in _words.terms(part)
        )
        if alternatives:
            slots.append(alternatives)
    if not slots:
        return None
    named = any(slot & NEGATION_STEMS for slot in slots)
    return Pattern(tuple(slots), named)


def slot_term(word: str, as_typed: bool) -> str:
    """What a slot holds for a word: its stem, or the word as typed for a "quoted" one."""
    return EXACT + word if as_typed else stem(word)


def pattern_words(lines: Iterable[str]) -> set[str]:
    """The whole words (unstemmed) that pattern lines are written in."""
    return {word for line in lines for word in _words.terms(line.replace("|", " "))}


def pattern_errors(text: str) -> list[str]:
    """What is wrong with a field of pattern lines, for the admin; empty when all is well."""
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "||" in line or line.strip().startswith("|") or line.strip().endswith("|"):
            errors.append(f"Line {number}: '|' must stand between two words.")
        elif compile_pattern(line) is None:
            errors.append(f"Line {number} has no word that can be matched.")
        elif len(line.split()) > 8:
            errors.append(f"Line {number} has more than 8 slots: no query would fill them all.")
    return errors


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to match: its patterns, its exceptions and its banner."""

    name: str
    kind: str
    message: str
    patterns: tuple[Pattern, ...]
    unless: tuple[Pattern, ...]
    results_query: str
    pinned: tuple[tuple[str, int], ...]  # ("article" | "faq", primary key)
    words: frozenset[str]  # the whole words its patterns are written in

    def matches(self, reading: Reading, patterns: Iterable[Pattern] | None = None) -> bool:
        """True when one of the patterns (all the rule's by default) matches and no
        'unless' pattern does."""
        tried = self.patterns if patterns is None else patterns
        return any(p.matches(reading) for p in tried) and not any(
            p.matches(reading) for p in self.unless
        )


def compile_rule(rule: UrgentCareRule) -> CompiledRule:
    patterns = tuple(filter(None, map(compile_pattern, rule.pattern_list())))
    unless = tuple(filter(None, map(compile_pattern, rule.unless_list())))
    pinned = tuple(
        (kind, pk)
        for kind, pk in (("article", rule.pinned_article_id), ("faq", rule.pinned_faq_id))
        if pk is not None
    )
    words = frozenset(pattern_words([*rule.pattern_list(), *rule.unless_list()]))
    return CompiledRule(
        rule.name, rule.kind, rule.message, patterns, unless, rule.results_query, pinned, words
    )


class RuleWords:
    """The words the rules are written in, and which of them a query word may stand for."""

    def __init__(self, rules: list[CompiledRule]) -> None:
        self.stems = frozenset(
            s for rule in rules for p in (*rule.patterns, *rule.unless) for slot in p.slots
            for s in slot
        )
        self.targets = SpellingTargets(w for rule in rules for w in rule.words)
        self._meanings: dict[str, tuple[str, ...]] = {}

    def meanings(self, word: str) -> tuple[str, ...]:
        """The rule terms a word stands for: its stem (or itself, for a "quoted" rule word)
        and those of the rule words it is probably a misspelling of. Most words stand for
        none, and a long question is read without a trace of them."""
        found = self._meanings.get(word)
        if found is None:
            own = stem(word)
            terms = [own, EXACT + word]
            # A misspelling one rule lists ('sudenly') may still be meant for another rule.
            if own not in self.stems or not is_english(word):
                for meant in self.targets.likely_meant(word):
                    terms += [stem(meant), EXACT + meant]
            found = tuple(dict.fromkeys(t for t in terms if t in self.stems))
            if len(self._meanings) < 50_000:
                self._meanings[word] = found
        return found


@dataclass(frozen=True)
class RuleSet:
    """The active rules, the words they are written in, and where to start matching."""

    rules: list[CompiledRule]
    words: RuleWords
    # Stem -> (rule number, pattern) of the patterns whose rarest slot holds it: a pattern
    # can only match a query that fills that slot, so a query is tried against a few dozen
    # patterns, not all three hundred (a third of triage's time went to trying them all).
    anchors: dict[str, list[tuple[int, "Pattern"]]]

    def candidates(self, reading: Reading) -> dict[int, list["Pattern"]]:
        """Rule number -> the patterns worth trying on this reading."""
        found: dict[int, list[Pattern]] = {}
        for word_stem in reading.every.keys() & self.anchors.keys():
            for number, pattern in self.anchors[word_stem]:
                found.setdefault(number, []).append(pattern)
        return found


def anchor_slot(pattern: "Pattern") -> frozenset[str]:
    """The slot of a pattern whose alternatives are rarest in English."""
    frequencies = english()
    return min(
        pattern.slots,
        key=lambda slot: sum(frequencies[s.removeprefix(EXACT)] for s in slot),
    )


def index_anchors(rules: list[CompiledRule]) -> dict[str, list[tuple[int, "Pattern"]]]:
    anchors: dict[str, list[tuple[int, Pattern]]] = {}
    for number, rule in enumerate(rules):
        for pattern in rule.patterns:
            for word_stem in anchor_slot(pattern):
                anchors.setdefault(word_stem, []).append((number, pattern))
    return anchors


def _fingerprint() -> tuple:
    return rows_version(UrgentCareRule)


def _compile_rules(_fingerprint: object) -> RuleSet:
    rules = [compile_rule(r) for r in UrgentCareRule.objects.filter(active=True)]
    rules.sort(key=lambda r: (KIND_ORDER.get(r.kind, 9), r.name))
    return RuleSet(rules, RuleWords(rules), index_anchors(rules))


# Reading the rule table's fingerprint is a query, a third of a cached search's time, so a
# process checks it at most every 2 s (at once after a rule is saved in it).
rules_cache = Rechecked("urgent-rules", _fingerprint, _compile_rules, 2.0, [UrgentCareRule])


def urgent_care_rules() -> RuleSet:
    """Active rules, most serious kind first; re-read only when the rule table has changed."""
    return rules_cache.get()


def rule_words() -> frozenset[str]:
    """Stems the rules are written in: the spelling step never corrects a word into or out
    of them."""
    return urgent_care_rules().words.stems


def matching_rule(text: str, lay: Glossary | None = None) -> CompiledRule | None:
    """The most serious rule the text matches, or None."""
    if not text:
        return None
    ruleset = urgent_care_rules()
    reading = read(text, ruleset.words, glossary() if lay is None else lay)
    candidates = ruleset.candidates(reading)
    for number in sorted(candidates):  # rules are in order of seriousness
        rule = ruleset.rules[number]
        if rule.matches(reading, candidates[number]):
            return rule
    return None


def message_for(rule: CompiledRule | None) -> UrgentMessage | None:
    """The banner of a rule, with the site's phone numbers for its kind."""
    if rule is None:
        return None
    primary, fallback = contacts_for(rule.kind)
    return UrgentMessage(
        kind=rule.kind,
        message=rule.message,
        contacts=primary,
        emergency_contacts=fallback,
        results_query=rule.results_query,
        pinned=rule.pinned,
    )


def urgent_message(text: str, corrected: str | None = None) -> UrgentMessage | None:
    """The banner for the most serious rule the query, or its correction, matches."""
    rule = matching_rule(text)
    if corrected and corrected != text:
        other = matching_rule(corrected)
        if other is not None and (
            rule is None or KIND_ORDER[other.kind] < KIND_ORDER[rule.kind]
        ):
            rule = other
    return message_for(rule)


def keeps_red_flags(text: str, corrected: str) -> bool:
    """False when a correction would lose a red flag the reader's own words raise."""
    typed = matching_rule(text)
    if typed is None:
        return True
    fixed = matching_rule(corrected)
    return fixed is not None and KIND_ORDER[fixed.kind] <= KIND_ORDER[typed.kind]
