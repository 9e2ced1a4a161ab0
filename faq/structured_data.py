"""schema.org JSON-LD for article pages, escaped so no title can close its script tag."""
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString

from .citations import ORGANISATION_WORDS

# Inside <script> only '<' can start '</script>' or '<!--'; '>' and '&' are escaped as well,
# as Django's json_script does, so the block reads the same in any HTML parser.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def agent(name: str) -> dict:
    """A Person, or an Organization when the name is plainly a group.

    >>> agent("Symptom Search editorial team")["@type"]
    'Organization'
    >>> agent("Dr Ada Example")["@type"]
    'Person'
    """
    words = set(name.casefold().replace(",", " ").split())
    # The models keep author and reviewer as plain names.
    return {"@type": "Organization" if words & ORGANISATION_WORDS else "Person", "name": name}


def citation_node(citation) -> dict:
    """A reference as a schema.org CreativeWork."""
    node = {"@type": "CreativeWork", "name": citation.title}
    authors = [f"{given} {family}".strip() for family, given in citation.author_list()]
    if authors:
        node["author"] = [{"@type": "Person", "name": name} for name in authors]
    elif citation.publisher:
        node["author"] = {"@type": "Organization", "name": citation.publisher}
    if citation.container_title:
        node["isPartOf"] = citation.container_title
    if citation.date_published and citation.date_published != "n.d.":
        node["datePublished"] = citation.date_published
    if citation.url:
        node["url"] = citation.url
    if citation.doi:
        node["sameAs"] = f"https://doi.org/{citation.doi}"
    return node


def article_json_ld(article, url: str, references, site_name: str) -> dict:
    """MedicalWebPage data for one article; a reviewer appears only when one is recorded."""
    condition = {"@type": "MedicalCondition", "name": article.title}
    if names := article.also_called_list():
        condition["alternateName"] = names
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "url": url,
        "description": article.summary,
        "about": condition,
        "publisher": {"@type": "Organization", "name": site_name},
    }
    if article.author:
        data["author"] = agent(article.author)
    reviewer = article.reviewed_by.name if article.reviewed_by else article.medical_reviewer
    if reviewer:
        data["reviewedBy"] = agent(reviewer)
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed
    if article.published_date:
        data["datePublished"] = article.published_date
    if references:
        data["citation"] = [citation_node(c) for c in references]
    return data


def faq_json_ld(faq, url: str) -> dict | None:
    """FAQPage data for a question answered on this site; none when the answer is elsewhere."""
    answer = " ".join(strip_tags(faq.answer_html()).split())
    if not answer:
        return None
    question = {
        "@type": "Question",
        "name": faq.question,
        "acceptedAnswer": {"@type": "Answer", "text": answer},
    }
    return {"@context": "https://schema.org", "@type": "FAQPage", "url": url,
            "mainEntity": [question]}


def json_ld_script(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` block whose text cannot end the tag early."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))
