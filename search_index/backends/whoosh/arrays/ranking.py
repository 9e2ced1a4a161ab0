"""Ranking with arrays: Whoosh's BM25F sums computed a posting list at a time, not a document.

Whoosh's searcher walks every matching document through a tree of matchers and scores each
posting with several Python calls: on 47,000 FAQs a long question spent about 250 ms there.
Here the same query is evaluated bottom-up over whole arrays. A term's postings are read once
per segment (and kept for the next query: segments never change, deletions are a mask), scored
with the searcher's BM25F formula in numpy, and combined with the query's And/Or/Not logic.
Phrases are checked from the positions: in full when a phrase can find documents the terms
cannot, and otherwise only for the best candidates, where a proximity bonus can still change
the order a reader sees. Segments written with array_codec.py are read as whole arrays, and
phrases read their position columns; segments of Whoosh's own codec are read block by block,
and their positions (as those of array segments written before position columns) one
document at a time.
"""
import threading
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import _length_byte_cache

from search_index.backends.whoosh.arrays import lexicon
from search_index.backends.whoosh.arrays.codec import (
    ArrayCodec,
    PackedPositions,
    has_position_columns,
    length_bytes,
    position_lists,
    position_spans,
    read_list,
    sorted_member,
    span_indexes,
    unique_sorted,
)
from search_index.backends.whoosh.arrays.segments import segment_key
from search_index.caching.registry import LRU

# A phrase bonus is checked for this many of the best documents: the first pages and the
# window the article spread reorders (30), with room to spare. 200 gave the same dev and
# seed figures and cost short queries a millisecond more.
BONUS_CANDIDATES = 60
# A phrase of common words is looked for in at most this many documents (see phrase_docs).
PHRASE_CANDIDATES = 100
# Candidates of a phrase checked one at a time in Python, below the dozens of numpy calls of
# whole arrays: most phrases of a long question have a few.
FEW_DOCUMENTS = 16
# Bytes of postings, phrase matches and field lengths kept in memory per process: the common
# terms of thousands of queries.
CACHE_BYTES = 32_000_000
KEY_BYTES = 64  # what an entry costs beyond its arrays
# Start-up reads the lists of the words in at least this many documents of a segment: 69% of
# the dev questions' list reading time, about 15 MB (preload).
PRELOAD_DOCUMENTS = 20
PRELOAD_SHARE = 0.5  # of CACHE_BYTES at most, so queries' own lists still find room
# Bytes of terms' scores kept per searcher (the scores change with every commit).
SCORES_BYTES = 8_000_000

_BYTE_TO_LENGTH = np.asarray(_length_byte_cache, dtype=np.float64)


class Unsupported(Exception):
    """The query or index holds something the array ranker does not evaluate."""


def arrays_bytes(arrays: tuple) -> int:
    # The key counts too: words found nowhere (a hostile query's many made-up words) must
    # fill the cap, not pile up as free empty entries.
    return KEY_BYTES + sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))


# Arrays by segment: a term's postings (with where its blocks are), a phrase's documents, a
# field's lengths. Segments never change, so these outlive searchers.
postings_cache = LRU("array postings", lambda: CACHE_BYTES, arrays_bytes)


def _read_postings(reader: IndexReader, fieldname: str, text: str) -> tuple[np.ndarray, ...]:
    """Every posting of a term in one segment, deleted documents included: (ids, weights),
    then, for a list with position columns, where they start (for position_spans)."""
    terms = getattr(reader, "_terms", None)  # an empty index's reader has none
    if terms is None:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    field = reader.schema[fieldname]
    listed = lexicon.table(reader, fieldname)
    if listed is not None:
        value = listed.get(text)
        if value is None:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        return _postings_at(terms, field, lexicon.unpack(value)[0])
    try:
        info = terms.term_info(fieldname, field.to_bytes(text))
    except TermNotFound:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    return postings_of(terms, field, info)


def _postings_at(terms, field, offset: int) -> tuple[np.ndarray, ...]:
    """The array codec's list at offset: (ids, weights), then where its position columns
    start when it has them."""
    ids, weights, end = read_list(terms._postfile, offset)
    if has_position_columns(terms._codec) and isinstance(field.format, PackedPositions):
        return ids, weights, np.array([end], np.int64)
    return ids, weights


