"""Long consumer questions: chatter removed, the article named found, the asked type preferred."""
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.models import FAQ, Article, Status
from search_index.backends.whoosh.compile import to_whoosh
from search_index.backends.whoosh.searcher import close_searcher
from search_index.caching import results as query_cache
from search_index.caching.registry import reset_all
from search_index.query.glossary import Glossary, analyse
from search_index.query.grammar import parse_clauses
from search_index.query.intent import (
    _TYPE_PATTERNS,
    CHATTER,
    MAX_TYPES,
    TermStats,
    choose_words,
    is_chatter,
    question_types,
    strip_chatter,
)
from search_index.query.plan import build_query
from search_index.service import search
from search_index.sync.rebuild import rebuild


def test_form_fields_placeholders_and_greetings_are_removed():
    text = (
        "Name: [NAME] Date and Time of Contact: Mon, 19 Jan 2015 19:48:21 GMT "
        "EMAIL: [EMAIL] Hello - Dear Dr, is angina inherited? Thank you so much"
    )
    assert strip_chatter(text) == "- , is angina inherited?"


def reference_strip_chatter(text):
    return " ".join(CHATTER.sub(" ", text).split())


def reference_question_types(text):
    found = [(m.start(), kind) for kind, p in _TYPE_PATTERNS if (m := p.search(text))]
    return [kind for _, kind in sorted(found)[:MAX_TYPES]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "Hello", "DEAR DR.", "Thank You", "[NAME]", "EMAIL:", "Mon, 19 Jan 2015 19:48:21 GMT",
    "Is it INHERITED", "treatment", "Cure", "side Effects", "how MANY", "risk", "my", "pain",
    "i was wondering if", "ſ", "İ", "K", " ", ",", "-", "\n",
]), max_size=12))
def test_lower_cased_ascii_searches_find_what_ignorecase_finds(words):
    text = " ".join(words)
    assert strip_chatter(text) == reference_strip_chatter(text)
    assert question_types(text) == reference_question_types(text)


def test_family_and_politeness_words_are_chatter():
    assert is_chatter("Daughter,") and is_chatter("please")
    assert not is_chatter("angina") and not is_chatter("pain")


def test_question_types_in_order_of_mention():
    assert question_types("Is it passed down? How is it treated?") == ["inheritance", "treatment"]
    assert question_types("CURE FOR PNEUMONIA") == ["treatment"]
    assert question_types("prognosis of glioma") == ["outlook"]
    assert question_types("how many people get this") == ["frequency"]
    assert question_types("tell me about pneumonia") == []


def test_the_longest_article_names_are_found_without_overlap():
    lay = Glossary()
    for name in ("diabetes", "diabetes insipidus", "insipidus", "kidney"):
        lay.add_name(analyse(name))
    found = lay.names_in(analyse("born with diabetes insipidus and kidney trouble"))
    assert found == [analyse("diabetes insipidus"), analyse("kidney")]


def make_faq(article: Article, slug: str, question: str, kind: str, answer: str) -> FAQ:
    return FAQ.objects.create(
        article=article, slug=slug, question=question, answer=answer, question_type=kind,
        status=Status.PUBLISHED,
    )


def topic(title: str) -> Article:
    return Article.objects.create(
        title=title, slug=title.lower().replace(" ", "-"), summary="s", status=Status.PUBLISHED,
        published_date=timezone.localdate(),
    )


def test_a_long_letter_finds_the_named_topic_and_its_question_type(db):
    angina = topic("Angina")
    make_faq(angina, "angina-what", "What is angina?", "information", "Chest pain from the heart.")
    make_faq(angina, "angina-help", "What helps angina?", "treatment", "Rest eases chest pain.")
    other = topic("Chest wall strain")
    make_faq(other, "strain-what", "What is chest wall strain?", "information",
             "A pulled muscle; my daughter had chest pain after lifting, thank you.")
    rebuild()
    try:
        letter = ("Hello, my daughter has chest pain and her doctor says angina. "
                  "What is the best cure? Thank you so much.")
        hits = search(letter).hits
        assert [h.url for h in hits[:2]] == ["/faqs/angina-help/", "/faqs/angina-what/"]
    finally:
        close_searcher()


