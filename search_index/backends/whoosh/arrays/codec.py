"""Whoosh's postings file with each block stored as flat arrays, for the array ranker.

Whoosh's own block is a pickle of a tuple per posting list part: a Python int per document, a
float per weight and, in a field with positions, a separately pickled list per posting. A query
meeting a common word for the first time unpickled tens of thousands of objects, about 1 µs a
posting, and checking a phrase walked the positions one Python call at a time. Here a block
holds packed arrays (ids as deltas, weights, every posting's values joined, their lengths), and
positions are packed 32-bit integers: numpy reads a list with a few calls a block
(`read_list`). Whoosh's matcher interface is kept, so merges, highlighting and Whoosh's
own searcher read these segments as before.

After a list of positions, outside the extent Whoosh knows, the same positions are written
again uncompressed, in one column for the whole list with where each posting's start
("position columns"). A phrase check reads the positions of just its candidate documents
from there, straight from the mapped file (`position_spans`). Reading them from the blocks
meant opening and decompressing every block of a common word for a handful of documents:
the slowest questions spent a third of their ranking time there.

Arrays use the machine's byte order: an index is derived data, rebuilt where it is served.
Segments written by Whoosh's codec (older indexes, tests) are still read by Whoosh's classes,
since every segment names the codec that wrote it.
"""
import io
import pickle
import struct
import zlib
from array import array
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.formats import Frequency, Positions
from whoosh.system import emptybytes, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

# Larger blocks than Whoosh's 128: the ranker reads whole lists, and each block costs a few
# Python calls to find and open.
BLOCK_POSTINGS = 512
COMPRESSION = 3  # zlib level, as Whoosh's codec
MIN_COMPRESSED = 16  # postings in a block worth compressing
UINT32 = np.dtype("=u4")
FLOAT32 = np.dtype("=f4")
if array("I").itemsize != 4 or array("f").itemsize != 4:  # pragma: no cover - exotic platforms
    raise ImportError("array_codec needs 4-byte unsigned ints and floats")


class _AnalysedAtOnce:
    """A format's word_values with each term's positions from the analyzer at once, where it
    gives them (the project's does): Whoosh's way, a Token per word through two generators,
    was a fifth of a rebuild's indexing time."""

    def word_values(self, value, analyzer, **kwargs):
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is None or not isinstance(value, str) or kwargs.get("tokenize") is False:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for word, places in term_positions(value).items():
            # A token's boost is 1.0 here, so a term weighs its count (Whoosh sums the boosts).
            yield word, len(places), len(places) * boost, self._encoded(places)


class PackedPositions(_AnalysedAtOnce, Positions):
    """Positions as packed unsigned 32-bit integers: numpy reads a posting list's in one call."""

    def _encoded(self, places: list[int]) -> bytes:
        return array("I", places).tobytes()

    def encode(self, poslist):
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring):
        positions = array("I")
        positions.frombytes(valuestring)
        return positions.tolist()

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4


class TermCounts(_AnalysedAtOnce, Frequency):
    """Whoosh's Frequency format, each term's count taken from the analyzer at once."""

    def _encoded(self, places: list[int]) -> bytes:
        return pack_uint(len(places))


def _pack(data: bytes, level: int) -> bytes:
    return zlib.compress(data, level) if level else data


def _unpack(data: bytes, level: int) -> bytes:
    return zlib.decompress(data) if level else data