def postings_of(terms, field, info) -> tuple[np.ndarray, ...]:
    """_read_postings of the term whose info the segment's terms reader gave."""
    if isinstance(terms._codec, ArrayCodec) and not info.is_inlined():
        return _postings_at(terms, field, info.extent()[0])
    matcher = terms._codec.postings_reader(terms._postfile, info, field.format)
    if not isinstance(matcher, W3LeafMatcher):
        return _read_slowly(matcher)
    ids, weights = [], []
    # Whoosh keeps postings in blocks of delta-coded ids and weights; decoding a block here
    # costs a few numpy calls instead of a Python call per posting.
    while matcher.is_active():
        matcher._read_data()
        block_ids, block_weights, _values = matcher._data
        block_ids = np.asarray(block_ids, dtype=np.int64)
        ids.append(block_ids if matcher._byteids else np.cumsum(block_ids))
        count = len(block_ids)
        if block_weights is None:
            weights.append(np.ones(count, np.float32))
        elif isinstance(block_weights, float):
            weights.append(np.full(count, block_weights, np.float32))
        else:
            weights.append(np.asarray(block_weights, dtype=np.float32))
        matcher._next_block()
    return np.concatenate(ids).astype(np.int32), np.concatenate(weights)


def _read_slowly(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Postings of a matcher of another kind (an inlined short list), one at a time."""
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def _postings(reader: IndexReader, fieldname: str, text: str) -> tuple[np.ndarray, ...]:
    key = (segment_key(reader), fieldname, text)
    found = postings_cache.get(key)
    if found is None:
        found = _read_postings(reader, fieldname, text)
        postings_cache.put(key, found)
    return found


def preload(
    reader: IndexReader, fieldnames: list[str], min_documents: int = PRELOAD_DOCUMENTS
) -> int:
    """Read the lists of the words found in at least `min_documents` documents of a segment,
    field by field, until they fill PRELOAD_SHARE of the cache; return how many were read.

    Done once at start-up, before the server's workers fork, so they share them: a list
    costs tens of microseconds to find and read the first time, and a long question reads
    dozens. Segments never change, so the lists stay right until their segment goes.
    """
    read = 0
    for leaf, _offset in reader.leaf_readers():
        segment = segment_key(leaf)
        for fieldname in fieldnames:
            if getattr(leaf, "_terms", None) is None or fieldname not in leaf.schema:
                continue
            for text, found in _common_lists(leaf, fieldname, min_documents):
                postings_cache.put((segment, fieldname, text), found)
                read += 1
                if postings_cache.size >= CACHE_BYTES * PRELOAD_SHARE:
                    return read
    return read


def _common_lists(leaf: IndexReader, fieldname: str, min_documents: int):
    """(text, postings) of the field's words in at least min_documents documents of one
    segment, in lexicon order; from the segment's lexicon table when start-up made one, not
    by walking Whoosh's lexicon a second time."""
    terms, field = leaf._terms, leaf.schema[fieldname]
    listed = lexicon.table(leaf, fieldname)
    if listed is not None:
        for text, value in listed.items():
            offset, count = lexicon.unpack(value)
            if count >= min_documents:
                yield text, _postings_at(terms, field, offset)
        return
    for term, info in leaf.iter_field(fieldname):
        if info.doc_frequency() >= min_documents:
            yield field.from_bytes(term), postings_of(terms, field, info)


def _field_lengths(reader: IndexReader, fieldname: str) -> np.ndarray:
    """The length of a field in every document of one segment, as Whoosh's scorer sees it."""
    # Kept with the postings, so the lengths of segments merged away are forgotten too.
    key = (segment_key(reader), "lengths", fieldname)
    found = postings_cache.get(key)
    if found is not None:
        return found[0]
    count = reader.doc_count_all()
    codes = np.zeros(count, np.uint8)
    stored = length_bytes(reader._perdoc, fieldname)
    if stored is not None:
        codes[: len(stored)] = np.frombuffer(stored, dtype=np.uint8)
    found = _BYTE_TO_LENGTH[codes]
    postings_cache.put(key, (found,))
    return found


class _SearcherState:
    """What the ranker works out once per searcher: the live documents, and terms' scores.

    A term's scores hold the index-wide idf and average length, so they last as long as the
    searcher, that is until the next commit; a question's common words recur in the next.
    """

    def __init__(self, leaves: list, size: int) -> None:
        self.live = np.ones(size, bool)
        for reader, offset in leaves:
            if reader.has_deletions():
                self.live[np.fromiter(reader.deleted_docs_set, np.int64) + offset] = False
        self.scores = LRU(None, lambda: SCORES_BYTES, arrays_bytes)
        self.fields: dict[str, tuple[float, float] | None] = {}  # see ArrayRanker._field
        self.factors: dict[tuple, np.ndarray] = {}  # see term_factors
        # Every document's length in each scored field, one row per field, over the whole
        # searcher: scoring a question's terms gathers their lengths in one call.
        self.leaves = leaves
        self.lengths = np.empty((0, size), np.float64)
        self.length_rows: dict[str, int] = {}
        self._adding_row = threading.Lock()
        # A new searcher follows a commit: the lexicons of segments merged away can go.
        lexicon.keep_only({segment_key(reader) for reader, _offset in leaves})

    def length_row(self, fieldname: str) -> int:
        """The row of self.lengths that holds the field's lengths (added when first asked)."""
        row = self.length_rows.get(fieldname)
        if row is None:
            with self._adding_row:  # threads of one process share the searcher
                row = self.length_rows.get(fieldname)
                if row is None:
                    whole = [_field_lengths(reader, fieldname) for reader, _ in self.leaves]
                    # The table is replaced whole, then the row named: a reader of the old
                    # table never looks up the new row.
                    self.lengths = np.vstack([self.lengths, np.concatenate(whole)[np.newaxis]])
                    row = self.length_rows[fieldname] = len(self.length_rows)
        return row


def scores_kept(searcher: Searcher) -> int:
    """How many terms' scores the ranker keeps for this searcher (until its next commit)."""
    state = getattr(searcher, "_ranking_state", None)
    return 0 if state is None else len(state.scores)


def _state_of(searcher: Searcher, leaves: list, size: int) -> _SearcherState:
    state = getattr(searcher, "_ranking_state", None)
    if state is None:
        state = searcher._ranking_state = _SearcherState(leaves, size)
    return state


@dataclass
class Matches:
    """Which documents match (a mask) and their scores, over the whole searcher."""

    hits: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls, size: int) -> "Matches":
        return cls(np.zeros(size, bool), np.zeros(size, np.float64))

    def add(self, other: "Matches") -> None:
        self.hits |= other.hits
        self.scores += other.scores


