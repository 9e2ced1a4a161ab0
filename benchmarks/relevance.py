"""Relevance on real consumer questions: the project's search against a plain FTS5 BM25 floor.

Run `python manage.py eval_search ../shared/data/dev_queries.json` (or
`python -m benchmarks.relevance` with the same argument) after `import_medquad`. Hits are
mapped to MedQuAD documents ("FOLDER/DOCUMENT_ID"), deduplicated, and scored with MRR@10,
recall@10 and nDCG@10.

Then the names people type (tests/data/name_queries.json: abbreviations, brand names, lay
names, eponyms), each with the MedQuAD topics it must reach: how many reach one in the
first three hits, and in the first ten.
"""
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.metrics import dedupe, first_relevant_rank, mean, ndcg, recall, reciprocal_rank

K = 10
MAX_PAGES = 2  # pages of project results read to fill k distinct documents
Runner = Callable[[str], list[str]]


@dataclass(frozen=True)
class DevQuery:
    id: str
    query: str
    summary: str | None
    annotations: tuple[tuple[str, str], ...]
    relevant: frozenset[str]

    def forms(self) -> dict[str, str | None]:
        """The texts to search: as written, the librarian's summary, and focus + type."""
        short = " ".join(f"{focus} {qtype}" for focus, qtype in self.annotations).strip()
        return {"query": self.query, "summary": self.summary or None, "focus+type": short or None}


@dataclass
class Outcome:
    query: DevQuery
    form: str
    engine: str
    ranked: list[str]
    seconds: float
    scores: dict[str, float] = field(default_factory=dict)


def load_dev_queries(path: Path) -> list[DevQuery]:
    """Read dev_queries.json into DevQuery rows."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        DevQuery(
            id=row["id"],
            query=row["query"],
            summary=row.get("summary"),
            annotations=tuple(
                (a.get("focus") or "", a.get("type") or "") for a in row.get("annotations") or []
            ),
            relevant=frozenset(row["relevant"]),
        )
        for row in rows
    ]


def document_of(external_key: str) -> str:
    """'FOLDER/DOCUMENT_ID' of an imported topic or FAQ key (FAQ keys end in '/qid').

    >>> document_of("1_CancerGov_QA/0000013_2_4"), document_of("3_GHR_QA/0000027/0000027-1")
    ('1_CancerGov_QA/0000013_2', '3_GHR_QA/0000027')
    """
    from faq.parse_medquad import document_id_of

    folder, stem = external_key.split("/")[:2]
    return f"{folder}/{document_id_of(stem)}"


def score(outcome: Outcome, k: int = K) -> Outcome:
    """Fill in the outcome's metrics."""
    rel, ranked = set(outcome.query.relevant), outcome.ranked
    outcome.scores = {
        "MRR": reciprocal_rank(ranked, rel, k),
        "R": recall(ranked, rel, k),
        "nDCG": ndcg(ranked, rel, k),
    }
    return outcome


def project_runner(k: int = K) -> Runner:
    """The project's search(), its hits mapped to MedQuAD documents."""
    from faq.models import Article
    from search_index.service import search

    by_slug = {
        slug: document_of(key)
        for slug, key in Article.objects.filter(external_key__isnull=False).values_list(
            "slug", "external_key"
        )
    }

    def run(text: str) -> list[str]:
        docs: list[str] = []
        for page in range(1, MAX_PAGES + 1):
            result = search(text, page=page)
            docs += [by_slug.get(h.article_slug, f"other:{h.url}") for h in result.hits]
            if len(dedupe(docs)) >= k or not result.has_next:
                break
        return dedupe(docs, k)

    return run


def fts5_runner(k: int = K) -> tuple[Runner, int]:
    """The FTS5 BM25 floor over the same FAQs, and how many rows it holds."""
    from benchmarks.fts5_baseline import Fts5Index, imported_rows

    index = Fts5Index(imported_rows())

    def run(text: str) -> list[str]:
        return dedupe((document_of(key) for key in index.search(text, limit=100)), k)

    return run, len(index)


def evaluate(queries: Iterable[DevQuery], runners: dict[str, Runner], k: int = K) -> list[Outcome]:
    """Every engine on every available form of every query."""
    outcomes = []
    for q in queries:
        for form, text in q.forms().items():
            if not text:
                continue
            for engine, run in runners.items():
                started = time.perf_counter()
                ranked = run(text)
                took = time.perf_counter() - started
                outcomes.append(score(Outcome(q, form, engine, ranked, took), k))
    return outcomes


def summary_table(outcomes: list[Outcome], engines: list[str], forms: Iterable[str]) -> str:
    """Mean metrics per form and engine, with each engine's ratio to the last (the floor)."""
    lines = [f"{'form':<11}{'n':>4}  {'engine':<8}{'MRR@10':>8}{'R@10':>8}{'nDCG@10':>9}"]
    floor = engines[-1]
    for form in forms:
        rows = {e: [o for o in outcomes if o.form == form and o.engine == e] for e in engines}
        if not rows[floor]:
            lines.append(f"{form:<11}{0:>4}  (no queries have this form)")
            continue
        means = {e: {m: mean(o.scores[m] for o in rows[e]) for m in ("MRR", "R", "nDCG")}
                 for e in engines}
        for e in engines:
            m = means[e]
            lines.append(f"{form:<11}{len(rows[e]):>4}  {e:<8}"
                         f"{m['MRR']:>8.3f}{m['R']:>8.3f}{m['nDCG']:>9.3f}")
        for e in engines[:-1]:
            ratio = [_ratio(means[e][m], means[floor][m]) for m in ("MRR", "R", "nDCG")]
            lines.append(f"{'':<15}{e + '/' + floor:<12}" + "".join(ratio))
    return "\n".join(lines)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:>8.2f}" if b else f"{'-':>8}"


