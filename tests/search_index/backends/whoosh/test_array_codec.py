"""Posting blocks stored as arrays read back exactly as Whoosh's own codec writes them."""
import random
import sys

import numpy as np
import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions

from search_index.backends.whoosh.arrays.codec import (
    ArrayCodec,
    ArrayLeafMatcher,
    ArrayPerDocReader,
    has_position_columns,
    position_lists,
    position_spans,
    read_list,
)
from search_index.backends.whoosh.schema import build_schema
from search_index.backends.whoosh.storage import ArrayIndex, open_index
from search_index.sync.rebuild import rebuild

WORDS = (
    "numb feet tingling hands pins needles nerve damage diabetes vitamin back pain sciatica "
    "blood sugar pressure high low treatment causes night burning toes leg cramps"
).split()


def documents(count: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)

    def text(low: int, high: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))

    # Bodies up to 1,500 words: several blocks per common word, several positions per posting.
    return [
        {
            "doc_id": f"faq:{n}",
            "doc_type": "faq",
            "title": text(1, 6),
            "heading_path": text(2, 8),
            "body": text(0, 1500 if n % 50 == 0 else 60),
            "article_title": text(1, 3),
            "kind": rng.choice(["causes", "treatment"]),
        }
        for n in range(count)
    ]


def build(path, codec, docs, batches=2):
    path.mkdir(exist_ok=True)
    storage = FileStorage(str(path))
    ix = ArrayIndex.create(storage, build_schema(), "MAIN")
    size = -(-len(docs) // batches)
    for start in range(0, len(docs), size):
        writer = ix.writer(codec=codec)
        for doc in docs[start : start + size]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    return ix


QUERIES = [
    wq.Term("body", "numb"),
    wq.Term("heading_path", "pain"),
    wq.Term("doc_type", "faq"),
    wq.Phrase("body", ["blood", "sugar"]),
    wq.Phrase("body", ["numb", "feet", "tingl"], slop=2),
    wq.Phrase("title", ["high", "blood", "pressur"]),
    wq.Or([wq.Term("title", "sciatica"), wq.Phrase("body", ["back", "pain"])]),
]


@pytest.fixture(scope="module")
def twin_indexes(tmp_path_factory):
    docs = documents(2400)
    arrays = build(tmp_path_factory.mktemp("arrays"), ArrayCodec(), docs)
    whoosh = build(tmp_path_factory.mktemp("whoosh"), W3Codec(), docs)
    return arrays, whoosh


def hits(ix, query):
    with ix.searcher() as searcher:
        return [(h.docnum, round(h.score, 9)) for h in searcher.search(query, limit=None)]


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_whoosh_searches_array_blocks_as_its_own(twin_indexes, query):
    arrays, whoosh = twin_indexes
    found = hits(arrays, query)
    assert found, "the fixture should match every query"
    assert found == hits(whoosh, query)


def test_each_posting_reads_back_with_its_weight_and_positions(twin_indexes):
    arrays, whoosh = twin_indexes
    with arrays.reader() as mine, whoosh.reader() as theirs:
        for fieldname in ("body", "title", "heading_path"):
            for word in ("numb", "pain", "sugar"):
                got = list(mine.postings(fieldname, word).items_as("positions")
                           if fieldname != "heading_path"
                           else mine.postings(fieldname, word).items_as("weight"))
                want = list(theirs.postings(fieldname, word).items_as("positions")
                            if fieldname != "heading_path"
                            else theirs.postings(fieldname, word).items_as("weight"))
                assert got == want


def test_segments_of_both_codecs_merge_into_one(tmp_path):
    docs = documents(600, seed=5)
    ix = build(tmp_path / "mixed", W3Codec(), docs[:300], batches=1)
    writer = ix.writer()
    for doc in docs[300:]:
        writer.add_document(**doc)
    writer.commit(merge=False)
    reference = build(tmp_path / "plain", W3Codec(), docs)
    assert [hits(ix, q) for q in QUERIES] == [hits(reference, q) for q in QUERIES]
    ix.writer().commit(optimize=True)
    # Whoosh's own merge, for the same figures: it sums the stored (rounded) field lengths.
    reference.writer(codec=W3Codec()).commit(optimize=True)
    with ix.reader() as reader:
        assert reader.is_atomic()
        assert type(reader.segment().codec()) is ArrayCodec
    assert [hits(ix, q) for q in QUERIES] == [hits(reference, q) for q in QUERIES]


def extent_end(info) -> int:
    """Where Whoosh's term info says a posting list ends."""
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it in a 1-tuple
        (length,) = length
    return offset + length


def test_whole_lists_and_the_positions_of_chosen_documents(twin_indexes):
    arrays, whoosh = twin_indexes
    with arrays.reader() as reader:
        segment = reader.leaf_readers()[0][0]
        assert has_position_columns(segment._terms._codec)
        for fieldname, word in (("body", "numb"), ("title", "pain")):
            field = segment.schema[fieldname]
            matcher = segment._terms.matcher(fieldname, field.to_bytes(word), field.format)
            assert isinstance(matcher, ArrayLeafMatcher)
            postfile = segment._terms._postfile
            info = segment._terms.term_info(fieldname, field.to_bytes(word))
            ids, weights, columns = read_list(postfile, info.extent()[0])
            assert columns == extent_end(info)
            if fieldname == "body":
                assert len(ids) > 512, "a list of several blocks"
            expected = list(segment.postings(fieldname, word).items_as("positions"))
            assert ids.tolist() == [d for d, _ in expected]
            boost = field.format.field_boost
            assert weights.tolist() == [boost * len(p) for _, p in expected]
            chosen = ids[::7].astype(np.int64)
            first, end, column = position_spans(postfile, ids, columns, chosen)
            by_doc = dict(expected)
            for i, docnum in enumerate(chosen.tolist()):
                assert column[first[i] : end[i]].tolist() == by_doc[docnum]
            listed = position_lists(postfile, ids, columns, chosen)
            assert [list(p) for p in listed] == [by_doc[d] for d in chosen.tolist()]
            for read in (position_spans, position_lists):
                with pytest.raises(ValueError, match="without the term"):
                    read(postfile, ids, columns, np.array([ids[-1] + 1]))


def test_damaged_position_columns_are_an_error_not_a_huge_read(twin_indexes):
    arrays, _whoosh = twin_indexes
    with arrays.reader() as reader:
        segment = reader.leaf_readers()[0][0]
        field = segment.schema["body"]
        info = segment._terms.term_info("body", field.to_bytes("numb"))
        postfile = segment._terms._postfile
        ids, _weights, columns = read_list(postfile, info.extent()[0])
        data = bytearray(postfile.get(0, columns + 4 * (len(ids) + 1)))
    total = int.from_bytes(data[columns + 4 * len(ids) : columns + 4 * (len(ids) + 1)],
                           sys.byteorder)
    # Postings 0, 2 and 4 now each seem to hold every position of the list: a damaged
    # file would have a query gather them all, over and over.
    for posting in range(6):
        start = 0 if posting % 2 == 0 else total
        data[columns + 4 * posting : columns + 4 * posting + 4] = start.to_bytes(4, sys.byteorder)
    damaged = BufferFile(memoryview(bytes(data)))
    for read in (position_spans, position_lists):
        with pytest.raises(ValueError, match="damaged position columns"):
            read(damaged, ids, columns, ids[[0, 2, 4]].astype(np.int64))
    # The copy ends where the positions begin, as a file cut short would.
    with pytest.raises(ValueError, match="damaged position columns"):
        position_lists(damaged, ids, columns, ids[-1:].astype(np.int64))


def test_rebuild_replaces_an_index_written_with_plain_positions(db, index_dir):
    old_schema = build_schema()
    for name in ("title", "body", "article_title"):
        old_schema[name].format = Positions(field_boost=old_schema[name].format.field_boost)
    index_dir.mkdir()
    index.create_in(str(index_dir), old_schema).writer().commit()
    rebuild()
    assert open_index(create=False).schema == build_schema()


def test_field_lengths_read_once_equal_whooshs_own(twin_indexes):
    arrays, _whoosh = twin_indexes
    with arrays.reader() as reader:
        for segment, _offset in reader.leaf_readers():
            mine = segment._perdoc
            assert isinstance(mine, ArrayPerDocReader)
            theirs = W3PerDocReader(segment._storage, segment.segment())
            for fieldname in ("body", "title", "heading_path", "also_called", "no_such_field"):
                for docnum in range(segment.doc_count_all()):
                    assert mine.doc_field_length(docnum, fieldname) == theirs.doc_field_length(
                        docnum, fieldname
                    )
