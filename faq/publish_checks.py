"""Checks before publishing: the editorial rules a page must meet before readers see it.

Each check returns sentences an editor can act on; an empty list means the content may go
live. The admin runs them on what is being saved (the submitted sections, not the stored ones).
"""
import re

import markdown

from .markup import is_web_url
from .models import PARTIAL_DATE, SectionKind

# Claims about causes and treatments must say where they come from.
KINDS_NEEDING_CITATIONS = {SectionKind.CAUSE, SectionKind.TREATMENT}
# An article describing what readers feel must tell them when to get help.
SYMPTOM_KINDS = {SectionKind.SYMPTOMS, SectionKind.CAUSE}
HREF = re.compile(r"""href=["']([^"']*)["']""")


def links_in(text: str) -> list[str]:
    """Every link target a Markdown text makes, including autolinks and raw HTML anchors."""
    return HREF.findall(markdown.markdown(text or "", output_format="html"))


def is_allowed_link(url: str) -> bool:
    """http(s) addresses, and this site's own pages and anchors ("/articles/...", "#causes")."""
    url = url.strip()
    return is_web_url(url) or (url.startswith(("/", "#")) and not url.startswith("//"))


def link_problems(where: str, text: str) -> list[str]:
    """A sentence for each link in the text that is not http(s)."""
    return [
        f"{where} links to “{url}”: links must start with https:// (or http://)."
        for url in links_in(text)
        if not is_allowed_link(url)
    ]


def citation_problems(citations) -> list[str]:
    """Citations without a title or a date, or with an address that is not http(s)."""
    problems = []
    for citation in citations:
        name = f"the citation “{citation.title}”" if citation.title.strip() else (
            f"citation #{citation.pk}"
        )
        if not citation.title.strip():
            problems.append(f"Give {name} a title.")
        if not PARTIAL_DATE.match(citation.date_published or ""):
            problems.append(
                f"Give {name} a publication date (YYYY, YYYY-MM or YYYY-MM-DD, or n.d. when "
                "the source has none)."
            )
        if citation.url and not is_web_url(citation.url):
            problems.append(f"The address of {name} must start with https:// (or http://).")
    return problems


def section_problems(section, cited: list) -> list[str]:
    """A section's own problems, given the citations it cites."""
    problems = link_problems(f"The section “{section.heading}”", section.body)
    if section.kind in KINDS_NEEDING_CITATIONS and not cited:
        label = SectionKind(section.kind).label.lower()
        problems.append(
            f"The {label} section “{section.heading}” cites nothing: add a reference "
            "(Sections › the section › references)."
        )
    return problems


def article_problems(article, sections) -> list[str]:
    """Everything that keeps an article (with these sections) from being published."""
    problems = link_problems("The summary", article.summary)
    if article.source_url and not is_web_url(article.source_url):
        problems.append("The source URL must start with https:// (or http://).")
    citations = list(article.citations.all()) if article.pk else []
    kinds = set()
    for section in sections:
        kinds.add(section.kind)
        cited = list(section.citations.all()) if section.pk else []
        problems += section_problems(section, cited)
        citations += cited
    if kinds & SYMPTOM_KINDS and SectionKind.SEE_DOCTOR not in kinds:
        problems.append(
            "An article about symptoms needs a “When to see a doctor” section: add one, or "
            "set a section's kind to “When to see a doctor”."
        )
    return problems + citation_problems(dict.fromkeys(citations))


def faq_problems(faq) -> list[str]:
    """Everything that keeps an FAQ from being published."""
    problems = link_problems("The answer", faq.answer)
    if faq.source_url and not is_web_url(faq.source_url):
        problems.append("The source URL must start with https:// (or http://).")
    citations = list(faq.citations.all()) if faq.pk else []
    return problems + citation_problems(citations)
