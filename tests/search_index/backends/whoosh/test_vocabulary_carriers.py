"""The spelling vocabulary: counted once per rebuild, carried by a few documents, kept and
extended by incremental updates, and invisible to searches and to the index's counts."""
from collections import Counter

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT

from faq.models import FAQ, Status
from search_index.backends.whoosh.analysis import CountedWords, WhooshWords
from search_index.backends.whoosh.backend import WhooshReader
from search_index.backends.whoosh.schema import build_schema
from search_index.backends.whoosh.searcher import close_searcher
from search_index.backends.whoosh.storage import open_index
from search_index.backends.whoosh.vocabulary import carried_words
from search_index.backends.whoosh.writing import same_schema
from search_index.query.spelling import suggest
from search_index.service import search
from search_index.sync import rebuild as indexer
from search_index.sync.queue import enqueue
from search_index.text.analysis import vocabulary_analyzer
from search_index.text.vocabulary import (
    REBUILD_CARRIERS,
    VOCABULARY_FIELD,
    spread_over,
    vocabulary_text,
)
from tests.index_factories import make_faq

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(settings):
    """Saves do not queue by themselves: each test drives the queue."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    yield
    close_searcher()


def vocabulary() -> dict[str, float]:
    """Every vocabulary word of the committed index with its weight (its document count)."""
    with open_index(create=False).searcher() as searcher:
        reader = searcher.reader()
        return {
            word: reader.frequency(VOCABULARY_FIELD, word)
            for word in reader.field_terms(VOCABULARY_FIELD)
            if reader.frequency(VOCABULARY_FIELD, word) > 0
        }


def suggestion(text: str) -> str | None:
    with open_index(create=False).searcher() as searcher:
        return suggest(WhooshReader(searcher), text)


def carriers() -> list[str]:
    """The doc_ids of live documents that carry vocabulary."""
    with open_index(create=False).searcher() as searcher:
        reader = searcher.reader()
        return sorted(
            searcher.stored_fields(n)["doc_id"]
            for n in reader.all_doc_ids()
            if not reader.is_deleted(n) and reader.has_vector(n, VOCABULARY_FIELD)
        )


def merge_away_deleted_documents() -> None:
    """Whoosh keeps a deleted document's terms until its segment is merged: merge now."""
    open_index(create=False).optimize()


def apply(faq: FAQ) -> None:
    enqueue("faq", faq.pk)
    assert indexer.apply_pending() == 1


def test_counted_words_weigh_each_word_by_its_count():
    tokens = [(t.text, t.boost) for t in CountedWords()("Numbness 12\nPARESTHÉSIE 3\n\nfeet")]
    assert tokens == [("numbness", 12.0), ("paresthesie", 3.0), ("feet", 1.0)]
    assert CountedWords() == CountedWords() != WhooshWords(vocabulary_analyzer())


def test_spread_over_gives_every_word_to_exactly_one_carrier():
    documents = [{"doc_id": f"faq:{n}"} for n in range(3)]
    counts = Counter({f"word{n:02}": n + 1 for n in range(10)})
    spread_over(documents, counts)
    lines = [line for d in documents for line in d[VOCABULARY_FIELD].splitlines()]
    assert sorted(lines) == sorted(vocabulary_text(counts).splitlines())
    assert len(lines) == 10


def test_rebuild_counts_each_word_once_per_document_and_suggests_the_commoner_word():
    make_faq(question="Why are my cramps worse?", answer="Cramps, cramps.", slug="a")
    make_faq(question="Are cramps serious?", answer="Sometimes.", slug="b")
    make_faq(question="Are summer camps safe?", answer="Mostly.", slug="c")
    indexer.rebuild()
    words = vocabulary()
    assert words["cramps"] == 2  # two documents, however often each says it
    assert words["camps"] == 1
    assert "my" not in words  # too short for spelling to ever use
    assert suggestion("crmps") == "cramps"  # one edit from both: the commoner wins


def test_rebuild_puts_the_vocabulary_on_its_last_few_documents_only():
    faqs = [make_faq(question=f"Question {n} about word{n}?", slug=f"q{n}") for n in range(12)]
    stats = indexer.rebuild()
    assert stats.total == 12
    assert carriers()
    assert set(carriers()) <= {f"faq:{f.pk}" for f in faqs[-REBUILD_CARRIERS:]}
    assert {f"word{n}" for n in range(12)} <= set(vocabulary())


