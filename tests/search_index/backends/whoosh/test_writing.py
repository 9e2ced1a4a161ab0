"""The Whoosh backend's writing methods, as sync/ calls them through get_backend()."""
import pytest
from whoosh.index import LockError

from search_index.backends import IndexLocked, IndexUnavailable, get_backend
from search_index.backends.whoosh.storage import open_index
from search_index.documents.builders import faq_document, iter_documents, spare_document
from search_index.query.spelling import suggest
from search_index.text.vocabulary import with_vocabulary
from tests.index_factories import make_faq

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(settings):
    """Saves do not queue by themselves: each test writes through the backend."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    yield
    get_backend().close()


def replace_all() -> None:
    backend = get_backend()
    documents = list(with_vocabulary(iter_documents()))
    with backend.writer_lock(5.0):
        backend.replace_all(documents, len(documents))


def test_replace_all_writes_every_document_and_counts_them_by_type():
    faqs = [make_faq(question=f"Is sciatica {n} serious?") for n in range(3)]
    replace_all()
    backend = get_backend()
    assert backend.has_index()
    assert backend.document_counts(["faq", "section"]) == ({"faq": 3, "section": 0}, 3)
    stored = backend.stored_documents()
    assert sorted(stored) == sorted(f"faq:{faq.pk}" for faq in faqs)
    first = stored[f"faq:{faqs[0].pk}"]
    assert len(first) == 1 and first[0]["title"] == "Is sciatica 0 serious?"
    assert first[0]["source_url"] == ""  # every stored field, "" when the document has none


def test_apply_changes_updates_deletes_and_keeps_the_spelling_vocabulary():
    kept, edited, deleted = (make_faq(question=f"Why is my {word} sore?")
                             for word in ("shoulder", "elbow", "ankle"))
    replace_all()
    edited.question = "Why is my erythromelalgia worse at night?"
    edited.save()
    backend = get_backend()
    with backend.writer_lock(5.0):
        backend.apply_changes([faq_document(edited)], [f"faq:{deleted.pk}"], spare_document)
    backend.close()
    assert backend.document_counts(["faq"]) == ({"faq": 2}, 2)
    stored = backend.stored_documents()
    assert stored[f"faq:{edited.pk}"][0]["title"] == "Why is my erythromelalgia worse at night?"
    assert f"faq:{deleted.pk}" not in stored and f"faq:{kept.pk}" in stored
    reader = backend.reader()
    assert suggest(reader, "erythromelalgai") == "erythromelalgia"  # a new word is learnt
    assert suggest(reader, "shoulderr") == "shoulder"  # the carried words stay


def test_a_refused_document_is_returned_and_the_others_commit():
    good, bad = (make_faq(question=f"Why is my {word} sore?") for word in ("wrist", "knee"))
    replace_all()
    good.question = "Why is my wrist sore after typing?"
    good.save()
    broken = {**faq_document(bad), "no_such_field": "x"}  # Whoosh refuses an unknown field
    backend = get_backend()
    with backend.writer_lock(5.0):
        refused = backend.apply_changes(
            [broken, faq_document(good)], [], spare_document, wait=1.0, create=False
        )
    backend.close()
    assert list(refused) == [f"faq:{bad.pk}"]
    stored = backend.stored_documents()
    assert stored[f"faq:{good.pk}"][0]["title"] == "Why is my wrist sore after typing?"
    # Whoosh deletes before it adds: the refused one's entry in the log is retried.


def test_apply_changes_to_a_missing_index_without_create_is_unavailable(tmp_path, settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": tmp_path / "none"}
    faq = make_faq(question="Is a stiff neck serious?")
    with pytest.raises(IndexUnavailable):
        get_backend().apply_changes([faq_document(faq)], [], spare_document, create=False)


def test_apply_changes_with_nothing_to_do_writes_nothing():
    make_faq()
    replace_all()
    generation = open_index(create=False).latest_generation()
    with get_backend().writer_lock(5.0):
        get_backend().apply_changes([], [], spare_document)
    assert open_index(create=False).latest_generation() == generation


def test_whooshs_own_busy_lock_is_the_neutral_index_locked():
    make_faq()
    replace_all()
    ix = open_index(create=False)
    holder = ix.writer()
    try:
        with pytest.raises(IndexLocked) as raised:
            ix.writer(timeout=0.05)
        assert isinstance(raised.value.__cause__, LockError)
    finally:
        holder.cancel()


def test_counting_a_missing_index_says_it_is_unavailable():
    with pytest.raises(IndexUnavailable):
        get_backend().document_counts(["faq"])
    assert not get_backend().has_index()
    assert get_backend().size_bytes() == 0
