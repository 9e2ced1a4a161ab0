"""What a search returns: plain dataclasses, so templates and the API never see Whoosh objects."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contact:
    """A place to get help now: 'Call or text 988, 988 Suicide & Crisis Lifeline (US)'."""

    region: str  # "US", "UK", ...
    action: str  # "Call", "Call or text"
    number: str  # as people dial it: "1-800-222-1222"
    name: str  # "Poison Help"

    @property
    def tel(self) -> str:
        """The number for a tel: link."""
        return "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


@dataclass(frozen=True)
class UrgentMessage:
    """The banner shown above results when the query says someone may be in danger."""

    kind: str  # UrgentCareRule.Kind: "crisis", "poison", "emergency" or "urgent"
    message: str
    contacts: tuple[Contact, ...] = ()  # the help for this kind, in the site's regions
    emergency_contacts: tuple[Contact, ...] = ()  # emergency services, after the above
    results_query: str = ""  # searched instead of the reader's words, when set
    pinned: tuple[tuple[str, int], ...] = ()  # ("article" | "faq", pk) shown first

    TITLES = {
        "crisis": "You don't have to face this alone",
        "poison": "Possible poisoning: get advice now",
        "emergency": "This may be an emergency",
        "urgent": "Get medical help today",
    }

    @property
    def level(self) -> str:
        """'urgent' for same-day care, 'emergency' for the rest (the API's older field)."""
        return "urgent" if self.kind == "urgent" else "emergency"

    @property
    def is_emergency(self) -> bool:
        return self.level == "emergency"

    @property
    def title(self) -> str:
        return self.TITLES.get(self.kind, self.TITLES["emergency"])


@dataclass(frozen=True)
class SearchHit:
    """One section or FAQ that matched, ready to show."""

    kind: str  # "section" or "faq"
    title: str  # the section heading or the FAQ question
    article_title: str
    url: str
    snippet_html: str  # HTML-escaped text; the only markup is <mark>
    source_name: str
    source_url: str
    score: float
    article_slug: str = ""


@dataclass
class SearchPage:
    """One page of results with everything the results page and the API show."""

    query: str  # the query as the reader typed it, cleaned
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    num_pages: int = 0
    has_next: bool = False
    has_previous: bool = False
    urgent: UrgentMessage | None = None
    suggestion: str | None = None
    # True when nothing matched the query as typed and the hits are for `suggestion`.
    corrected: bool = False
    unavailable: bool = False
    # True when the hits are the site's support content chosen by a crisis rule, not
    # results for the reader's words.
    support_results: bool = False
    # Each name in the query that means several topics ("ED"): (title, query) of each.
    meanings: list[list[tuple[str, str]]] = field(default_factory=list)
    # Nothing found: the titles whose names are nearest in spelling to the reader's words.
    nearest: list[str] = field(default_factory=list)

    @property
    def next_page_number(self) -> int:
        return self.page + 1

    @property
    def previous_page_number(self) -> int:
        return self.page - 1


def spread_articles(
    ranked: list[tuple[int, float, str]], per_article: int
) -> list[tuple[int, float]]:
    """Reorder (doc, score, group) so each group shows at most per_article hits per round.

    The best hits of every article come first, then each article's next best, and so on,
    keeping score order within a round: one long article cannot fill a page.

    >>> spread_articles([(1, 9, "a"), (2, 8, "a"), (3, 7, "a"), (4, 1, "b")], 2)
    [(1, 9), (2, 8), (4, 1), (3, 7)]
    """
    seen: dict[str, int] = {}
    keyed = []
    for position, (doc, score, group) in enumerate(ranked):
        count = seen.get(group, 0)
        seen[group] = count + 1
        keyed.append(((count // per_article, position), (doc, score)))
    return [pair for _key, pair in sorted(keyed)]