class ArrayRanker:
    """Evaluates Term, Phrase, Or, And, AndMaybe and AndNot queries over one searcher."""

    def __init__(self, searcher: Searcher) -> None:
        weighting = searcher.weighting
        if type(weighting) is not BM25F:
            raise Unsupported(f"weighting {type(weighting).__name__}")
        self.searcher = searcher
        self.weighting = weighting
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.subsearchers = searcher.leaf_searchers()
        self.size = searcher.doc_count_all()
        self.state = _state_of(searcher, self.leaves, self.size)
        self.live = self.state.live

    def rank(
        self, query: wq.Query, limit: int, factors: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The best `limit` (docnum, score) pairs, best first, as searcher.search would rank;
        `factors` (one per document, see term_factors) multiply the scores first."""
        bonuses: list[wq.Phrase] = []
        matches = self._evaluate(query, bonuses)
        if factors is not None:
            matches.scores *= factors
        found = (matches.hits & self.live).nonzero()[0]
        best = self._best(found, matches.scores, max(limit, BONUS_CANDIDATES))
        if bonuses and len(best):
            head = best[:BONUS_CANDIDATES]
            extra = self._bonus(bonuses, head)
            matches.scores[head] += extra if factors is None else extra * factors[head]
            best = self._best(best, matches.scores, limit)
        else:
            best = best[:limit]
        return list(zip(best.tolist(), matches.scores[best].tolist(), strict=True))

    @staticmethod
    def _best(docnums: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
        """Docnums by descending score, then ascending docnum, at most `limit` of them."""
        if len(docnums) > limit:
            # Everything scoring at least the limit-th best, ties included, then sort those.
            kept = scores[docnums]
            kept.partition(len(docnums) - limit)
            threshold = kept[len(docnums) - limit]
            docnums = docnums[scores[docnums] >= threshold]
        order = np.lexsort((docnums, -scores[docnums]))
        return docnums[order][:limit]

    # Evaluation of the query tree

    def _evaluate(self, query: wq.Query, bonuses: list | None = None) -> Matches:
        kind = type(query)
        if kind is wq.Term:
            return self._term(query)
        if kind is wq.Phrase:
            return self._phrase(query)
        if kind is wq.Or:
            return self._union(query.subqueries, bonuses)
        if kind is wq.And:
            return self._intersection(query.subqueries)
        if kind is wq.AndMaybe:
            required = self._evaluate(query.a)
            optional = self._evaluate(query.b, bonuses)
            required.scores += optional.scores * required.hits
            return required
        if kind is wq.AndNot:
            kept = self._evaluate(query.a, bonuses)
            kept.hits &= ~self._evaluate(query.b).hits
            kept.scores *= kept.hits
            return kept
        raise Unsupported(kind.__name__)

    def _union(self, queries: list[wq.Query], bonuses: list | None) -> Matches:
        total = Matches.empty(self.size)
        looked_up = {(q.fieldname, q.text) for q in queries if type(q) is wq.Term}
        # Every term's scores, those of the phrases' words too, in one pass.
        phrases = [(q.fieldname, word) for q in queries if type(q) is wq.Phrase for word in q.words]
        self._scores_of(list(dict.fromkeys([*looked_up, *phrases])))
        terms = []
        for query in queries:
            if bonuses is not None and _only_adds_score(query, looked_up):
                bonuses.append(query)
            elif type(query) is wq.Term:
                terms.append(query)
            elif type(query) is wq.Phrase:
                self._add_phrase(query, total)
            else:
                total.add(self._evaluate(query))
        self._add_terms(terms, total)
        return total

    def _intersection(self, queries: list[wq.Query]) -> Matches:
        parts = [self._evaluate(q) for q in queries]
        both = parts[0]
        for part in parts[1:]:
            both.hits &= part.hits
            both.scores += part.scores
        both.scores *= both.hits
        return both

    def _term(self, query: wq.Term) -> Matches:
        matches = Matches.empty(self.size)
        self._add_terms([query], matches)
        return matches

    def _add_terms(self, queries: list[wq.Term], into: Matches) -> None:
        """Add the terms' boosted scores, all in one pass (a question has dozens of terms)."""
        if not queries:
            return
        scored = self._scores_of([(q.fieldname, q.text) for q in queries])
        ids = np.concatenate([found[0] for found in scored])
        boosts = np.array([q.boost for q in queries]).repeat([len(found[0]) for found in scored])
        scores = np.concatenate([found[1] for found in scored]) * boosts
        into.hits[ids] = True
        # bincount adds a document's scores in the terms' order, as one += per term did.
        into.scores += np.bincount(ids, weights=scores, minlength=self.size)

    def _term_scores(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Docnums (ascending) holding the term in the field, and its BM25F score in each."""
        return self._scores_of([(fieldname, text)])[0]

    def _scores_of(self, keys: list[tuple[str, str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """_term_scores of each (field, text), computing those not yet known in one pass."""
        known = {key: self.state.scores.get(key) for key in keys}
        missing = [key for key, found in known.items() if found is None]
        if missing:
            known.update(self._score_terms(missing))
        return [known[key] for key in keys]

    def _score_terms(self, keys: list[tuple[str, str]]) -> dict[tuple, tuple]:
        """Whoosh's BM25F score of each term in each document holding it, as arrays."""
        empty = (np.empty(0, np.int64), np.empty(0, np.float64))
        found: dict[tuple, tuple] = {}
        scored: list[tuple] = []  # the keys found somewhere, in order
        # Per term and segment holding it, in order: ids, weights, how many, where the
        # segment starts, its field's row of lengths.
        ids_parts, weight_parts, sizes, offsets, rows = [], [], [], [], []
        counts, idfs, bs, averages = [], [], [], []
        for key in keys:
            fieldname, text = key
            field = self._field(fieldname)
            if field is None:
                found[key] = empty
                continue
            total = 0
            for reader, offset in self.leaves:
                ids, weights = _postings(reader, fieldname, text)[:2]
                if len(ids):
                    ids_parts.append(ids)
                    weight_parts.append(weights)
                    sizes.append(len(ids))
                    offsets.append(offset)
                    rows.append(self.state.length_row(fieldname))
                    total += len(ids)
            if not total:
                # As Whoosh does, a term found nowhere scores nothing; its idf is not even
                # defined on an empty index.
                found[key] = empty
                continue
            scored.append(key)
            counts.append(total)
            # Whoosh's BM25F idf, from the postings at hand: a segment's document frequency
            # is its number of postings.
            idfs.append(log(self.size / (total + 1)) + 1)
            bs.append(field[0])
            averages.append(field[1])
        if scored:
            ids = np.concatenate(ids_parts).astype(np.int64)
            ids += np.array(offsets).repeat(sizes)
            lengths = self.state.lengths[np.array(rows).repeat(sizes), ids]
            tf = np.concatenate(weight_parts).astype(np.float64)
            idf, B, average = (np.array(v).repeat(counts) for v in (idfs, bs, averages))
            K1 = self.weighting.K1
            scores = idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average))
            ends = np.array(counts).cumsum()
            for key, start, end in zip(scored, ends - counts, ends, strict=True):
                # Copies: a view would keep every term of the pass alive in the cache.
                found[key] = (ids[start:end].copy(), scores[start:end].copy())
                self.state.scores.put(key, found[key])
        return found

    def _field(self, fieldname: str) -> tuple[float, float] | None:
        """(B, average length) of a scored field, None for one not in the schema; worked out
        once per searcher (Whoosh sums the segments' lengths on every call)."""
        known = self.state.fields
        if fieldname not in known:
            if fieldname not in self.searcher.schema:
                known[fieldname] = None
            elif not self.searcher.schema[fieldname].scorable:
                raise Unsupported(f"unscored field {fieldname}")
            else:
                known[fieldname] = (
                    self.weighting._field_B.get(fieldname, self.weighting.B),
                    self.searcher.avg_field_length(fieldname) or 1,
                )
        return known[fieldname]

    def _phrase(self, query: wq.Phrase) -> Matches:
        """Every document where the phrase occurs, scored as Whoosh scores a phrase."""
        matches = Matches.empty(self.size)
        self._add_phrase(query, matches)
        return matches

    def _add_phrase(self, query: wq.Phrase, into: Matches) -> None:
        # Added where it matches: a long question's synonyms make a dozen phrases, and
        # arrays over the whole index for each cost more than finding their few documents.
        docnums = self.phrase_docs(query)
        into.hits[docnums] = True
        into.scores[docnums] += self.phrase_score(query, docnums)

    def phrase_score(self, query: wq.Phrase, docnums: np.ndarray) -> np.ndarray:
        """The sum of the phrase's term scores in each document (Whoosh's phrase score)."""
        total = np.zeros(len(docnums), np.float64)
        for word in query.words:
            ids, scores = self._term_scores(query.fieldname, word)
            at = np.minimum(ids.searchsorted(docnums), max(len(ids) - 1, 0))
            if len(ids):
                total += np.where(ids[at] == docnums, scores[at], 0.0)
        return total * query.boost

    def phrase_docs(self, query: wq.Phrase) -> np.ndarray:
        """Docnums (ascending) where the phrase occurs, found by Whoosh's position matching.

        Positions are read only in documents holding every word of the phrase, and of a
        phrase of common words ("type 1 diabetes") only in the PHRASE_CANDIDATES where those
        words score best. A phrase adds the score of its words, so a match missed among the
        others would have added less than any match found; on the MedQuAD dev questions a
        cap of 300 or of 100 changed no figure of eval_search, nor the seed lay queries'.
        """
        candidates = self.holding_every_word(query)
        if len(candidates) > PHRASE_CANDIDATES:
            scores = self.phrase_score(query, candidates)
            best = (-scores).argpartition(PHRASE_CANDIDATES - 1)[:PHRASE_CANDIDATES]
            candidates = candidates[best]
            candidates.sort()
        found = []
        for subsearcher, offset in self.subsearchers:
            key = _phrase_key(subsearcher, query)
            cached = postings_cache.get(key)
            if cached is None:
                end = offset + subsearcher.doc_count_all()
                local = candidates[(candidates >= offset) & (candidates < end)] - offset
                cached = (_phrase_matches(query, subsearcher, local), None)
                postings_cache.put(key, cached)
            found.append(cached[0].astype(np.int64) + offset)
        return np.concatenate(found) if found else np.empty(0, np.int64)

    def holding_every_word(self, query: wq.Phrase) -> np.ndarray:
        """Docnums (ascending) whose phrase field holds every word of the phrase."""
        found = None
        for word in query.words:
            ids = self._term_scores(query.fieldname, word)[0]
            found = ids if found is None else found[sorted_member(ids, found)]
        return found if found is not None else np.empty(0, np.int64)

    def _phrase_docs_among(self, query: wq.Phrase, among: np.ndarray) -> np.ndarray:
        """Those of the (ascending) docnums `among` where the phrase occurs.

        Positions are read only for documents holding every word of the phrase; a phrase of
        common words ("blood pressure") is not worth finding everywhere for a bonus.
        """
        among = among[sorted_member(self.holding_every_word(query), among)]
        found = []
        for subsearcher, offset in self.subsearchers:
            end = offset + subsearcher.doc_count_all()
            local = among[(among >= offset) & (among < end)] - offset
            if not len(local):
                continue
            cached = postings_cache.get(_phrase_key(subsearcher, query))
            if cached is not None:
                docs = local[sorted_member(cached[0], local)]
            else:
                docs = _phrase_matches(query, subsearcher, local)
            found.append(docs.astype(np.int64) + offset)
        return np.concatenate(found) if found else np.empty(0, np.int64)

    def _bonus(self, phrases: list[wq.Phrase], head: np.ndarray) -> np.ndarray:
        """The extra score of each of the head documents from phrases found in them."""
        extra = np.zeros(len(head), np.float64)
        ordered = np.sort(head)
        for phrase in phrases:
            inside = sorted_member(self._phrase_docs_among(phrase, ordered), head)
            if inside.any():
                extra[inside] += self.phrase_score(phrase, head[inside])
        return extra