class ArrayPostingsWriter(W3PostingsWriter):
    """Writes posting blocks as packed arrays (document numbers only, not vector postings),
    and after a list of PackedPositions its position columns."""

    def __init__(self, postfile, blocklimit, compression=3, inlinelimit=1, columns=True):
        super().__init__(postfile, blocklimit, False, compression, inlinelimit)
        self._columns = columns

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        self._in_columns = self._columns and isinstance(format_, PackedPositions)
        self._lengths: list[bytes] = []  # of each block: its postings' values' lengths
        self._positions: list[bytes] = []  # of each block: the values joined

    def finish_postings(self):
        terminfo = super().finish_postings()  # writes the last block and sets the extent
        if self._in_columns and not terminfo.is_inlined():
            counts = np.frombuffer(emptybytes.join(self._lengths), UINT32) // 4
            starts = np.zeros(len(counts) + 1, UINT32)
            np.cumsum(counts, out=starts[1:])
            self._postfile.write(starts.tobytes())
            self._postfile.write(emptybytes.join(self._positions))
        return terminfo

    def add_posting(self, id_, weight, vbytes, length=None):
        # Whoosh's version checks four types per posting; the callers here are Whoosh's own
        # writer and merger, which pass ints, floats and bytes.
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(b"W3Bl")  # Whoosh's block header, checked by its reader
        self._terminfo.add_block(self)
        ids = self._ids
        deltas = array("I", [ids[0]])
        deltas.extend(b - a for a, b in zip(ids, ids[1:], strict=False))
        # Most words are rare: compressing a block of a few postings costs more than it saves.
        # The level is in each block's info, as in Whoosh's codec.
        level = self._compression if len(ids) >= MIN_COMPRESSED else 0
        data = (
            _pack(deltas.tobytes(), level),
            self._packed_weights(level),
            *self._packed_values(level),
        )
        databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            level,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, 2)
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def _packed_weights(self, level: int):
        """None when every weight is 1, the weight when all are equal, else packed floats."""
        weights = self._weights
        first = weights[0]
        if weights.count(first) == len(weights):
            return None if first == 1.0 else float(first)
        return _pack(weights.tobytes(), level)

    def _packed_values(self, level: int) -> tuple:
        """(joined values, their lengths): lengths only when the format's values vary."""
        size = self._format.fixed_value_size()
        values = self._values
        if size == 0:
            return None, None
        joined = emptybytes.join(values)
        if size is not None and size > 0:
            return _pack(joined, level), None
        lengths = array("I", map(len, values)).tobytes()
        if self._in_columns:
            self._lengths.append(lengths)
            self._positions.append(joined)
        return _pack(joined, level), _pack(lengths, level)


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh's matcher over packed blocks (merges, Whoosh's searcher, highlighting)."""

    def _read_data(self):
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = pickle.loads(raw)  # noqa: S301 - the index's own files, as Whoosh reads

    def _part(self, index: int) -> bytes | None:
        part = self._data[index]
        return part if part is None or isinstance(part, float) else _unpack(part, self._compression)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        deltas = array("I")
        deltas.frombytes(self._part(0))
        self._ids = array("I", accumulate(deltas))

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._part(1)
        if weights is None or isinstance(weights, float):
            self._weights = array("f", [1.0 if weights is None else weights]) * self._blocklength
        else:
            self._weights = array("f")
            self._weights.frombytes(weights)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        joined, lengths = self._part(2), self._part(3)
        count, size = self._blocklength, self._fixedsize
        if size == 0 or joined is None:
            self._values = (None,) * count
        elif lengths is None:
            self._values = tuple(joined[i : i + size] for i in range(0, len(joined), size))
        else:
            ends = list(accumulate(array("I", lengths)))
            starts = [0, *ends[:-1]]
            self._values = tuple(joined[a:b] for a, b in zip(starts, ends, strict=True))


def length_bytes(perdoc: W3PerDocReader, fieldname: str) -> bytes | None:
    """Every document's length of a field in one segment, one byte each as Whoosh stores it."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return column._dbfile.get(column._basepos, min(column._count, perdoc.doc_count_all()))


# What Whoosh's doc_field_length answers for each stored byte (None for 0, as it does).
_LENGTH_OF_BYTE = [byte_to_length(b) or None for b in range(256)]


class ArrayPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader with each field's lengths decoded once.

    Whoosh reads a length a posting while it writes a segment, through several calls each:
    about 14% of a rebuild's writing time.
    """

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        # False for a field without lengths: asking again looked for its file each time.
        self._lengths: dict[str, list | bool] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum} of {self._doccount}")
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            stored = length_bytes(self, fieldname)
            lengths = False if stored is None else [_LENGTH_OF_BYTE[b] for b in stored]
            self._lengths[fieldname] = lengths
        if lengths is False:
            return default
        return lengths[docnum] if docnum < len(lengths) else None


class ArrayCodec(W3Codec):
    """Whoosh's file layout with posting blocks from ArrayPostingsWriter."""

    def __init__(self, blocklimit=BLOCK_POSTINGS, compression=COMPRESSION, inlinelimit=1):
        super().__init__(blocklimit, compression, inlinelimit)
        # Kept with every segment this codec writes (Whoosh pickles it into the table of
        # contents); segments written before position columns existed lack it.
        self.position_columns = True

    def per_document_reader(self, storage, segment):
        return ArrayPerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: Whoosh reads those with its own matcher class
            return super().postings_writer(dbfile, byteids)
        return ArrayPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
            columns=has_position_columns(self),
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def has_position_columns(codec) -> bool:
    """True when the segments of this codec have position columns after PackedPositions."""
    return getattr(codec, "position_columns", False)


