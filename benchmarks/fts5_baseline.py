"""The floor to beat: plain BM25 (SQLite FTS5 bm25()) over the same imported FAQs.

One FTS row per published FAQ (question, answer and its topic's title); a query is the words
of the question OR-ed together, each quoted so no word acts as FTS5 syntax (AND, NEAR, *...).
"""
import re
import sqlite3
from collections.abc import Iterable

WORD = re.compile(r"\w+")


def fts_query(text: str, max_words: int = 64) -> str:
    """The words of a question as an FTS5 OR query, with all FTS5 syntax removed.

    >>> fts_query('Is "NEAR" my knee* (OR hip) AND-pain? knee')
    '"is" OR "near" OR "my" OR "knee" OR "or" OR "hip" OR "and" OR "pain"'
    >>> fts_query("?!*")
    ''
    """
    words = dict.fromkeys(w.lower() for w in WORD.findall(text))
    return " OR ".join(f'"{w}"' for w in list(words)[:max_words])


class Fts5Index:
    """An in-memory FTS5 table of (document key, question, answer, focus) rows."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str]], path: str = ":memory:"):
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("DROP TABLE IF EXISTS faq")
        self.db.execute(
            "CREATE VIRTUAL TABLE faq USING fts5("
            "doc UNINDEXED, question, answer, focus, tokenize='porter unicode61')"
        )
        self.db.executemany("INSERT INTO faq VALUES (?, ?, ?, ?)", rows)
        self.db.commit()

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM faq").fetchone()[0]

    def search(self, text: str, limit: int = 100) -> list[str]:
        """Document keys of the best FAQ rows, best first (a key may repeat)."""
        query = fts_query(text)
        if not query:
            return []
        rows = self.db.execute(
            "SELECT doc FROM faq WHERE faq MATCH ? ORDER BY bm25(faq) LIMIT ?", (query, limit)
        )
        return [doc for (doc,) in rows]


def imported_rows() -> list[tuple[str, str, str, str]]:
    """The FTS rows of every published imported FAQ, read through Django."""
    from faq.models import FAQ, Status

    faqs = FAQ.objects.filter(status=Status.PUBLISHED, external_key__isnull=False)
    return [
        (key.rsplit("/", 1)[0], question, answer, focus or "")
        for key, question, answer, focus in faqs.values_list(
            "external_key", "question", "answer", "article__title"
        ).iterator(chunk_size=5000)
    ]
