"""What a search returns: plain dataclasses, so templates and the API never see Whoosh objects."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UrgentMessage:
    """The banner shown above results when the query describes an emergency."""

    level: str  # UrgentCareRule.Level: "emergency" or "urgent"
    message: str

    @property
    def is_emergency(self) -> bool:
        return self.level == "emergency"


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
