"""Where each term's posting list starts, by segment and field, kept in memory.

Finding a term through Whoosh walks its hash file in Python: about 15 µs a term, and as much
again for a word found nowhere. A long question looks up some sixty terms (its words in
three fields and two segments, and their document frequencies), many of them for the first
time. Start-up reads each searched field's whole lexicon once instead (MedQuAD's searched
fields and spelling words are 98,000 terms: 0.5 to 0.9 s, about 10 MB): after that a term
costs a dict lookup, and a missing one nothing more.

Only segments written by the array codec are listed (their lists are read by offset, see
array_codec.read_list); a field of a segment without a table is looked up through Whoosh,
so segments written after start-up are still searched, only not as fast.
"""
import threading

from whoosh.reading import IndexReader

from search_index.backends.whoosh.arrays.codec import ArrayCodec
from search_index.backends.whoosh.arrays.segments import segment_key
from search_index.caching.registry import register

# A list's start and its document count packed in one int: a tuple of two cost 40% more.
COUNT_BITS = 32
COUNT_MASK = (1 << COUNT_BITS) - 1

_lock = threading.Lock()
_tables: dict[tuple, dict[str, int]] = {}


def build(reader: IndexReader, fieldnames: list[str]) -> int:
    """List the fields' terms of every array-codec segment; the number of terms listed."""
    listed = 0
    names: dict[str, str] = {}  # one string per term, shared by fields and segments
    for leaf, _offset in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        if terms is None or not isinstance(terms._codec, ArrayCodec):
            continue
        for fieldname in fieldnames:
            if fieldname not in leaf.schema:
                continue
            table = _table_of(leaf, fieldname, names)
            if table is not None:
                with _lock:
                    _tables[(segment_key(leaf), fieldname)] = table
                listed += len(table)
    return listed


def _table_of(leaf: IndexReader, fieldname: str, names: dict[str, str]) -> dict[str, int] | None:
    field = leaf.schema[fieldname]
    table: dict[str, int] = {}
    for term, info in leaf.iter_field(fieldname):
        count = info.doc_frequency()
        if info.is_inlined() or count > COUNT_MASK:
            return None  # read the Whoosh way: its postings live in the term's info
        text = field.from_bytes(term)
        text = names.setdefault(text, text)
        table[text] = info.extent()[0] << COUNT_BITS | count
    return table


def table(leaf: IndexReader, fieldname: str) -> dict[str, int] | None:
    """The listed terms of one segment's field (see unpack), or None when not listed."""
    return _tables.get((segment_key(leaf), fieldname))


def unpack(value: int) -> tuple[int, int]:
    """(offset of the posting list, number of documents) of a table's value."""
    return value >> COUNT_BITS, value & COUNT_MASK


def doc_frequency(reader: IndexReader, fieldname: str, text: str) -> int:
    """reader.doc_frequency(fieldname, text), from the tables when every segment has one."""
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    total = 0
    for leaf, _offset in leaves:
        found = table(leaf, fieldname)
        if found is None:
            return reader.doc_frequency(fieldname, text)
        total += found.get(text, 0) & COUNT_MASK
    return total


def contains(reader: IndexReader, fieldname: str, text: str) -> bool:
    """(fieldname, text) in reader, from the tables when every segment has one."""
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    found = [table(leaf, fieldname) for leaf, _offset in leaves]
    if any(listed is None for listed in found):
        return (fieldname, text) in reader
    return any(text in listed for listed in found)


def keep_only(segments: set) -> None:
    """Drop the tables of segments other than these (merged away by a commit)."""
    with _lock:
        for key in [key for key in _tables if key[0] not in segments]:
            del _tables[key]


def tables_kept() -> set[tuple]:
    """The (segment, field) keys of the tables built so far."""
    with _lock:
        return set(_tables)


def clear() -> None:
    """Forget every table (tests, benchmarks)."""
    with _lock:
        _tables.clear()


register("lexicon tables", clear)
