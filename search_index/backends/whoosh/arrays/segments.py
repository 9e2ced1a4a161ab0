"""What names one segment of an index, for what is kept per segment (lists, lexicons)."""
from whoosh.reading import IndexReader


def segment_key(reader: IndexReader) -> tuple:
    """What names one segment of an index (its documents never change; deletions may)."""
    key = getattr(reader, "_ranking_key", None)  # a reader's segment and size never change
    if key is None:
        segment = reader.segment()
        if segment is None:  # the reader of an index without documents
            return ("", 0)
        key = reader._ranking_key = (segment.segment_id(), reader.doc_count_all())
    return key
