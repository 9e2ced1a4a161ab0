"""The array ranker ranks exactly as Whoosh's own searcher does, over several segments."""
import random

import numpy as np
import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import TF_IDF

from search_index.backends.whoosh.arrays import lexicon, ranking
from search_index.backends.whoosh.arrays.codec import ArrayCodec, has_position_columns, read_list
from search_index.backends.whoosh.arrays.ranking import (
    ArrayRanker,
    Unsupported,
    rank_documents,
    scores_kept,
)
from search_index.backends.whoosh.compile import to_whoosh
from search_index.backends.whoosh.schema import build_schema
from search_index.backends.whoosh.storage import ArrayIndex
from search_index.caching.registry import reset_all
from search_index.query import plan as planning
from search_index.query.glossary import Glossary
from search_index.query.grammar import parse_clauses
from tests.search_index.backends.whoosh.test_array_codec import extent_end


def build_query(clauses, expansions):
    """The plan's Whoosh query: what the array ranker and Whoosh's searcher both run."""
    return to_whoosh(planning.build_query(clauses, expansions))


def plan(text, lay):
    node, terms = planning.plan(text, lay)
    return to_whoosh(node), terms

FIELDS = ["title", "body", "article_title", "heading_path", "also_called"]
WORDS = (
    "numb feet tingling hands pins needles nerve damage diabetes vitamin b12 back pain sciatica "
    "spine leg cramps night burning toes blood sugar alcohol injury pressure treatment causes"
).split()

QUERIES = [
    "numb feet",
    "pins and needles in my toes at night",
    "burning feet diabetes treatment",
    '"pins needles" toes',
    "numb +feet -diabetes",
    "+sciatica +pain",
    '-alcohol "blood sugar" nerve',
    "vitamin b12 numb hands feet night pain cramps sciatica spine leg toes burning injury",
    "pressure",
    "nothingmatches",
]


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def document(rng: random.Random, number: int) -> dict:
    return {
        "doc_id": f"faq:{number}",
        "doc_type": "faq",
        "title": sentence(rng, 2, 6),
        "heading_path": sentence(rng, 3, 8),
        "body": sentence(rng, 10, 80),
        "article_title": sentence(rng, 1, 3),
        "also_called": sentence(rng, 0, 2),
        "kind": "causes",
    }


@pytest.fixture(autouse=True)
def every_phrase_checked(monkeypatch):
    """Phrases and proximity bonuses checked in every candidate, so rankings can equal
    Whoosh's (each cap is tested on its own below)."""
    monkeypatch.setattr(ranking, "BONUS_CANDIDATES", 10_000)
    monkeypatch.setattr(ranking, "PHRASE_CANDIDATES", 10_000)


@pytest.fixture(params=["array blocks", "whoosh blocks", "both"])
def segmented_index(tmp_path, request):
    """An index of three segments, one with deleted documents (updated in a later commit).

    Its segments are written with array_codec.py, with Whoosh's own codec, or ("both") the
    first with Whoosh's, the second with arrays before position columns, the others with
    arrays as now (an index written by earlier versions, then updated).
    """
    rng = random.Random(7)
    ix = ArrayIndex.create(FileStorage(str(tmp_path)), build_schema(), "MAIN")
    for batch in range(3):
        codec = ArrayCodec()
        if request.param == "whoosh blocks" or (request.param == "both" and batch == 0):
            codec = W3Codec()
        elif request.param == "both" and batch == 1:
            del codec.position_columns  # as unpickled from an older table of contents
        writer = ix.writer(codec=codec)
        for number in range(batch * 60, batch * 60 + 60):
            writer.add_document(**document(rng, number))
        writer.commit(merge=False)
    writer = ix.writer(codec=W3Codec()) if request.param == "whoosh blocks" else ix.writer()
    for number in range(0, 150, 7):  # updates delete the old copies in earlier segments
        writer.update_document(**document(rng, number))
    writer.delete_by_term("doc_id", "faq:3")
    writer.commit(merge=False)
    segments = [reader.segment().codec() for reader, _offset in ix.reader().leaf_readers()]
    assert len(segments) == 4
    if request.param == "both":
        assert [type(c) is ArrayCodec and has_position_columns(c) for c in segments] == [
            False, False, True, True]
    return ix


def whoosh_ranking(searcher, query, limit):
    # Every match, then the best: Whoosh's collector asked for a few hits of an AND query can
    # miss the best of them (seen here: "+sciatica +pain" at limit 5 skips the top two).
    found = searcher.search(query, limit=None, optimize=False)
    return [(hit.docnum, hit.score) for hit in found][:limit]


