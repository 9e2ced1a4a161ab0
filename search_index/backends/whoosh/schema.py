"""The Whoosh schema: one document per published Section and per published FAQ.

Field boosts live here, visible in one place, so relevance changes are easy to review.
"""
from whoosh.columns import VarBytesColumn
from whoosh.fields import ID, STORED, TEXT, Schema

from search_index.backends.whoosh.analysis import CountedWords, WhooshWords
from search_index.backends.whoosh.arrays.codec import PackedPositions, TermCounts
from search_index.text.analysis import medical_analyzer


def build_schema() -> Schema:
    """Return the schema every index and every query parser uses."""
    prose = WhooshWords(medical_analyzer())
    return Schema(
        # "section:12" or "faq:34": the unique key the indexer updates and deletes by. A
        # column too, with version: index_check reads both for every document at once.
        doc_id=ID(unique=True, stored=True, sortable=TextColumn()),
        # When the rows behind the document were saved (documents.document_version).
        version=ID(stored=True, sortable=TextColumn()),
        doc_type=ID(stored=True),  # documents.types: SECTION or FAQ
        title=_packed(TEXT(analyzer=prose, stored=True, field_boost=3.0)),  # heading or question
        # "Article › Heading". No positions: no phrase is looked for here (query.py).
        heading_path=_counted(TEXT(analyzer=prose, stored=True, phrase=False)),
        body=_packed(TEXT(analyzer=prose, stored=True)),
        article_title=_packed(TEXT(analyzer=prose, stored=True, field_boost=2.0)),
        # Article "also called" terms and matching synonym phrases; no positions, as above.
        also_called=_counted(TEXT(analyzer=prose, field_boost=2.0, phrase=False)),
        # Both also kept as columns: ranking reads them for its 30 best hits, where loading
        # each one's stored fields (its whole answer) cost about 1 ms a query.
        article_slug=ID(stored=True, sortable=TextColumn()),  # one article must not fill a page
        kind=ID(stored=True, sortable=TextColumn()),  # section kind or FAQ question type
        # "no" for an imported FAQ whose answer the source withheld (its page links there):
        # ranked below answers (query.py, ranking.term_factors).
        answered=ID(),
        url=STORED(),
        source_name=STORED(),
        source_url=STORED(),
        # Only on a few carrier documents: each distinct whole word of the collection weighted
        # by its document count, for "did you mean" (vocabulary.py). Not searched or scored.
        words=TEXT(analyzer=CountedWords(), phrase=False, vector=True),
    )


class TextColumn(VarBytesColumn):
    """Whoosh's column of an ID field, equal to another one like it.

    Whoosh compares columns by identity, so an index's schema would never equal a freshly
    built one and every rebuild would start a new index instead of replacing the content.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash(type(self))


def _packed(field: TEXT) -> TEXT:
    """The field with its positions stored as packed integers (arrays/codec.py)."""
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def _counted(field: TEXT) -> TEXT:
    """The field with its term counts worked out the analyzer's faster way (arrays/codec.py)."""
    field.format = TermCounts(field_boost=field.format.field_boost)
    return field
