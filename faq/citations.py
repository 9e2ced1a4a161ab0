"""Reference strings in APA (7th ed.) and MLA (9th ed.) for citations and for our own pages.

Written by hand because the general citation processors we tried repeat the title of an
authorless web page and print "(n.d., n.d.)". The rules followed here:

- No authors: the title takes the author's place in both styles (as the sources themselves
  cite such pages), and the organisation appears later as site or publisher.
- APA: a source with a DOI is treated as a journal article (title plain, journal in italics);
  otherwise as a web page (title in italics, site plain). A retrieval date is given only for
  undated pages, whose content may change.
  The publisher is named only when there is no site or journal (reports, books).
- MLA: with a container the title is in quotation marks and the container in italics; without
  one the title is in italics. The publisher is left out when it repeats the container and
  for journal articles.

Every field is escaped; the result is safe HTML with <i> for italics and, when asked for
(`clickable`), the URL as a link.
"""
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .markup import is_web_url

APA_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]
MLA_MONTHS = [
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
]


@dataclass
class Reference:
    """The fields both styles need, whatever the record they come from."""

    title: str
    authors: list[tuple[str, str]] = field(default_factory=list)
    container: str = ""
    publisher: str = ""
    date: str = "n.d."
    url: str = ""
    doi: str = ""
    accessed: datetime.date | None = None
    always_show_retrieved: bool = False


def _e(text) -> str:
    return str(conditional_escape(text))


def _sentence(text: str) -> str:
    """End a piece with a full stop unless it already ends with punctuation."""
    text = text.rstrip()
    return text if text[-1:] in ".?!" else text + "."


def _date_parts(value: str) -> tuple[int, int | None, int | None] | None:
    """Split 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; None for 'n.d.' or anything unreadable."""
    pieces = (value or "").split("-")
    if not pieces[0].isdigit():
        return None
    numbers = [int(p) for p in pieces if p.isdigit()]
    return numbers[0], *(numbers[1:] + [None, None])[:2]


def _link(ref: Reference, clickable: bool) -> str:
    url = _e(f"https://doi.org/{ref.doi.strip()}" if ref.doi.strip() else ref.url)
    clickable = clickable and (bool(ref.doi.strip()) or is_web_url(ref.url))
    return f'<a class="url" href="{url}">{url}</a>' if url and clickable else url


def _initials(given: str) -> str:
    """'Jennifer Ann' -> 'J. A.'; 'Jean-Paul' -> 'J.-P.'."""
    names = [n for n in given.replace(".", " ").split() if n]
    return " ".join("-".join(part[:1].upper() + "." for part in n.split("-") if part)
                    for n in names)


def apa_authors(authors: list[tuple[str, str]]) -> str:
    """Authors in APA order: 'Family, I.', joined with commas and an ampersand.

    >>> apa_authors([("Huizen", "Jennifer")])
    'Huizen, J.'
    >>> apa_authors([("Smith", "Ann B."), ("Jones", "Carl")])
    'Smith, A. B., & Jones, C.'
    >>> apa_authors([("A", "Xi"), ("B", "Yo"), ("C", "Zed")])
    'A, X., B, Y., & C, Z.'
    """
    names = [f"{family}, {_initials(given)}" if given else family for family, given in authors]
    if len(names) > 20:
        # APA lists the first 19, an ellipsis, then the last author.
        return ", ".join(names[:19]) + ", . . . " + names[-1]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def mla_authors(authors: list[tuple[str, str]]) -> str:
    """Authors in MLA order: first inverted, a second in natural order, 'et al.' for three or more.

    >>> mla_authors([("Huizen", "Jennifer")])
    'Huizen, Jennifer'
    >>> mla_authors([("Smith", "Ann"), ("Jones", "Carl")])
    'Smith, Ann, and Carl Jones'
    >>> mla_authors([("A", "Xi"), ("B", "Yo"), ("C", "Zed")])
    'A, Xi, et al.'
    """
    if not authors:
        return ""
    first = ", ".join(p for p in authors[0] if p)
    if len(authors) == 1:
        return first
    if len(authors) == 2:
        family, given = authors[1]
        return f"{first}, and {' '.join(p for p in (given, family) if p)}"
    return f"{first}, et al."


def apa_date(value: str) -> str:
    """'2016' -> '2016', '2016-10' -> '2016, October', '2014-07-30' -> '2014, July 30'."""
    parts = _date_parts(value)
    if parts is None:
        return "n.d."
    year, month, day = parts
    if not month:
        return str(year)
    text = f"{year}, {APA_MONTHS[month - 1]}"
    return f"{text} {day}" if day else text


def mla_date(value: str) -> str:
    """'2016' -> '2016', '2016-10' -> 'Oct. 2016', '2014-07-30' -> '30 July 2014'; '' if undated."""
    parts = _date_parts(value)
    if parts is None:
        return ""
    year, month, day = parts
    if not month:
        return str(year)
    text = f"{MLA_MONTHS[month - 1]} {year}"
    return f"{day} {text}" if day else text


def apa_long_date(day: datetime.date) -> str:
    return f"{APA_MONTHS[day.month - 1]} {day.day}, {day.year}"


def mla_long_date(day: datetime.date) -> str:
    return f"{day.day} {MLA_MONTHS[day.month - 1]} {day.year}"


def _italic(text: str) -> str:
    """An italic title followed by a full stop, kept outside the italics unless it is a '?'."""
    text = text.rstrip()
    if text[-1:] in ".?!":
        return f"<i>{_e(text)}</i>"
    return f"<i>{_e(text)}</i>."