def assert_same(found, expected):
    assert [d for d, _ in found] == [d for d, _ in expected]
    assert [s for _, s in found] == pytest.approx([s for _, s in expected], rel=1e-9)


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("limit", [5, 200])
@pytest.mark.parametrize("few", [0, 10**6], ids=["phrases over arrays", "phrases one by one"])
@pytest.mark.parametrize("listed", [False, True], ids=["looked up", "listed"])
def test_same_documents_order_and_scores_as_whoosh(
    segmented_index, text, limit, few, listed, monkeypatch
):
    monkeypatch.setattr(ranking, "FEW_DOCUMENTS", few)
    lay = Glossary()
    lay.add("toes", ["blood sugar", "nerve"])  # an expansion phrase, as the glossary gives
    query, _terms = plan(text, lay)
    with segmented_index.searcher() as searcher:
        if query is None:
            pytest.skip("no query to run")
        expected = whoosh_ranking(searcher, query, limit)
        reset_all()
        if listed:
            lexicon.build(searcher.reader(), FIELDS)  # none for segments of Whoosh's codec
        assert_same(ArrayRanker(searcher).rank(query, limit), expected)
        # Again from the remembered postings.
        assert_same(ArrayRanker(searcher).rank(query, limit), expected)


def test_synonym_phrases_find_documents_the_words_do_not(segmented_index):
    query = build_query(parse_clauses("sciatica"), [("blood", "sugar"), ("nerve",)])
    with segmented_index.searcher() as searcher:
        expected = whoosh_ranking(searcher, query, 200)
        assert_same(ArrayRanker(searcher).rank(query, 200), expected)
        phrase_only = {d for d, _ in expected} - {
            d for d, _ in whoosh_ranking(searcher, build_query(parse_clauses("sciatica"), []), 500)
        }
        assert phrase_only, "the fixture should have documents found only through the synonyms"


def test_deleted_documents_are_never_returned(segmented_index):
    with segmented_index.searcher() as searcher:
        found = ArrayRanker(searcher).rank(build_query(parse_clauses("numb feet pain"), []), 500)
        ids = {searcher.stored_fields(d)["doc_id"] for d, _ in found}
        assert "faq:3" not in ids
        assert len(ids) == len(found)  # an updated document appears once, its new copy
        assert all(not searcher.reader().is_deleted(d) for d, _ in found)


def test_a_new_commit_is_seen_though_postings_are_remembered(segmented_index):
    query = build_query(parse_clauses("sciatica"), [])
    with segmented_index.searcher() as searcher:
        before = ArrayRanker(searcher).rank(query, 500)
    writer = segmented_index.writer()
    writer.add_document(doc_id="faq:new", doc_type="faq", title="sciatica sciatica",
                        body="sciatica", heading_path="sciatica")
    writer.commit(merge=False)
    with segmented_index.searcher() as searcher:
        after = ArrayRanker(searcher).rank(query, 500)
        assert len(after) == len(before) + 1
        assert "faq:new" in {searcher.stored_fields(d)["doc_id"] for d, _ in after}
        assert_same(after, whoosh_ranking(searcher, query, 500))


def test_other_weighting_models_fall_back_to_whoosh(segmented_index):
    query = build_query(parse_clauses("numb feet"), [])
    with segmented_index.searcher(weighting=TF_IDF()) as searcher:
        with pytest.raises(Unsupported):
            ArrayRanker(searcher)
        assert_same(rank_documents(searcher, query, 10), whoosh_ranking(searcher, query, 10))


def test_unknown_query_types_fall_back_to_whoosh(segmented_index):
    query = wq.Or([wq.Term("body", "numb"), wq.Prefix("body", "tingl")])
    with segmented_index.searcher() as searcher:
        assert_same(rank_documents(searcher, query, 10), whoosh_ranking(searcher, query, 10))


def test_postings_memory_stays_bounded(segmented_index, monkeypatch):
    monkeypatch.setattr(ranking, "CACHE_BYTES", 500)
    reset_all()
    with segmented_index.searcher() as searcher:
        ArrayRanker(searcher).rank(build_query(parse_clauses(" ".join(WORDS)), []), 10)
    assert ranking.postings_cache.size <= 500 or len(ranking.postings_cache.entries) == 1
    reset_all()


def test_an_empty_index_ranks_nothing(tmp_path):
    ix = index.create_in(tmp_path, build_schema())
    with ix.searcher() as searcher:
        assert ArrayRanker(searcher).rank(build_query(parse_clauses('numb "pins needles"'), []),
                                          10) == []


