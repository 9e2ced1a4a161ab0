"""Several nodes on one machine: how soon an edit is searchable on another node, and throughput
with one node and with two.

    .venv/bin/python -m benchmarks.multinode [--edits 30] [--seconds 10] [--clients 8]
    .ci/with-postgres .venv/bin/python -m benchmarks.multinode     # on PostgreSQL (NOTIFY)

Builds a throwaway site (benchmarks/nodes.py: PostgreSQL when DATABASE_URL names one, else an
SQLite file) with nodes a and b, each with its own index, gunicorn (2 workers) and queue
worker. Lag: an editor saves an FAQ through node a's admin --edits times, each with a new
word; from the moment the save returns, node a and node b are asked (every 10 ms) until their
search finds the word. Node a's own figure is the baseline measured in the same run (its save
applies the change in the request). Throughput: --clients threads for --seconds on a mix of
article, FAQ and search requests, all to node a, then spread over a and b as a load balancer
would.
"""
import argparse
import os
import statistics
import tempfile
import threading
import time
from itertools import cycle
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.nodes import AdminSession, cluster

FIRST_FAQ = (
    "from faq.models import FAQ, Status; "
    "print(FAQ.objects.filter(status=Status.PUBLISHED).order_by('pk').values_list('pk')[0][0])"
)
PATHS = [
    "/articles/numb-legs-and-feet/",
    "/faqs/pins-and-needles-in-feet/",
    "/api/search?" + urlencode({"q": "numb feet"}),
    "/search/?" + urlencode({"q": "tingling hands"}),
]
POLL = 0.01


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_to_find(node, word: str, since: float, limit: float = 30.0) -> float:
    while node.search_total(word) < 1:
        if time.monotonic() - since > limit:
            return float("inf")
        time.sleep(POLL)
    return time.monotonic() - since


def lag(a, b, edits: int) -> dict[str, list[float]]:
    """Seconds from each save returning on a until a's and b's search find its word."""
    pk = int(a.manage("shell", "-v", "0", "-c", FIRST_FAQ).stdout)
    editor = AdminSession(a)
    found: dict[str, list[float]] = {"a (saving node)": [], "b (other node)": []}
    for n in range(edits):
        word = f"bilbywrist{n}x"
        editor.change("faq.faq", pk, answer=f"Numbness after a {word} sprain.")
        returned = time.monotonic()
        threads = [threading.Thread(target=_record, args=(found[key], node, word, returned))
                   for key, node in zip(found, (a, b), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return found


def _record(into: list[float], node, word: str, returned: float) -> None:
    into.append(time_to_find(node, word, returned))


def throughput(nodes: list, clients: int, seconds: float) -> tuple[float, float]:
    """(requests per second, p95 seconds) of `clients` threads spread over the nodes."""
    done: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def client(start: int) -> None:
        targets = cycle(nodes[start % len(nodes):] + nodes[:start % len(nodes)])
        paths = cycle(PATHS[start % len(PATHS):] + PATHS[:start % len(PATHS)])
        while time.monotonic() < stop:
            began = time.monotonic()
            status, _ = next(targets).get(next(paths))
            if status != 200:
                errors[0] += 1
            done.append(time.monotonic() - began)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors[0]:
        print(f"  {errors[0]} requests failed")
    return len(done) / seconds, percentile(done, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    with tempfile.TemporaryDirectory(prefix="symptom-search-nodes.") as folder:
        tmp = Path(folder)
        print(f"Two nodes on {engine}, {os.cpu_count()} CPUs, in {tmp} ...", flush=True)
        with cluster(tmp) as (make_node, _base):
            a, b = make_node("a"), make_node("b")
            for node in (a, b):
                node.manage("rebuild_index", "-v", "0")
                node.start()
            for path in PATHS:  # every worker's first requests open the index
                for node in (a, b):
                    for _ in range(4):
                        node.get(path)
            print(f"Edit-to-visible lag over {options.edits} admin saves on node a (seconds):")
            for key, values in lag(a, b, options.edits).items():
                print(f"  {key:<16} p50 {statistics.median(values):.3f}"
                      f"  p95 {percentile(values, 0.95):.3f}  max {max(values):.3f}")
            print(f"Throughput, {options.clients} clients for {options.seconds:.0f} s each:")
            for label, serving in (("one node", [a]), ("two nodes", [a, b])):
                rate, p95 = throughput(serving, options.clients, options.seconds)
                print(f"  {label:<10} {rate:7.1f} requests/s  p95 {p95 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