def _phrase_key(subsearcher: Searcher, query: wq.Phrase) -> tuple:
    segment = segment_key(subsearcher.reader())
    return (segment, "phrase", query.fieldname, tuple(query.words), query.slop)


def _phrase_matches(query: wq.Phrase, subsearcher: Searcher, among: np.ndarray) -> np.ndarray:
    """Those of the (ascending) local docnums `among` of one segment where the phrase occurs.

    As Whoosh's phrase matcher decides, each word must follow the one before by 1 to `slop`
    positions, but without building its span objects. Documents deleted since may stay in a
    remembered set; the ranker masks them.
    """
    reader = subsearcher.reader()
    field = reader.schema[query.fieldname]
    if not field.format.supports("positions"):
        raise Unsupported(f"no positions in {query.fieldname}")  # Whoosh says why
    postings = [_postings(reader, query.fieldname, word) for word in query.words]
    if any(not len(found[0]) for found in postings):
        return np.empty(0, np.int32)
    # Lists with position columns say where those are (_read_postings).
    if any(len(found) != 3 for found in postings):
        return _phrase_in_blocks(query, reader, among)
    for ids, *_rest in postings:
        among = among[sorted_member(ids, among)]  # the documents holding every word
    postfile = reader._terms._postfile
    if len(among) <= FEW_DOCUMENTS:
        return _phrase_in_few(postfile, postings, among, query.slop)
    spans = [position_spans(postfile, ids, int(columns[0]), among)
             for ids, _weights, columns in postings]
    return _phrase_in_arrays(spans, among, query.slop)