def test_a_phrase_of_common_words_is_checked_only_where_its_words_score_best(
    segmented_index, monkeypatch
):
    monkeypatch.setattr(ranking, "PHRASE_CANDIDATES", 8)
    checked = 0
    with segmented_index.searcher() as searcher:
        for first, second in [("numb", "feet"), ("back", "pain"), ("blood", "sugar")]:
            phrase = wq.Phrase("body", [first, second], slop=1)
            everywhere = {d for d, _ in whoosh_ranking(searcher, phrase, None)}
            reset_all()
            ranker = ArrayRanker(searcher)
            holders = ranker.holding_every_word(phrase)
            assert len(holders) > 8, "the fixture should hold these words in many documents"
            scores = ranker.phrase_score(phrase, holders)
            best = set(holders[np.argsort(-scores, kind="stable")[:8]].tolist())
            # Deleted documents may be in the remembered set: the ranker masks them.
            found = {d for d in ranker.phrase_docs(phrase).tolist() if ranker.live[d]}
            assert found == best & everywhere
            checked += len(found)
    assert checked, "some phrase should occur among its best-scoring documents"
    reset_all()


def test_proximity_bonuses_are_checked_for_the_best_matches_only(segmented_index, monkeypatch):
    query, _terms = plan("numb feet pain night", Glossary())
    bonuses = [q for q in query.subqueries if type(q) is wq.Phrase]
    assert bonuses, "a short query has proximity bonuses"
    without = wq.Or([q for q in query.subqueries if type(q) is not wq.Phrase])
    with segmented_index.searcher() as searcher:
        exact = dict(whoosh_ranking(searcher, query, None))
        words_only = whoosh_ranking(searcher, without, None)
        monkeypatch.setattr(ranking, "BONUS_CANDIDATES", 10)
        found = dict(ArrayRanker(searcher).rank(query, 500))
    assert set(found) == set(exact)  # a bonus changes scores, never which documents match
    head = {d for d, _ in words_only[:10]}
    assert any(found[d] != score for d, score in words_only if d in head), "bonuses found"
    for docnum, score in words_only:
        assert found[docnum] == pytest.approx(exact[docnum] if docnum in head else score)


def test_a_phrase_on_a_field_without_positions_is_left_to_whoosh(segmented_index):
    phrase = wq.Phrase("heading_path", ["numb", "feet"])
    with segmented_index.searcher() as searcher:
        with pytest.raises(Unsupported):
            ArrayRanker(searcher).rank(phrase, 10)
        with pytest.raises(wq.QueryError):  # Whoosh's own answer to such a query
            rank_documents(searcher, phrase, 10)


def test_field_lengths_and_words_found_nowhere_share_the_bounded_memory(
    segmented_index, monkeypatch
):
    monkeypatch.setattr(ranking, "CACHE_BYTES", 1)
    reset_all()
    with segmented_index.searcher() as searcher:
        for word in WORDS:
            ArrayRanker(searcher).rank(wq.Term("body", word), 10)
    assert len(ranking.postings_cache.entries) == 1
    reset_all()


def test_scores_are_remembered_per_searcher_within_a_bound(segmented_index, monkeypatch):
    query = build_query(parse_clauses("numb feet pain"), [])
    with segmented_index.searcher() as searcher:
        first = ArrayRanker(searcher).rank(query, 50)
        assert scores_kept(searcher), "a searcher keeps its terms' scores"
        assert_same(ArrayRanker(searcher).rank(query, 50), first)
    monkeypatch.setattr(ranking, "SCORES_BYTES", 1)
    with segmented_index.searcher() as searcher:  # a new searcher: its own scores
        assert_same(ArrayRanker(searcher).rank(query, 50), first)
        assert scores_kept(searcher) == 1


@pytest.mark.parametrize("listed", [False, True], ids=["looked up", "listed"])
def test_preloaded_lists_are_those_a_query_would_read(segmented_index, listed):
    fields = ["title", "body", "heading_path"]
    with segmented_index.searcher() as searcher:
        reset_all()
        if listed:
            lexicon.build(searcher.reader(), fields)
        read = ranking.preload(searcher.reader(), fields, min_documents=5)
        assert read > 0
        kept = dict(ranking.postings_cache.entries)
        for leaf, _offset in searcher.reader().leaf_readers():
            for fieldname in fields:
                for text, info in leaf.iter_field(fieldname):
                    key = (ranking.segment_key(leaf), fieldname, text.decode())
                    assert (key in kept) == (info.doc_frequency() >= 5)
                    if key in kept:
                        fresh = ranking.postings_of(leaf._terms, leaf.schema[fieldname], info)
                        assert len(kept[key]) == len(fresh)
                        for mine, theirs in zip(kept[key], fresh, strict=True):
                            assert np.array_equal(mine, theirs)
        for text in QUERIES:
            query, _terms = plan(text, Glossary())
            if query is not None:
                assert_same(ArrayRanker(searcher).rank(query, 50),
                            whoosh_ranking(searcher, query, 50))


