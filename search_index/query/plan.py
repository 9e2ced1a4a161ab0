"""A cleaned query -> an engine-neutral plan (query/tree.py) and the words to mark.

The plan is built here, node by node, from the analysed tokens: the reader's words in each
searched field, phrase bonuses for adjacent words, article names found in the question,
synonym and spelling expansions at a lower weight, and +/- as must/must not.
"""
import re
from dataclasses import dataclass, replace

from search_index.backends.tree import (
    AllOf,
    AnyOf,
    Excluding,
    Node,
    Phrase,
    Term,
    WithOptional,
    searched_terms,
)
from search_index.query.everyday import is_everyday
from search_index.query.glossary import Glossary, Tokens, analyse
from search_index.query.grammar import Clause, optional_words, parse_clauses
from search_index.query.intent import (
    MAX_TERMS,
    MEANT_BOOST,
    MEANT_BOOST_LONG,
    MEANT_FIELDS,
    Intent,
    TermStats,
    choose_words,
    focus_query,
    is_chatter,
    strip_chatter,
)

# Fields a reader's words are looked up in; their boosts live in the schema. Not also_called:
# articles list broad names there ("syndrome"), and on the MedQuAD dev questions leaving it
# out raised nDCG@10 from 0.395 to 0.482 (raw) and 0.526 to 0.570 (focus+type).
FIELDS = ("title", "body", "article_title")
# Fields read at a query-time weight on top of their schema boost. heading_path repeats
# article_title and title: at full weight it cost dev nDCG (0.588 -> 0.578 focus+type), left
# out it drops a seed lay query ("tingly feet") out of the top three. Long questions leave it
# out: raw dev questions' nDCG@10 rose (0.544 -> 0.553), and it was a fifth of their lists.
EXTRA_FIELDS: dict[str, float] = {"heading_path": 0.75}
# An everyday word ("mixing", "cant") not part of a name found in the query is weighed this
# much in the fields that name topics: alone, a rare title word of that kind drew questions
# to "Mixed connective tissue disease" and "Cant syndrome".
EVERYDAY_IN_NAMES = 0.5
# ...and this much everywhere when fewer than this share of documents use it ("cant" is in 66
# of 47,457 bodies, "mix" 106; "feet" 548, "numb" 256 are left alone).
RARE_SHARE = 0.0025
EVERYDAY_RARE = 0.5
# Proximity is costly to check: only where it tells most (heading or question, and body).
PHRASE_FIELDS = ("title", "body")
PHRASE_BONUS = 0.75  # adjacent query words found next to each other in the text
QUOTED_BOOST = 2.0  # a phrase the reader put in quotes
EXPANSION_BOOST = 0.4  # synonym terms rank below the reader's own words
# A synonym of more words than this ("age-related changes in bones, muscles and joints") is
# a phrase that hardly occurs elsewhere word for word: leaving them out changed no dev
# question figure, and they were the costliest phrase checks.
EXPANSION_WORDS = 4
MAX_PAIRS = 6  # adjacent word pairs given a phrase bonus
# A question of more words than this is a consumer's letter: its chatter goes, no proximity.
LONG_QUERY = 6


def any_field(
    token: str, boost: float = 1.0, extra: dict[str, float] = EXTRA_FIELDS, names: float = 1.0
) -> AnyOf:
    """The token in any searched field; `names` weighs it in the fields that name a topic
    (every field but the body)."""
    terms = [Term(f, token, boost * (1.0 if f == "body" else names)) for f in FIELDS]
    terms += [Term(f, token, boost * w * names) for f, w in extra.items()]
    return AnyOf(tuple(terms))


def phrase_any_field(
    tokens: Tokens, boost: float = 1.0, slop: int = 1, extra: dict[str, float] = EXTRA_FIELDS
) -> AnyOf:
    """The tokens as a phrase in any phrase field (a single token in any searched field)."""
    if len(tokens) == 1:
        return any_field(tokens[0], boost, extra)
    return AnyOf(tuple(Phrase(f, tuple(tokens), slop, boost) for f in PHRASE_FIELDS))


def _clause_query(
    clause: Clause, boost: float = 1.0, extra: dict[str, float] = EXTRA_FIELDS
) -> Node:
    if clause.phrase:
        return phrase_any_field(clause.tokens, boost * QUOTED_BOOST, extra=extra)
    if len(clause.tokens) == 1:
        return any_field(clause.tokens[0], boost, extra)
    # Every part of a hyphenated or slashed word ("pins-and-needles") must appear.
    return AllOf(tuple(any_field(t, boost, extra) for t in clause.tokens))