def test_a_word_saved_by_an_editor_is_suggested_after_the_queue_applies():
    make_faq(question="Why are my toes numb?", slug="toes")
    indexer.rebuild()
    assert suggestion("erythromelalgai") is None
    faq = make_faq(question="What is erythromelalgia?", answer="Burning feet.", slug="em")
    apply(faq)
    assert suggestion("erythromelalgai") == "erythromelalgia"
    faq.answer = "Burning feet and causalgia."
    faq.save()
    apply(faq)
    assert suggestion("causalgai") == "causalgia"
    assert suggestion("erythromelalgai") == "erythromelalgia"  # still carried


def test_words_survive_when_their_carrier_is_edited_or_deleted():
    first = make_faq(question="Is tinnitus dangerous?", slug="tinnitus")
    second = make_faq(question="What causes vertigo?", slug="vertigo")
    indexer.rebuild()
    assert carriers() == sorted([f"faq:{first.pk}", f"faq:{second.pk}"])
    with open_index(create=False).searcher() as searcher:
        before = carried_words(searcher, [f"faq:{first.pk}", f"faq:{second.pk}"])
    second.answer = "Inner ear trouble."
    second.save()
    apply(second)
    first.status = Status.DRAFT
    first.save()
    apply(first)
    merge_away_deleted_documents()
    words = vocabulary()
    assert words["vertigo"] == before["vertigo"] == 1
    assert words["tinnitus"] == 1  # a deleted document's word lingers until the next rebuild
    assert carriers() == [f"faq:{second.pk}"]
    assert suggestion("tinnitis") == "tinnitus"


def test_deleting_the_only_carrier_moves_the_words_to_another_document():
    keep = make_faq(question="What is sciatica?", slug="sciatica")
    indexer.rebuild()
    other = make_faq(question="What is bursitis?", slug="bursitis")
    apply(other)  # the new word 'bursitis' rides on its own document
    pk = other.pk
    other.delete()
    enqueue("faq", pk)
    assert indexer.apply_pending() == 1
    merge_away_deleted_documents()
    assert carriers() == [f"faq:{keep.pk}"]
    assert suggestion("bursitus") == "bursitis"
    assert suggestion("siatica") == "sciatica"


def test_carriers_never_match_a_search_and_count_as_plain_documents():
    faqs = [make_faq(question=f"Is {w} catching?", slug=w) for w in ("measles", "mumps")]
    indexer.rebuild()
    hits = search("measles").hits
    assert [h.url for h in hits] == [faqs[0].get_absolute_url()]
    assert search("1").total == 0  # the counts in the vocabulary lines are not searchable
    status = indexer.index_status()
    assert status["in_step"] and status["index_total"] == 2
    assert status["index"] == {"section": 0, "faq": 2}
    stats = indexer.reconcile()
    assert (stats.changed, stats.unchanged) == (0, 2)


def test_reconcile_keeps_the_vocabulary_and_learns_new_words():
    keep = make_faq(question="What is gout?", slug="gout")
    gone = make_faq(question="What is lumbago?", slug="lumbago")
    indexer.rebuild()
    FAQ.objects.filter(pk=gone.pk).delete()  # no signal queue: only reconcile notices
    FAQ.objects.filter(pk=keep.pk).update(answer="Uric acid crystals in a joint.")
    stats = indexer.reconcile()
    assert (len(stats.updated), len(stats.deleted)) == (1, 1)
    merge_away_deleted_documents()
    assert suggestion("lumbagoo") == "lumbago"
    assert suggestion("cristals") == "crystals"
    assert indexer.index_status()["in_step"]


def test_rebuild_replaces_an_index_whose_vocabulary_field_was_analysed_the_old_way(index_dir):
    old = build_schema()
    old.remove(VOCABULARY_FIELD)
    old.add(VOCABULARY_FIELD, TEXT(analyzer=WhooshWords(vocabulary_analyzer()), phrase=False))
    assert old == build_schema()  # Whoosh's equality does not see the difference
    index_dir.mkdir(parents=True)
    whoosh_index.create_in(str(index_dir), old)
    make_faq(question="Is a migraine a headache?", slug="migraine")
    indexer.rebuild()
    assert same_schema(open_index(create=False).schema, build_schema())
    assert vocabulary()["migraine"] == 1