def test_preloading_stops_at_its_share_of_the_cache(segmented_index, monkeypatch):
    monkeypatch.setattr(ranking, "CACHE_BYTES", 20_000)
    with segmented_index.searcher() as searcher:
        reset_all()
        read = ranking.preload(searcher.reader(), ["body", "title"], min_documents=1)
        kept = ranking.postings_cache.values()
        largest = max(ranking.arrays_bytes(found) for found in kept)
        assert 0 < read < sum(1 for leaf, _ in searcher.reader().leaf_readers()
                              for _ in leaf.iter_field("body"))
        assert ranking.postings_cache.size < 20_000 * ranking.PRELOAD_SHARE + largest
    reset_all()


def test_lexicons_list_every_term_where_whoosh_finds_it(segmented_index):
    with segmented_index.searcher() as searcher:
        reset_all()
        reader = searcher.reader()
        listed = lexicon.build(reader, FIELDS)
        counted = 0
        for leaf, _offset in reader.leaf_readers():
            for fieldname in FIELDS:
                table = lexicon.table(leaf, fieldname)
                if not isinstance(leaf._terms._codec, ArrayCodec):
                    assert table is None  # read the Whoosh way
                    continue
                terms = dict(leaf.iter_field(fieldname))
                assert set(table) == {t.decode() for t in terms}
                for term, info in terms.items():
                    offset, count = lexicon.unpack(table[term.decode()])
                    assert (offset, count) == (info.extent()[0], info.doc_frequency())
                    ids, weights, end = read_list(leaf._terms._postfile, offset)
                    assert end == extent_end(info)
                    field = leaf.schema[fieldname]
                    raw = leaf._terms.matcher(fieldname, term, field.format)  # deleted ones too
                    expected = list(raw.items_as("weight"))
                    assert ids.tolist() == [d for d, _ in expected]
                    assert weights.tolist() == pytest.approx([w for _, w in expected])
                counted += len(table)
        assert listed == counted
        for word in [*WORDS, "nothingmatches", "numb feet"]:
            for fieldname in FIELDS:
                assert lexicon.contains(reader, fieldname, word) == ((fieldname, word) in reader)
                assert lexicon.doc_frequency(reader, fieldname, word) == (
                    reader.doc_frequency(fieldname, word))
    reset_all()


def test_lexicons_of_segments_merged_away_are_dropped(segmented_index):
    with segmented_index.searcher() as searcher:
        reset_all()
        lexicon.build(searcher.reader(), FIELDS)
        before = lexicon.tables_kept()
    writer = segmented_index.writer()
    writer.add_document(doc_id="faq:new", doc_type="faq", title="sciatica", body="sciatica")
    writer.commit(optimize=True)  # every segment merged into a new one
    with segmented_index.searcher() as searcher:
        query = build_query(parse_clauses("sciatica pain"), [])
        assert_same(ArrayRanker(searcher).rank(query, 50), whoosh_ranking(searcher, query, 50))
        assert not lexicon.tables_kept() & before
    reset_all()


@pytest.mark.parametrize("weighting", [None, TF_IDF()], ids=["arrays", "whoosh's own"])
def test_term_factors_multiply_scores_before_the_best_are_chosen(segmented_index, weighting):
    query, _terms = plan("numb feet pain night", Glossary())
    options = {} if weighting is None else {"weighting": weighting}
    with segmented_index.searcher(**options) as searcher:
        reset_all()
        factors = ranking.term_factors(searcher, "body", "sciatica", 0.25)
        assert factors[factors != 1].size and set(factors.tolist()) == {0.25, 1.0}
        everything = dict(whoosh_ranking(searcher, query, None))
        assert {d for d, f in enumerate(factors) if f == 0.25 and d in everything}
        expected = sorted(((d, s * factors[d]) for d, s in everything.items()),
                          key=lambda hit: (-hit[1], hit[0]))[:20]
        assert_same(rank_documents(searcher, query, 20, factors), expected)
        # Worked out once per searcher; no field, no factor.
        assert ranking.term_factors(searcher, "body", "sciatica", 0.25) is factors