def _phrase_in_few(postfile, postings: list[tuple], among: np.ndarray, slop: int) -> np.ndarray:
    """_phrase_matches one document at a time, from each word's (ids, weights, columns)."""
    words = [position_lists(postfile, ids, int(columns[0]), among)
             for ids, _weights, columns in postings]
    found = [doc for doc, *places in zip(among.tolist(), *words, strict=True)
             if _in_order(places, slop)]
    return np.asarray(found, dtype=np.int32)


def _phrase_in_arrays(spans: list[tuple], among: np.ndarray, slop: int) -> np.ndarray:
    """_phrase_matches over whole arrays: `spans` holds each word's position_spans.

    Each position becomes a key (document << 32 | position); a word's key is kept when the
    key of the word before lies 1 to slop positions earlier in the same document.
    """
    reached = None
    chosen = np.arange(len(among))  # the documents still in the running, by their index
    for first, end, column in spans:
        first, end = first[chosen], end[chosen]
        counts = end - first
        keys = (among[chosen].astype(np.int64) << 32).repeat(counts)
        keys |= column[span_indexes(first, counts)]
        if reached is not None:
            after = np.zeros(len(keys), bool)
            for distance in range(1, slop + 1):
                after |= sorted_member(reached, keys - distance)
            keys = keys[after]
            chosen = chosen[sorted_member(unique_sorted(keys >> 32), among[chosen])]
            if not len(chosen):
                return np.empty(0, np.int32)
        reached = keys
    return unique_sorted(reached >> 32).astype(np.int32)


