"""Red-flag triage on a labelled query set: red flags caught (right kind), false alarms.

    python -m benchmarks.triage [tests/data/triage_queries.json] [--show]

Uses the shipped rule set in a throw-away SQLite database, so it needs no site. Prints the
figures and, with --show, every miss and false alarm; also the time triage adds per query.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "triage_queries.json"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faqsite.settings.test")
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/triage.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def evaluate(queries: dict) -> dict:
    """Caught, wrong kind, missed and false alarms over a query set."""
    from search_index.query.triage.rules import urgent_message

    found = {"caught": [], "wrong_kind": [], "missed": [], "false_alarms": []}
    for item in queries["red_flags"]:
        message = urgent_message(item["q"])
        if message is None:
            found["missed"].append((item["q"], item["kind"], None))
        elif message.kind != item["kind"]:
            found["wrong_kind"].append((item["q"], item["kind"], message.kind))
        else:
            found["caught"].append((item["q"], item["kind"], message.kind))
    for item in queries["routine"]:
        message = urgent_message(item["q"])
        if message is not None:
            found["false_alarms"].append((item["q"], None, message.kind))
    return found


def time_per_query(texts: list[str], repeats: int = 5) -> tuple[float, float]:
    """(median, p95) microseconds triage takes per query, first read and repeated."""
    from search_index.query.triage import rules as urgent

    ruleset = urgent.urgent_care_rules()
    times = []
    for _ in range(repeats):
        ruleset.words._meanings.clear()  # noqa: SLF001 - measure the first reading each time
        for text in texts:
            started = time.perf_counter()
            urgent.urgent_message(text)
            times.append((time.perf_counter() - started) * 1e6)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    setup_django()
    queries = json.loads(Path(args.path).read_text())
    found = evaluate(queries)
    flags, routine = len(queries["red_flags"]), len(queries["routine"])
    print(f"{args.path}: {flags} red flags, {routine} routine queries")
    print(f"  red flags with the right message: {len(found['caught'])} / {flags}")
    print(f"  red flags with another kind:      {len(found['wrong_kind'])}")
    print(f"  red flags missed:                 {len(found['missed'])}")
    rate = len(found["false_alarms"]) / routine * 35 if routine else 0
    print(f"  false alarms: {len(found['false_alarms'])} / {routine} ({rate:.2f} per 35)")
    texts = [item["q"] for item in (*queries["red_flags"], *queries["routine"])]
    median, p95 = time_per_query(texts)
    print(f"  triage time per query: median {median:.0f} us, p95 {p95:.0f} us")
    if args.show:
        for label in ("missed", "wrong_kind", "false_alarms"):
            for q, want, got in found[label]:
                print(f"  {label}: {q!r} expected {want}, got {got}")


if __name__ == "__main__":
    main(sys.argv[1:])
