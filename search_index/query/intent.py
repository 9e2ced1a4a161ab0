"""What a long consumer question is about: its chatter removed, its question type guessed.

Real questions arrive as letters ("Dear Dr, my daughter has ... thank you"). Their greetings,
form fields and family words are common enough to rank nothing well yet rare enough to be
kept by an idf choice, so they go before any term is chosen. The question type ("how is it
treated", "is it inherited") is matched to the FAQ's MedQuAD type (the `kind` field).
"""
import re
from collections.abc import Callable
from dataclasses import dataclass

from search_index.backends.tree import AnyOf, Phrase, Term

Tokens = tuple[str, ...]

# Distinct words looked up, the rarest of a longer query: on 47,000 FAQs, 24 words cost twice
# the CPU of 12, and 6 without the commonest words halved the dev-question median again
# (106 -> 60 ms) with equal or better nDCG@10 (raw 0.528 -> 0.540, focus+type 0.579 -> 0.581).
MAX_TERMS = 6
COMMON_SHARE = 0.05  # of a long query, words in more than this share of documents are dropped
FOCUS_FIELDS = ("article_title",)
FOCUS_BOOST = 1.0  # an article's name found in the query: what the question is about
# The title of an article the query names by another name (a brand, a lay name, an
# abbreviation): the reader named it, but the words of the title are not in the query.
MEANT_BOOST = 3.0
MEANT_BOOST_LONG = 2.0  # in a letter that names it among other things
# ...looked up in the question's heading too, which names the article as the reader's own
# words would have.
MEANT_FIELDS = ("article_title", "title")
KIND_FACTOR = 1.4  # a FAQ of the question's type (treatment, causes...) among the first hits

# Form fields and placeholders of web contact forms, with what follows them on the line.
_FORM = (
    r"\b(?:name|e-?mail|phone|subject|date and time of contact|location|message)\s*:"
    r"(?:\s*\[[a-z ]+\])?"
    r"|\[[a-z ]+\]"
    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? \d{1,2} [a-z]{3,9} \d{4}"
    r"(?: \d\d:\d\d(?::\d\d)?)?(?: gmt)?"
)
_PHRASES = (
    r"\b(?:good (?:morning|afternoon|evening)|dear (?:dr|doctor|sir|madam|sirs)\b\.?"
    r"|to whom it may concern|thank(?:s| you)(?: (?:so|very) much)?(?: in advance)?"
    r"|(?:best|kind|warm) regards|i (?:was |am |just )?wonder(?:ing|ed)?(?: if)?"
    r"|i would (?:like|love) to know|(?:can|could) you (?:please )?(?:tell|help)(?: me)?"
    r"|please (?:help|advise|reply|let me know)|any (?:help|information|info|advice)"
    r"|i have a question|my (?:question|concern) is|hello|hi|hey)\b"
)
CHATTER = re.compile(f"{_FORM}|{_PHRASES}", re.IGNORECASE)
# Single words that say who is asking or how politely, never what about.
CHATTER_WORDS = frozenset(
    "please thanks thank sir madam dear regards sincerely hello hi wonder wondering "
    "daughter son mother father mom mum dad wife husband brother sister friend friends "
    "grandson granddaughter grandmother grandfather baby child children kid kids boy girl "
    "aunt uncle cousin niece nephew family year years old months month ago since currently "
    "recently lately really just also still already anyone someone something anything "
    "know knew want wanted need needed would could might tell told said say get got "
    "help info information question questions answer reply email letter write writing "
    "doctor doctors dr". split()
)