def build_query(
    clauses: list[Clause],
    expansions: list[Tokens],
    stats: TermStats | None = None,
    intent: Intent | None = None,
) -> Node | None:
    """OR of the reader's words, phrase bonuses and synonym terms; +/- as must/must not.

    `stats` (document frequencies) choose the words of a long query; `intent` adds the
    article names found in it and prefers FAQs of the question's type.
    """
    intent = intent or Intent()
    plain = list(optional_words(clauses))
    extra = EXTRA_FIELDS if len(plain) <= LONG_QUERY else {}
    required = [_clause_query(c, extra=extra) for c in clauses if c.modifier == "+"]
    excluded = [_clause_query(c, extra=extra) for c in clauses if c.modifier == "-"]
    named = {t for name in intent.focus for t in name}
    intent = replace(intent, everyday=intent.everyday - named)
    words = [w for w in plain if w in named]
    words += choose_words([w for w in plain if w not in named], stats, MAX_TERMS - len(words))
    optional = [
        everyday_word(t, stats, extra) if t in intent.everyday else any_field(t, extra=extra)
        for t in words
    ]
    optional += [_clause_query(c, extra=extra) for c in clauses if c.phrase and not c.modifier]
    if len(plain) <= LONG_QUERY:
        optional += phrase_bonuses(clauses, set(words))
    optional += [focus_query(name) for name in intent.focus]
    # A long letter names many things in passing: there only the article's own title field.
    meant_fields = MEANT_FIELDS if len(plain) <= LONG_QUERY else MEANT_FIELDS[:1]
    # A phrase scores by its words: among several meanings, a longer title would win by its
    # length alone, so each is weighed down to the shortest one's length.
    shortest = min((len(t) for t in intent.meant), default=1)
    meant_boost = MEANT_BOOST if len(plain) <= LONG_QUERY else MEANT_BOOST_LONG
    optional += [
        focus_query(title, boost * shortest / len(title), meant_fields)
        for title in intent.meant
        # One of several meanings is only as likely as the rest of the query makes it.
        for boost in [MEANT_BOOST_LONG if title in intent.uncertain else meant_boost]
    ]
    if len(plain) > LONG_QUERY:
        # A letter's named articles are found by their titles above; their names again as
        # phrases in every answer cost the most phrase checks of a letter.
        expansions = [e for e in expansions if e not in intent.meant]
    optional += [phrase_any_field(e, EXPANSION_BOOST, extra=extra) for e in expansions[:MAX_TERMS]]
    if required:
        query: Node = AllOf(tuple(required))
        if optional:
            query = WithOptional(query, flat_or(optional))
    elif optional:
        query = flat_or(optional)
    else:
        return None
    if excluded:
        query = Excluding(query, AnyOf(tuple(excluded)))
    return query


def everyday_word(token: str, stats: TermStats | None, extra: dict[str, float]) -> AnyOf:
    """An everyday word, weighed less where it names topics, and less everywhere when the
    collection rarely uses it (its rarity here says nothing of what the reader meant)."""
    boost = 1.0
    if stats is not None and stats.doc_frequency(token) < RARE_SHARE * stats.doc_count:
        boost = EVERYDAY_RARE
    return any_field(token, boost, extra, names=EVERYDAY_IN_NAMES)


def phrase_bonuses(clauses: list[Clause], chosen: set[str]) -> list[AnyOf]:
    """Proximity queries for adjacent plain words of the query."""
    plain = optional_words(clauses)
    pairs = [p for p in zip(plain, plain[1:], strict=False) if p[0] != p[1] and set(p) <= chosen]
    pairs = list(dict.fromkeys(pairs))[:MAX_PAIRS]
    return [phrase_any_field(p, PHRASE_BONUS, slop=2) for p in pairs]


def flat_or(queries: list[Node]) -> AnyOf:
    """One OR of all the leaves.

    In one OR, the array ranker sees that a proximity phrase's words are looked up anyway
    and checks the phrase only in the best documents (backends/whoosh/arrays/ranking.py).
    """
    leaves = [leaf for q in queries for leaf in (q.children if isinstance(q, AnyOf) else [q])]
    return AnyOf(tuple(leaves), flat=True)


CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]+\b")


def plain_word(clause: Clause) -> str:
    """A clause's text lower-cased, without the punctuation around a word."""
    return clause.text.lower().strip(".,;:!?'\"()")


def typed_in_capitals(text: str) -> frozenset[str]:
    """The words the reader typed in capitals ("ODD in children" -> {"ODD"})."""
    return frozenset(CAPITALS.findall(text))


@dataclass(frozen=True)
class Plan:
    """A query's plan tree, the terms to mark, and the names found in it."""

    query: Node | None
    terms: set[str]
    names: tuple[Tokens, ...] = ()
    words: tuple[str, ...] = ()
    capitals: frozenset[str] = frozenset()
    # A short query naming several topics, one of them by another name ("advil and high
    # blood pressure"): a clause for the topics so named, whose best hit gets a place in the
    # first results.
    seats: tuple[Node, ...] = ()


def plan(
    text: str,
    lay: Glossary,
    fixes: dict[str, str] | None = None,
    stats: TermStats | None = None,
) -> tuple[Node | None, set[str]]:
    """The plan for a cleaned text and the terms to highlight."""
    planned = make_plan(text, lay, fixes, stats)
    return planned.query, planned.terms


def make_plan(
    text: str,
    lay: Glossary,
    fixes: dict[str, str] | None = None,
    stats: TermStats | None = None,
) -> Plan:
    """The plan for a cleaned text, the terms to highlight and the names found.

    `fixes` (misspelt word -> correction) add the corrections as low-boosted terms, so a
    query with one misspelt word still ranks what that word meant.
    """
    clauses = parse_clauses(text)
    if len(clauses) > LONG_QUERY:
        clauses = parse_clauses(strip_chatter(text))
        clauses = [c for c in clauses if c.modifier or c.phrase or not is_chatter(c.text)]
    query_tokens = tuple(t for c in clauses if c.modifier != "-" for t in c.tokens)
    capitals = typed_in_capitals(text)
    expansions = [e for e in lay.expansions(query_tokens, capitals) if len(e) <= EXPANSION_WORDS]
    expansions += [t for t in (analyse(f) for f in (fixes or {}).values()) if t]
    words = tuple(plain_word(c) for c in clauses if c.modifier != "-")
    names, meant = lay.focus(query_tokens, list(words), capitals)
    uncertain = frozenset(title for title, meanings in meant.items() if meanings > 1)
    everyday = frozenset(
        c.tokens[0] for c in clauses if len(c.tokens) == 1 and is_everyday(plain_word(c))
    )
    intent = Intent(tuple(names), tuple(meant), everyday, uncertain)
    query = build_query(clauses, expansions, stats, intent)
    seats = topic_seats(intent, lay, len(optional_words(clauses)))
    return Plan(query, searched_terms(query), tuple(names), words, capitals, seats)


def topic_seats(intent: Intent, lay: Glossary, plain_words: int) -> tuple[Node, ...]:
    """A clause for the titles the query names by other names, when it names more than one
    topic: the words of a title typed in full ("high blood pressure") outweigh a name of
    another ("advil"), which the reader typed as surely."""
    topics = {n for n in intent.focus if n in lay.titles} | set(intent.meant)
    if not intent.meant or len(topics) < 2 or plain_words > LONG_QUERY:
        return ()
    return (flat_or([focus_query(title, fields=MEANT_FIELDS[:1]) for title in intent.meant]),)


def meanings(planned: Plan, text: str, lay: Glossary) -> list[list[tuple[str, str]]]:
    """For each name in the text with several meanings ("CAPS"), each title it may mean and
    the query with the name put as that title ("CAPS fever" -> "Cryopyrin-associated
    periodic syndrome fever"): offered as a choice, never applied silently."""
    one_word = tuple(name[0] for name in planned.names if len(name) == 1)
    if not lay.may_be_ambiguous(one_word):
        return []
    offered = []
    for name, titles in lay.meanings(list(planned.names), planned.capitals):
        typed = next((w for w in planned.words if analyse(w) == name), None)
        pattern = re.compile(rf"\b{re.escape(typed)}\b", re.IGNORECASE) if typed else None
        offered.append(
            [(title, pattern.sub(title, text, count=1) if pattern else title) for title in titles]
        )
    return offered