def test_a_repeated_query_is_remembered_until_the_index_changes(db):
    angina = topic("Angina")
    make_faq(angina, "angina-what", "What is angina?", "information", "Chest pain.")
    rebuild()
    try:
        query_cache.clear()
        first = search("angina")
        assert search("angina").hits == first.hits and first.total == 1
        make_faq(angina, "angina-help", "What helps angina?", "treatment", "Rest.")
        rebuild()
        assert search("angina").total == 2
    finally:
        close_searcher()
        query_cache.clear()


def test_a_long_query_keeps_its_rarest_words_and_drops_common_and_unknown_ones():
    frequency = {"angina": 40, "chest": 900, "pain": 9000, "zzq": 0, "cure": 700, "rest": 300,
                 "night": 2000, "walk": 800, "stair": 120, "cold": 1500}
    stats = TermStats(frequency.get, doc_count=47_000)
    chosen = choose_words(list(frequency), stats, most=6)
    assert chosen == ["angina", "chest", "cure", "rest", "walk", "stair"]
    assert choose_words(["pain", "zzq"], stats, most=1) == ["pain"]


def test_document_frequencies_are_remembered_per_reader_within_a_bound(db, monkeypatch):
    from search_index.backends import get_backend
    from search_index.backends.whoosh import backend as whoosh_backend
    from search_index.service import term_stats

    article = topic("Angina")
    make_faq(article, "angina-1", "Is chest pain angina?", "symptoms",
             "Chest pain on exertion can be angina.")
    make_faq(article, "angina-2", "What causes chest pain?", "causes",
             "Many things cause chest pain.")
    rebuild()
    try:
        monkeypatch.setattr(whoosh_backend, "MAX_FREQUENCIES", 3)
        reader = get_backend().reader()
        stats = term_stats(reader)
        whoosh_reader = reader.searcher.reader()
        for token in ("chest", "angina", "caus", "zzq", "chest", "pain"):
            assert stats.doc_frequency(token) == whoosh_reader.doc_frequency("body", token)
            assert len(reader.frequencies) <= 3
        assert stats.doc_frequency("chest") == 2
    finally:
        reset_all()


def _kinds_and_articles_from_stored_fields(searcher):
    found = {}
    for docnum in range(searcher.doc_count_all()):
        fields = searcher.stored_fields(docnum)
        found[docnum] = (fields["kind"], fields["article_slug"] or fields["doc_id"])
    return found


def test_hits_kind_and_article_come_from_columns_as_stored(db):

    from search_index.backends.whoosh.searcher import get_searcher, kind_and_article

    angina = topic("Angina")
    make_faq(angina, "angina-1", "Is chest pain angina?", "symptoms", "It can be.")
    make_faq(None, "lone", "What is a lone question?", "information", "One with no article.")
    try:
        rebuild()
        searcher = get_searcher()
        expected = _kinds_and_articles_from_stored_fields(searcher)
        assert {kind for kind, _ in expected.values()} >= {"symptoms", "information"}
        assert [kind_and_article(searcher, d) for d in expected] == list(expected.values())
    finally:
        close_searcher()


def test_an_answer_ranks_above_a_withheld_one_matching_as_well(db):

    from search_index.backends.whoosh.arrays.ranking import term_factors
    from search_index.backends.whoosh.searcher import get_searcher
    from search_index.service import WITHHELD_FACTOR

    gout = topic("Gout")
    make_faq(gout, "gout-source", "How is gout treated?", "treatment", "")  # withheld
    make_faq(gout, "gout-answered", "How is gout treated?", "treatment",
             "Pain relievers during a flare, then medicines that lower uric acid over months.")
    rebuild()
    try:
        searcher = get_searcher()
        factors = term_factors(searcher, "answered", "no", WITHHELD_FACTOR)
        withheld = {searcher.stored_fields(d)["url"]: factors[d]
                    for d in range(searcher.doc_count_all())}
        assert withheld == {"/faqs/gout-source/": WITHHELD_FACTOR, "/faqs/gout-answered/": 1.0}
        # Its body is just its question: plain BM25 ranks it first.
        plain = searcher.search(to_whoosh(build_query(parse_clauses("how is gout treated"), [])))
        assert plain[0]["url"] == "/faqs/gout-source/"
        query_cache.clear()
        found = search("how is gout treated")
        assert [hit.url for hit in found.hits[:2]] == ["/faqs/gout-answered/", "/faqs/gout-source/"]
    finally:
        close_searcher()