# MedQuAD question types and the words that ask for them, strongest signal first.
QUESTION_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("inheritance", (r"inherit\w*", r"hereditary", r"passed (?:down|on)", r"run(?:s)? in "
                     r"(?:the |my |our )?famil\w*", r"genetic(?:ally)?", r"carrier")),
    ("genetic changes", (r"gene\b", r"genes", r"mutation\w*", r"mutaion\w*")),
    ("treatment", (r"treat\w*", r"cure[sd]?", r"curing", r"therap\w*", r"medication\w*",
                   r"medicine\w*", r"remed\w*", r"surger\w*", r"drugs?", r"manag\w*")),
    ("causes", (r"caus\w*", r"why", r"reason\w*", r"trigger\w*")),
    ("symptoms", (r"symptom\w*", r"signs?")),
    ("outlook", (r"prognosis", r"outlook", r"life expectancy", r"survival", r"surviv\w*",
                 r"recover\w*", r"fatal")),
    ("prevention", (r"prevent\w*", r"avoid\w*")),
    ("exams and tests", (r"diagnos\w*", r"tests?", r"testing", r"screen\w*", r"detect\w*")),
    ("frequency", (r"how (?:many|common)", r"prevalence", r"how often")),
    ("susceptibility", (r"risk\w*", r"who gets", r"susceptib\w*")),
    ("complications", (r"complication\w*",)),
    ("side effects", (r"side effects?",)),
)
_TYPE_PATTERNS = tuple(
    (kind, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE))
    for kind, words in QUESTION_TYPES
)
# The same patterns for lower-cased ASCII text: without IGNORECASE they search twice as fast.
_LOWER_CHATTER = re.compile(CHATTER.pattern)
_LOWER_TYPE_PATTERNS = tuple((kind, re.compile(p.pattern)) for kind, p in _TYPE_PATTERNS)
MAX_TYPES = 2


def strip_chatter(text: str) -> str:
    """The text without greetings, sign-offs, form fields and placeholders."""
    if not text.isascii():
        return " ".join(CHATTER.sub(" ", text).split())
    # Lower-casing ASCII keeps every offset: the chatter is cut from the text as written.
    pieces, kept_from = [], 0
    for match in _LOWER_CHATTER.finditer(text.lower()):
        pieces.append(text[kept_from : match.start()])
        kept_from = match.end()
    pieces.append(text[kept_from:])
    return " ".join(" ".join(pieces).split())


def is_chatter(word: str) -> bool:
    """True for a word that tells who asks, not about what (lower-cased, unstemmed)."""
    return word.lower().strip(".,;:!?'\"()") in CHATTER_WORDS


def question_types(text: str) -> list[str]:
    """The MedQuAD types the text asks about, first mentioned first, at most MAX_TYPES."""
    patterns = _TYPE_PATTERNS
    if text.isascii():
        text, patterns = text.lower(), _LOWER_TYPE_PATTERNS
    found = []
    for kind, pattern in patterns:
        match = pattern.search(text)
        if match:
            found.append((match.start(), kind))
    return [kind for _, kind in sorted(found)[:MAX_TYPES]]


@dataclass(frozen=True)
class Intent:
    """What the query is about: the article names found in it, and the titles of the
    articles those names stand for."""

    focus: tuple[Tokens, ...] = ()
    meant: tuple[Tokens, ...] = ()
    # Analysed words of the query that are everyday English ("mixing", "cant").
    everyday: frozenset[str] = frozenset()
    # Titles in `meant` that are one of several meanings of a name ("CAPS").
    uncertain: frozenset[Tokens] = frozenset()


def focus_query(
    name: Tokens, boost: float = FOCUS_BOOST, fields: tuple[str, ...] = FOCUS_FIELDS
) -> AnyOf:
    """A strong clause for an article name found in the query."""
    if len(name) == 1:
        return AnyOf(tuple(Term(f, name[0], boost) for f in fields))
    return AnyOf(tuple(Phrase(f, tuple(name), boost=boost) for f in fields))


def kind_factor(kind: str, kinds: list[str]) -> float:
    """How much a hit's score grows when its kind is an asked type of question."""
    return KIND_FACTOR if kind in kinds else 1.0


@dataclass(frozen=True)
class TermStats:
    """How common words are in the index, for choosing the words of a long query."""

    doc_frequency: Callable[[str], int]
    doc_count: int = 0


def choose_words(words: list[str], stats: TermStats | None, most: int = MAX_TERMS) -> list[str]:
    """At most `most` words, the rarest first when there are too many, in query order.

    Common words have the longest posting lists and add the least to BM25, so a long
    question keeps what distinguishes it. Words in no document cost and give nothing.
    """
    words = list(dict.fromkeys(words))
    if stats is not None and len(words) > most:
        frequency = {w: stats.doc_frequency(w) for w in words}
        ranked = sorted((w for w in words if frequency[w]), key=frequency.get)
        common = COMMON_SHARE * stats.doc_count
        # A word in a large share of the documents costs the most postings and tells little.
        keep = set([w for w in ranked if frequency[w] <= common][:most] or ranked[:1])
        words = [w for w in words if w in keep]
    return words[: max(most, 0)]
