"""The fast paths of a rebuild give the same index content as the plain ones they replace."""
import html
import re
from collections import Counter

import nh3
import pytest
from django.urls import set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.models import FAQ
from search_index.backends import get_backend
from search_index.backends.whoosh.searcher import get_searcher
from search_index.documents.builders import MARKDOWN_RULES, faq_document, plain_text
from search_index.query.spelling import suggest
from search_index.sync.rebuild import rebuild
from search_index.text.analysis import WORD_PATTERN
from search_index.text.vocabulary import SHORTEST_SPELLING_WORD, count_words, distinct_words
from tests.index_factories import make_faq


def reference_plain_text(markdown_text):
    """plain_text with every text cleaned by nh3, as before the shortcut."""
    text = nh3.clean(markdown_text or "", tags=set())
    for needed, pattern, replacement in MARKDOWN_RULES:
        if needed in text:
            text = pattern.sub(replacement, text)
    return html.unescape(text).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab _*#>-`[]()!:\n\t1.é’\"'\x0c\x01\r\x00&<\u00a0;", max_size=40))
def test_plain_text_equals_cleaning_every_text(markdown_text):
    assert plain_text(markdown_text) == reference_plain_text(markdown_text)


def reference_distinct_words(*parts):
    """The word-by-word vocabulary the faster one replaced."""
    return {word.lower() for part in parts for word in re.findall(WORD_PATTERN, part or "")}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aAbB'-é É\n", max_size=30), max_size=4))
def test_distinct_words_are_the_lower_cased_words(parts):
    assert distinct_words(*parts) == reference_distinct_words(*parts)


def test_distinct_words_of_a_long_answer():
    parts = ("Numb feet?", "Numb FEET and numb hands", "FEET feet Feet hands don't Don't")
    expected = {"numb", "feet", "and", "hands", "don't"}
    assert distinct_words(*parts) == reference_distinct_words(*parts) == expected


@pytest.mark.django_db
def test_faq_documents_link_as_get_absolute_url(seed):
    faqs = list(FAQ.objects.select_related("article"))
    odd = FAQ(question="Odd slug?", slug="odd", article=None)
    assert faqs
    for faq in [*faqs, odd]:
        assert faq_document(faq)["url"] == faq.get_absolute_url()


@pytest.mark.django_db
def test_faq_links_follow_the_script_prefix(seed):
    faq = FAQ.objects.first()
    set_script_prefix("/health-faq/")
    try:
        assert faq_document(faq)["url"] == faq.get_absolute_url()
        assert faq_document(faq)["url"].startswith("/health-faq/")
    finally:
        set_script_prefix("/")


def test_vocabulary_leaves_out_words_spelling_never_uses():
    assert SHORTEST_SPELLING_WORD == 3
    counts = count_words([{"heading_path": "An ox in a leg", "body": "2 B12 ﬁ"}])
    assert counts == Counter({"leg": 1, "b12": 1, "ﬁ": 1})


@pytest.mark.django_db
def test_a_three_letter_word_is_still_offered_as_a_correction():
    make_faq(question="Why does my leg hurt?", answer="Rest the leg.", slug="leg-hurt")
    rebuild()
    reader = get_searcher().reader()
    assert ("words", "leg") in reader
    assert ("words", "my") not in reader
    assert suggest(get_backend().reader(), "legz") == "leg"