def apa(ref: Reference, clickable: bool = False) -> SafeString:
    """Format a reference in APA style (see the module docstring for the rules)."""
    is_article = bool(ref.doi.strip())
    title = _e(_sentence(ref.title)) if is_article else _italic(ref.title)
    date = f"({apa_date(ref.date)})."
    parts = [_e(_sentence(apa_authors(ref.authors))), date, title] if ref.authors else [
        title, date
    ]
    if ref.container:
        parts.append(_italic(ref.container) if is_article else _e(_sentence(ref.container)))
    if ref.publisher and not ref.container:
        # Web pages and journals are known by their site or journal; reports by publisher.
        parts.append(_e(_sentence(ref.publisher)))
    link = _link(ref, clickable)
    undated = _date_parts(ref.date) is None
    if link and ref.accessed and (ref.always_show_retrieved or (undated and not is_article)):
        parts.append(f"Retrieved {apa_long_date(ref.accessed)}, from {link}")
    elif link:
        parts.append(link)
    return mark_safe(" ".join(parts))  # noqa: S308 - every field above is escaped


def mla(ref: Reference, clickable: bool = False) -> SafeString:
    """Format a reference in MLA style (see the module docstring for the rules)."""
    parts = []
    if ref.authors:
        parts.append(_e(_sentence(mla_authors(ref.authors))))
    if ref.container:
        parts.append(f"“{_e(_sentence(ref.title))}”")
    else:
        parts.append(_italic(ref.title))
    details = []
    if ref.container:
        details.append(f"<i>{_e(ref.container)}</i>")
    if ref.publisher and ref.publisher != ref.container and not ref.doi:
        details.append(_e(ref.publisher))
    if date := mla_date(ref.date):
        details.append(date)
    if link := _link(ref, clickable):
        details.append(link)
    if details:
        parts.append(_sentence(", ".join(details)))
    if ref.accessed:
        parts.append(f"Accessed {mla_long_date(ref.accessed)}.")
    return mark_safe(" ".join(parts))  # noqa: S308 - every field above is escaped


def reference_from_citation(citation) -> Reference:
    return Reference(
        title=citation.title,
        authors=citation.author_list(),
        container=citation.container_title,
        publisher=citation.publisher,
        date=citation.date_published,
        url=citation.url,
        doi=citation.doi,
        accessed=citation.date_accessed,
    )


def format_apa(citation, clickable: bool = False) -> SafeString:
    """APA reference for a Citation record.

    >>> from faq.models import Citation
    >>> print(format_apa(Citation(
    ...     authors="Falkowski, Gina", title="13 points about paresthesia",
    ...     container_title="Example Health", date_published="2016-11",
    ...     url="https://example.org/p")))
    Falkowski, G. (2016, November). <i>13 points about paresthesia</i>. Example Health. https://example.org/p
    >>> print(format_apa(Citation(title="Alcohol and nerves", container_title="Nerve Society",
    ...     date_published="n.d.", url="https://example.org/a",
    ...     date_accessed=datetime.date(2019, 9, 6))))
    <i>Alcohol and nerves</i>. (n.d.). Nerve Society. Retrieved September 6, 2019, from https://example.org/a
    """
    return apa(reference_from_citation(citation), clickable)


def format_mla(citation, clickable: bool = False) -> SafeString:
    """MLA reference for a Citation record.

    >>> from faq.models import Citation
    >>> print(format_mla(Citation(
    ...     authors="Sm, Al\\nJo, Cy", title="Feet", container_title="Nerves",
    ...     date_published="2014-07-30", doi="10.1/x", date_accessed=datetime.date(2019, 9, 6))))
    ... # doctest: +NORMALIZE_WHITESPACE
    Sm, Al, and Cy Jo. “Feet.” <i>Nerves</i>, 30 July 2014, https://doi.org/10.1/x.
    Accessed 6 Sept. 2019.
    """
    return mla(reference_from_citation(citation), clickable)


# Words that mark a byline as a group, not a person (citations and structured data).
ORGANISATION_WORDS = frozenset(
    "team editors editorial staff board committee group institute foundation association "
    "society service department clinic hospital organisation organization nhs nih".split()
)


def person_or_organisation(name: str) -> tuple[str, str]:
    """A free-form byline as (family, given); organisations keep their whole name as family.

    >>> person_or_organisation("Jennifer Huizen")
    ('Huizen', 'Jennifer')
    >>> person_or_organisation("Huizen, Jennifer")
    ('Huizen', 'Jennifer')
    >>> person_or_organisation("Symptom Search Editorial Team")
    ('Symptom Search Editorial Team', '')
    """
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    words = name.split(" ")
    if len(words) == 1 or words[-1].lower() in ORGANISATION_WORDS:
        return name, ""
    return words[-1], " ".join(words[:-1])


def page_reference(article, url: str, accessed: datetime.date) -> Reference:
    """One of our own articles as a web page: the latest review date is its date."""
    bylines = [b for b in article.author.replace(" & ", ";").split(";") if b.strip()]
    day = article.last_reviewed or article.published_date
    return Reference(
        title=article.title,
        authors=[person_or_organisation(b) for b in bylines],
        container=settings.SITE_NAME,
        date=day.isoformat() if day else "n.d.",
        url=url,
        accessed=accessed,
        always_show_retrieved=True,
    )


def cite_page_apa(article, url: str, accessed: datetime.date) -> SafeString:
    """APA reference for one of our article pages, for the cite-this-page box."""
    return apa(page_reference(article, url, accessed))


def cite_page_mla(article, url: str, accessed: datetime.date) -> SafeString:
    """MLA reference for one of our article pages, for the cite-this-page box."""
    return mla(page_reference(article, url, accessed))
