"""The index document of each model: the fields a results page needs, from the database row."""
import pytest

from faq.models import Status
from search_index.backends.whoosh.schema import build_schema
from search_index.documents import builders as documents
from search_index.documents.builders import (
    faq_document,
    iter_documents,
    load_indexable,
    section_document,
)
from search_index.text.vocabulary import document_words
from tests.index_factories import make_article, make_faq, make_section

pytestmark = pytest.mark.django_db


def test_section_document_has_every_field_and_links_to_the_anchor():
    article = make_article(
        title="Numb legs and feet", slug="numb-legs", also_called="Paresthesia\nPins and needles\n"
    )
    section = make_section(
        article, heading="Common causes", slug="causes", kind="cause",
        body="## Why\n\n- **Diabetes** damages [nerves](https://example.org/n).",
    )
    doc = section_document(section)
    assert doc["doc_id"] == f"section:{section.pk}"
    assert doc["doc_type"] == "section"
    assert doc["title"] == "Common causes"
    assert doc["heading_path"] == "Numb legs and feet › Common causes"
    assert doc["body"] == "Why\n\nDiabetes damages nerves."
    assert doc["article_title"] == "Numb legs and feet"
    assert doc["also_called"] == "Paresthesia\nPins and needles"
    assert doc["article_slug"] == "numb-legs"
    assert doc["kind"] == "cause"
    assert doc["answered"] == "yes"
    assert doc["url"] == "/articles/numb-legs/#causes" == section.get_absolute_url()
    assert doc["source_name"] == "Symptom Search"
    assert doc["source_url"] == "/articles/numb-legs/" == article.get_absolute_url()
    assert "words" not in doc  # the spelling vocabulary is gathered by the indexer
    assert document_words(doc) == {
        "common", "causes", "numb", "legs", "and", "feet", "why", "diabetes", "damages",
        "nerves", "paresthesia", "pins", "needles",
    }
    assert set(doc) == set(build_schema().names()) - {"words"}


def test_section_of_imported_article_credits_its_source():
    article = make_article(source_name="MedlinePlus", source_url="https://medlineplus.gov/x")
    doc = section_document(make_section(article))
    assert (doc["source_name"], doc["source_url"]) == ("MedlinePlus", "https://medlineplus.gov/x")


def test_faq_document_fields_and_source_fallback_to_article():
    article = make_article(title="Sciatica", slug="sciatica", source_name="NIDDK",
                           source_url="https://niddk.example/s")
    faq = make_faq(article, question="Is sciatica serious?", slug="sciatica-serious",
                   answer="Usually *not*. See a doctor if it lasts.", question_type="outlook")
    doc = faq_document(faq)
    assert doc["doc_id"] == f"faq:{faq.pk}"
    assert doc["doc_type"] == "faq"
    assert doc["title"] == "Is sciatica serious?"
    assert doc["heading_path"] == "Sciatica › Is sciatica serious?"
    assert doc["body"] == "Usually not. See a doctor if it lasts."
    assert doc["kind"] == "outlook"
    assert doc["url"] == "/faqs/sciatica-serious/"
    assert (doc["source_name"], doc["source_url"]) == ("NIDDK", "https://niddk.example/s")
    faq.source_name, faq.source_url = "GARD", "https://gard.example/q"
    assert (faq_document(faq)["source_name"], faq_document(faq)["source_url"]) == (
        "GARD", "https://gard.example/q")


def test_faq_with_empty_answer_is_searchable_by_question_and_article():
    article = make_article(title="Peripheral neuropathy")
    doc = faq_document(make_faq(article, question="What causes it?", answer="  "))
    assert doc["body"] == "What causes it?\nPeripheral neuropathy"
    assert doc["answered"] == "no"  # ranked below answers (query.py)
    assert faq_document(make_faq(article, answer="Nerve damage."))["answered"] == "yes"


def test_faq_of_draft_article_does_not_leak_the_draft_title():
    article = make_article(title="Secret draft", status=Status.DRAFT)
    doc = faq_document(make_faq(article, question="Standalone?"))
    assert "Secret draft" not in str(doc)
    assert doc["heading_path"] == "Standalone?"
    assert doc["source_name"] == "Symptom Search"


def test_body_markup_and_hostile_html_become_plain_text():
    section = make_section(body='Feet <img src=x onerror="alert(1)"> <script>steal()</script>'
                                " &amp; toes")
    assert section_document(section)["body"] == "Feet   & toes"


def test_only_published_rows_are_indexable():
    draft = make_article(status=Status.DRAFT)
    assert load_indexable("section", make_section(draft).pk) is None
    published = make_section(make_article())
    assert load_indexable("section", published.pk) == published
    faq = make_faq(draft)  # FAQ pages are public on their own
    assert load_indexable("faq", faq.pk) == faq
    assert load_indexable("faq", make_faq(status=Status.IN_REVIEW).pk) is None


def test_iter_documents_yields_only_indexable_rows_in_order(django_assert_max_num_queries):
    published, draft = make_article(), make_article(status=Status.DRAFT)
    sections = [make_section(published) for _ in range(3)]
    make_section(draft)
    faq = make_faq(published)
    make_faq(status=Status.DRAFT)
    with django_assert_max_num_queries(2):
        ids = [doc["doc_id"] for doc in iter_documents(chunk_size=2)]
    assert ids == [f"section:{s.pk}" for s in sections] + [f"faq:{faq.pk}"]
    assert documents.count_indexable() == {"section": 3, "faq": 1}