def worst_queries(outcomes: list[Outcome], engine: str, floor: str, n: int = 10) -> str:
    """The n raw questions the engine ranks worst (ties: where the floor does better first)."""
    mine = {o.query.id: o for o in outcomes if o.form == "query" and o.engine == engine}
    theirs = {o.query.id: o for o in outcomes if o.form == "query" and o.engine == floor}
    order = sorted(mine, key=lambda i: (mine[i].scores["nDCG"], -theirs[i].scores["nDCG"]))
    lines = [f"{'id':<16}{'nDCG':>6}{floor:>7}  rank/{floor} relevant | question"]
    for qid in order[:n]:
        o, f = mine[qid], theirs[qid]
        rel = set(o.query.relevant)
        ranks = f"{_rank(o.ranked, rel)}/{_rank(f.ranked, rel)}"
        text = " ".join(o.query.query.split())[:70]
        lines.append(f"{qid:<16}{o.scores['nDCG']:>6.2f}{f.scores['nDCG']:>7.2f}  {ranks:<9}"
                     f"{','.join(sorted(rel))[:40]} | {text}")
    return "\n".join(lines)


def _rank(ranked: list[str], relevant: set) -> str:
    rank = first_relevant_rank(ranked, relevant)
    return str(rank) if rank else "-"


def length_split(outcomes: list[Outcome], engines: list[str], limit: int = 256) -> str:
    """nDCG@10 of the raw questions up to and over `limit` characters (the search's cap)."""
    parts = []
    for label, longer in ((f"<={limit} chars", False), (f">{limit} chars", True)):
        rows = [o for o in outcomes if o.form == "query" and (len(o.query.query) > limit) == longer]
        scores = ", ".join(
            f"{e} {mean(o.scores['nDCG'] for o in rows if o.engine == e):.3f}" for e in engines
        )
        parts.append(f"{label} (n={len(rows) // max(len(engines), 1)}): {scores}")
    return "Raw questions by length, nDCG@10: " + "; ".join(parts)


def timing_line(outcomes: list[Outcome], engines: list[str]) -> str:
    """Total seconds each engine spent, to put relevance beside cost."""
    parts = [f"{e}: {sum(o.seconds for o in outcomes if o.engine == e):.1f} s" for e in engines]
    return "Search time over all forms: " + ", ".join(parts)


def report(path: Path, write: Callable[[str], None], k: int = K, worst: int = 10) -> None:
    """Run the whole evaluation and write the tables."""
    queries = load_dev_queries(path)
    started = time.perf_counter()
    fts5, rows = fts5_runner(k)
    write(f"{len(queries)} dev queries; FTS5 floor built over {rows} FAQs "
          f"in {time.perf_counter() - started:.1f} s.")
    runners = {"whoosh": project_runner(k), "fts5": fts5}
    outcomes = evaluate(queries, runners, k)
    engines = list(runners)
    write(summary_table(outcomes, engines, ["query", "summary", "focus+type"]))
    write(length_split(outcomes, engines))
    write(timing_line(outcomes, engines))
    write(f"\nWorst {worst} raw questions for whoosh:")
    write(worst_queries(outcomes, "whoosh", "fts5", worst))
    if NAME_QUERIES.is_file():
        names = load_name_queries()
        write(f"\nNames people type ({NAME_QUERIES.name}, {len(names)} queries):")
        name_report(names, write)


NAME_QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "name_queries.json"
NAME_TOP = 3  # a name query passes when one of its topics is among the first three hits


@dataclass(frozen=True)
class NameQuery:
    query: str
    kind: str
    topics: frozenset[str]  # article titles, lower-cased


def load_name_queries(path: Path = NAME_QUERIES) -> list[NameQuery]:
    """Read name_queries.json into NameQuery rows."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        NameQuery(row["query"], row["kind"], frozenset(t.lower() for t in row["topics"]))
        for row in rows
    ]


def name_rank(query: NameQuery, k: int = K) -> int | None:
    """Where the first hit on one of the query's topics is, 1-based, within k; else None."""
    from search_index.service import search

    for rank, hit in enumerate(search(query.query).hits[:k], start=1):
        if hit.article_title.lower() in query.topics:
            return rank
    return None


def name_report(queries: list[NameQuery], write: Callable[[str], None], misses: bool = True) -> int:
    """Top-three and top-ten counts per kind of name, and the misses; returns the top-three
    count."""
    ranks = [(q, name_rank(q)) for q in queries]
    kinds = sorted({q.kind for q in queries})
    write(f"{'kind':<14}{'n':>4}{'top 3':>7}{'top 10':>8}{'MRR@10':>8}")
    for kind in [*kinds, "all"]:
        rows = [r for q, r in ranks if kind in ("all", q.kind)]
        top = sum(1 for r in rows if r and r <= NAME_TOP)
        ten = sum(1 for r in rows if r)
        mrr = mean(1 / r if r else 0.0 for r in rows)
        write(f"{kind:<14}{len(rows):>4}{top:>7}{ten:>8}{mrr:>8.3f}")
    if misses:
        for q, r in ranks:
            if not r or r > NAME_TOP:
                write(f"  not in the first {NAME_TOP}: {q.query!r} (rank {r or '-'})")
    return sum(1 for _q, r in ranks if r and r <= NAME_TOP)


def main(argv: list[str]) -> None:
    """Script entry: `python -m benchmarks.relevance DEV_QUERIES.json` (dev settings)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faqsite.settings.dev")
    django.setup()
    report(Path(argv[0] if argv else "../shared/data/dev_queries.json"), print)


if __name__ == "__main__":
    main(sys.argv[1:])