def _phrase_in_blocks(query: wq.Phrase, reader: IndexReader, among: np.ndarray) -> np.ndarray:
    """_phrase_matches through Whoosh's matchers, for lists not in array blocks."""
    field = reader.schema[query.fieldname]
    matchers = []
    for word in query.words:
        term = field.to_bytes(word)
        matchers.append(reader._terms.matcher(query.fieldname, term, field.format))
    decode = field.format.decode_positions
    found = []
    for docnum in among.tolist():
        places = []
        for matcher in matchers:
            if matcher.is_active() and matcher.id() < docnum:
                matcher.skip_to(docnum)
            if not matcher.is_active() or matcher.id() != docnum:
                break
            places.append(decode(matcher.value()))
        else:
            if _in_order(places, query.slop) and not reader.is_deleted(docnum):
                found.append(docnum)
    return np.asarray(found, dtype=np.int32)


def _in_order(places: list[list[int]], slop: int) -> bool:
    """True when positions can be picked, one per word, each 1 to slop after the one before.

    >>> _in_order([[3, 9], [10], [12]], 2)
    True
    >>> _in_order([[3], [4]], 1), _in_order([[4], [3]], 1), _in_order([[3], [6]], 2)
    (True, False, False)
    """
    reached = set(places[0])
    steps = range(1, slop + 1)
    for following in places[1:]:
        # Set operations over shifted copies: a common word has dozens of positions.
        reached = set().union(*(map(step.__add__, reached) for step in steps))
        reached.intersection_update(following)
        if not reached:
            return False
    return True