def read_list(postfile, offset: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The posting list at offset in a segment's postings file (a term's extent), as arrays,
    and where it ends (its position columns start there): (ids, weights, end).

    Blocks are read by position (_block_at): no matcher object, no shared file pointer.
    """
    ids, weights = [], []
    position = offset + 4  # after Whoosh's block header
    while True:
        length, (count, _last, _weight, level, *_lengths), data = _block_at(postfile, position)
        ids.append(np.frombuffer(_unpack(data[0], level), UINT32))
        block_weights = data[1]
        if block_weights is None:
            block_weights = np.ones(count, np.float32)
        elif isinstance(block_weights, float):  # every posting of the block weighs the same
            block_weights = np.full(count, block_weights, np.float32)
        else:
            block_weights = np.frombuffer(_unpack(block_weights, level), FLOAT32)
        weights.append(block_weights)
        position += 4 + abs(length)
        if length < 0:
            break
    # A block's ids are deltas from its first, which is whole.
    if len(ids) == 1:  # most lists: no joining (a third of reading a short one)
        return ids[0].cumsum(dtype=np.int32), weights[0], position
    whole = [deltas.cumsum(dtype=np.int64) for deltas in ids]
    return np.concatenate(whole).astype(np.int32), np.concatenate(weights), position


def position_spans(
    postfile, ids: np.ndarray, columns: int, among: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the positions of the documents `among` lie in a term's position column.

    `ids` are the term's postings (read_list), `columns` where its position columns
    start (the end of its extent), and every document of `among` must hold the term. The
    result is (first, end, column): the positions of among[i] are column[first[i]:end[i]].
    Nothing is decompressed or copied: a phrase's candidates are few, and a common word's
    positions fill many blocks.
    """
    count = len(ids)
    every_start = _uint32s(postfile, columns, count + 1)
    index = ids.searchsorted(among)
    if len(among) and (index[-1] >= count or (ids[index] != among).any()):
        raise ValueError("a document without the term")
    first = every_start[index].astype(np.int64)
    end = every_start[index + 1].astype(np.int64)
    # Damaged columns must fail here, not have a query gather billions of positions.
    if len(among) and ((end < first).any() or (first[1:] < end[:-1]).any()):
        raise ValueError("damaged position columns")
    return first, end, _uint32s(postfile, columns + 4 * (count + 1), int(every_start[-1]))


def position_lists(postfile, ids: np.ndarray, columns: int, among: np.ndarray) -> list[tuple]:
    """position_spans as the positions themselves, a tuple for each document of `among`.

    For a few documents, unpacking a few integers at a time from the file costs less than the
    dozen numpy calls of the spans: most phrases of a long question have a few candidates.
    """
    count = len(ids)
    index = ids.searchsorted(among)
    if len(among) and (index[-1] >= count or (ids[index] != among).any()):
        raise ValueError("a document without the term")
    (total,) = _unpacked(postfile, columns + 4 * count, 1)
    data = columns + 4 * (count + 1)
    found, reached = [], 0
    for i in index.tolist():
        first, end = _unpacked(postfile, columns + 4 * i, 2)
        # As in position_spans: damaged columns fail, they never make a huge read.
        if first < reached or end < first or end > total:
            raise ValueError("damaged position columns")
        found.append(_unpacked(postfile, data + 4 * first, end - first))
        reached = end
    return found


def _unpacked(postfile, offset: int, count: int) -> tuple:
    """`count` packed unsigned ints at offset, as Python ints."""
    mapped = getattr(postfile, "_buf", None)
    try:
        if mapped is None:
            return struct.unpack(f"={count}I", postfile.get(offset, 4 * count))
        return struct.unpack_from(f"={count}I", mapped, offset)
    except struct.error as exc:  # past the end of the file
        raise ValueError("damaged position columns") from exc


def _uint32s(postfile, offset: int, count: int) -> np.ndarray:
    """`count` packed unsigned ints at offset: a view of the mapped file when it is one."""
    mapped = getattr(postfile, "_buf", None)
    if mapped is None:
        return np.frombuffer(postfile.get(offset, 4 * count), UINT32)
    return np.frombuffer(mapped, UINT32, count=count, offset=offset)


def _block_at(postfile, position: int) -> tuple[int, tuple, tuple]:
    """(length, info, data) of the block at position: its length is negative for a list's
    last block, its info is Whoosh's block statistics, its data the packed parts."""
    length = postfile.get_int(position)
    stream = io.BytesIO(postfile.get(position + 4, abs(length)))
    info = pickle.load(stream)  # noqa: S301 - the index's own files, as Whoosh reads
    return length, info, pickle.load(stream)  # noqa: S301 - as above


def sorted_member(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """For each needle, whether the ascending array `haystack` holds it.

    np.isin does the same for any arrays, at several times the cost on small ones; phrases
    check thousands of these.

    >>> sorted_member(np.array([2, 5, 9]), np.array([9, 1, 5, 10])).tolist()
    [True, False, True, False]
    """
    if not len(haystack):
        return np.zeros(len(needles), bool)
    at = haystack.searchsorted(needles)
    at[at == len(haystack)] = 0
    return haystack[at] == needles


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array.

    >>> unique_sorted(np.array([1, 1, 4, 7, 7])).tolist()
    [1, 4, 7]
    """
    if len(values) < 2:
        return values
    keep = np.empty(len(values), bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def span_indexes(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes starts[0] .. starts[0] + counts[0] - 1, then those of the next span, ...

    >>> span_indexes(np.array([2, 10]), np.array([3, 1])).tolist()
    [2, 3, 4, 10]
    """
    total = int(counts.sum())
    offsets = (starts - (counts.cumsum() - counts)).repeat(counts)
    return offsets + np.arange(total)