def _only_adds_score(query: wq.Query, looked_up: set) -> bool:
    """True for a phrase whose every word is a term of the same OR, in the same field.

    Such a phrase can only match documents the terms match already, so it changes scores,
    never which documents are found, and is worth checking only where the order is read.
    """
    if type(query) is not wq.Phrase:
        return False
    return all((query.fieldname, word) in looked_up for word in query.words)


def rank_documents(
    searcher: Searcher, query: wq.Query, limit: int, factors: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """The best (docnum, score) pairs for a query, through the arrays when they can serve it;
    `factors` (one per document, see term_factors) multiply the scores before the best are
    chosen."""
    try:
        return ArrayRanker(searcher).rank(query, limit, factors)
    except Unsupported:
        if factors is None:
            found = searcher.search(query, limit=limit, optimize=False)
            return [(hit.docnum, hit.score) for hit in found]
        found = searcher.search(query, limit=None, optimize=False)
        scored = [(hit.docnum, hit.score * float(factors[hit.docnum])) for hit in found]
        return sorted(scored, key=lambda hit: (-hit[1], hit[0]))[:limit]


def term_factors(searcher: Searcher, fieldname: str, text: str, factor: float) -> np.ndarray:
    """One factor per document of the searcher: `factor` where the field holds the term, 1
    elsewhere. Worked out once per searcher."""
    leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
    state = _state_of(searcher, leaves, searcher.doc_count_all())
    key = (fieldname, text, factor)
    found = state.factors.get(key)
    if found is None:
        found = np.ones(searcher.doc_count_all(), np.float64)
        for reader, offset in leaves:
            found[_postings(reader, fieldname, text)[0].astype(np.int64) + offset] = factor
        state.factors[key] = found
    return found
