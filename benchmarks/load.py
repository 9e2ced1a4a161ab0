"""Load: concurrent readers, one editor and one abusive client against gunicorn on loopback.

    .venv/bin/python -m benchmarks.load [--seconds 60] [--workers 4] [--medquad]

Builds a throwaway site in a temporary folder (its own SQLite database, index and static
files; with --medquad also the imported collection), starts gunicorn on 127.0.0.1, then:
8 and 32 client threads for --seconds each on a mix of article pages, FAQ pages, search pages
and API searches, while an editor process saves about once a second through the ORM, each save
in a transaction held open half a second: it corrects a section of the seed article, withdraws
the article (Draft) and publishes it again (benchmarks/staleness.py); then the 8 clients with
and without one client sending expensive queries in a loop, in alternating slices. Prints
throughput, p50/p95/p99 per request type and errors, how many reads of the seed article made
after a save returned showed a withdrawn or replaced page (must be 0), with one-client idle
times of robots.txt, a static file and each page type measured in the same run as
references. Bounded in clients and time; gunicorn is always stopped.
"""
import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import staleness
from benchmarks.metrics import percentile
from benchmarks.page_weight import ASSET, prepare_site, site_environment, wait_until_up
from benchmarks.speed import DATA, ROOT, SHORT_QUERIES, free_port

MAX_CLIENTS = 64
MAX_SECONDS = 600
SEED_QUERIES = [
    "pins and needles in my feet at night", "leg falls asleep when sitting", "numb toes",
    "calf pain when walking", "sciatica", "tingling hands", "siatica", "numb feet diabetes",
]
# Share of each request type in a reader's mix.
MIX = {"article": 25, "faq": 25, "search": 25, "api": 20, "static": 5}
EXPENSIVE_WORDS = (
    "numb tingling pain feet leg back nerve burning weakness diabetes night walking sitting "
    "sciatica calf toes hands arm neck spine pressure swelling cold hot sharp dull chronic"
).split()
LIMIT = 256  # the site's MAX_QUERY_LENGTH: longer queries are cut to this
EDITED_SLUG = "numb-legs-and-feet"  # the seed article the editor corrects and withdraws
EDITED = "edited"  # the request type of its reads (a quarter of the article reads)
EDITOR_HOLD = EDITOR_PAUSE = 0.5  # seconds a save's transaction stays open / between saves


class Stats:
    """Latencies and statuses per request type, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, kind: str, status: int, ms: float) -> None:
        with self.lock:
            self.ms[kind].append(ms)
            self.statuses[kind][status] += 1

    def errors(self, kind: str) -> int:
        # The edited article is withdrawn a third of the time: its 404s are right answers.
        right = {200, 404} if kind == EDITED else {200}
        return sum(n for status, n in self.statuses[kind].items() if status not in right)


def fetch(port: int, path: str) -> tuple[int, float]:
    """(status, milliseconds to the whole body) of one GET; status 0 when the connection failed."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def search_path(kind: str, query: str) -> str:
    return ("/search/?" if kind == "search" else "/api/search?") + urlencode({"q": query})


class Workload:
    """The addresses readers ask for, drawn at random in the proportions of MIX. A quarter of
    the article reads (all of them on the seed site, which has one article) are of the edited
    article: reported as their own type and judged for staleness."""

    def __init__(self, articles: list[str], faqs: list[str], queries: list[str], static: str):
        self.edited = f"/articles/{EDITED_SLUG}/"
        others = [path for path in articles if path != self.edited]
        self.paths = {"article": others, "faq": faqs, "static": [static]}
        self.queries = queries
        self.edited_reads = staleness.Reads()

    def next(self, rng: random.Random) -> tuple[str, str]:
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind in ("search", "api"):
            return kind, search_path(kind, rng.choice(self.queries))
        if kind == "article" and (not self.paths["article"] or rng.random() < 0.25):
            return EDITED, self.edited
        return kind, rng.choice(self.paths[kind])

    def read(self, port: int, kind: str, path: str) -> tuple[int, float]:
        """One request; the edited article's body is kept for the staleness check."""
        if path != self.edited:
            return fetch(port, path)
        started, clock = time.time(), time.perf_counter()
        try:
            status, body = fetch_body(port, path)
        except (OSError, http.client.HTTPException):
            status, body = 0, ""
        self.edited_reads.add(started, status, body)
        return status, (time.perf_counter() - clock) * 1000


def expensive_query(rng: random.Random) -> str:
    """A query at the length cap: many words, many ORs, or syntax other engines expand."""
    words = rng.sample(EXPENSIVE_WORDS, len(EXPENSIVE_WORDS))
    shapes = [
        " ".join(words * 3),
        " OR ".join(words * 2),
        " ".join(f"{w[:2]}* [{w[0]} TO {w[-1]}] {w}~2" for w in words),
        '"' + " ".join(words * 2) + '"',
        " ".join(f"+{w} -{w[::-1]}" for w in words),
        "a" * LIMIT,
    ]
    return rng.choice(shapes)[:LIMIT]


def run_clients(port: int, work: Workload, clients: int, seconds: float, abuser: bool = False,
                into: tuple[Stats, Stats] | None = None):
    """Reader threads (and optionally one expensive client) until time runs out."""
    readers, abusive = into or (Stats(), Stats())
    deadline = time.monotonic() + seconds

    def reader(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < deadline:
            kind, path = work.next(rng)
            readers.add(kind, *work.read(port, kind, path))

    def expensive() -> None:
        rng = random.Random(-1)
        while time.monotonic() < deadline:
            kind = rng.choice(["search", "api"])
            abusive.add(kind, *fetch(port, search_path(kind, expensive_query(rng))))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(clients)]
    if abuser:
        threads.append(threading.Thread(target=expensive))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return readers, abusive, time.perf_counter() - started


def ms_line(name: str, values: list[float], errors: int, took: float) -> str:
    if not values:
        return f"  {name:<10}{0:>7}"
    p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
    return (f"  {name:<10}{len(values):>7}{len(values) / took:>8.1f}{p50:>8.1f}{p95:>8.1f}"
            f"{p99:>8.1f}{errors:>8}")


def report(title: str, stats: Stats, took: float) -> list[float]:
    """Print one table; return every latency of the run (all types together)."""
    print(f"\n== {title} ({took:.1f} s)")
    print(f"  {'type':<10}{'n':>7}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>8}  (ms)")
    everything = []
    for kind in [*MIX, EDITED]:
        print(ms_line(kind, stats.ms[kind], stats.errors(kind), took))
        everything += stats.ms[kind]
    total_errors = sum(stats.errors(kind) for kind in stats.ms)
    print(ms_line("all", everything, total_errors, took))
    odd = {k: dict(v) for k, v in stats.statuses.items() if v and stats.errors(k)}
    if odd:
        print(f"  statuses other than 200: {odd}")
    return everything


def reference(port: int, work: Workload, requests: int = 40) -> None:
    """One client on the idle server: robots.txt and a static file are the floor; one address
    of each type gives its service time, so queueing under load can be told apart from work."""
    paths = {"robots.txt": "/robots.txt", "static": work.paths["static"][0],
             "article": (work.paths["article"] or [work.edited])[0], "faq": work.paths["faq"][0],
             "search": search_path("search", SEED_QUERIES[0]),
             "api": search_path("api", SEED_QUERIES[0])}
    for name, path in paths.items():
        for _ in range(5):
            fetch(port, path)
        values = [fetch(port, path)[1] for _ in range(requests)]
        print(f"  idle, 1 client, {requests} x {name:<11} "
              f"p50 {percentile(values, 50):6.1f} ms, p95 {percentile(values, 95):6.1f} ms")


@contextmanager
def gunicorn(env: dict, workers: int, log: Path):
    """gunicorn with `workers` sync workers on loopback; terminated (then killed) on exit."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", "faqsite/gunicorn.conf.py",
               "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    with log.open("w") as log_file:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stderr=log_file)
        try:
            wait_until_up(port, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def editor(env: dict, seconds: float, work: Workload):
    """An editor process correcting and withdrawing the seed article; prints its tally and
    whether any reader was served a withdrawn or replaced page after a save returned."""
    if env.get("LOAD_NO_EDITOR"):
        yield
        return
    command = [sys.executable, "-m", "benchmarks.load", "--editor-for", str(seconds)]
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        yield
    finally:
        try:
            out, _ = proc.communicate(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        tally = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"saves": []}
        saves = tally.pop("saves")
        print(f"  editor: {len(saves)} saves, {tally}")
        print(f"  stale reads of the edited article: "
              f"{staleness.summary(work.edited_reads.items, saves)}")
        work.edited_reads = staleness.Reads()


def edit_sections(seconds: float) -> dict:
    """Correct, withdraw and republish the seed article through the ORM until time is up."""
    import django

    django.setup()
    saves, failures, rounds = [], 0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            saves += staleness.edit_and_withdraw(EDITED_SLUG, 1, EDITOR_HOLD, EDITOR_PAUSE,
                                                 first=rounds)
        except Exception:  # any failure is counted, not fatal
            failures += 1
        rounds += 1
    took = [1000 * (s["returned"] - s["began"] - EDITOR_HOLD) for s in saves]
    return {"saves": saves, "failures": failures,
            "save p50 ms (beyond the hold)": round(percentile(took, 50), 1) if took else None,
            "save max ms (beyond the hold)": round(max(took), 1) if took else None}


def workload_of(env: dict, port: int) -> Workload:
    """Published article and FAQ addresses from the site, and the queries readers send."""
    os.environ.update(env)
    import django

    django.setup()
    from faq.models import FAQ, Article

    articles = [a.get_absolute_url() for a in Article.objects.published().order_by("pk")[:200]]
    faqs = [f.get_absolute_url() for f in FAQ.objects.published().order_by("?")[:500]]
    _, home = fetch_body(port, "/")
    static = ASSET.findall(home)[0]
    return Workload(articles, faqs, SEED_QUERIES + SHORT_QUERIES, static)


def fetch_body(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def prepare(tmp: Path, medquad: Path | None) -> dict:
    env = site_environment(tmp)
    print(f"Setting up a throwaway site in {tmp} ...", flush=True)
    prepare_site(env)
    if medquad:
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "import_medquad", str(medquad), "-v", "0"],
                       env=env, cwd=ROOT, check=True)
    return env


def measure(env: dict, port: int, args) -> None:
    work = workload_of(env, port)
    print(f"{len(work.paths['article'])} articles, {len(work.paths['faq'])} FAQs, "
          f"{len(work.queries)} queries; {args.workers} gunicorn workers; mix {MIX}")
    # Every worker opens its searcher and builds its caches on first use: not measured.
    run_clients(port, work, 8, min(5.0, args.seconds))
    reference(port, work)
    who = "" if args.no_editor else " + editor"
    for clients in args.clients:
        with editor(env, args.seconds, work):
            stats, _, took = run_clients(port, work, clients, args.seconds)
            report(f"{clients} clients{who}", stats, took)
    abuse_comparison(port, work, env, args, who)


def abuse_comparison(port: int, work: Workload, env: dict, args, who: str) -> None:
    """Readers with and without one expensive client, in alternating slices of ~10 s, so that
    other load on the machine drifting during the run falls on both sides alike."""
    clients, slices = args.clients[0], max(1, round(args.seconds / 10))
    without, with_abuser, abusive = Stats(), Stats(), Stats()
    with editor(env, 2 * args.seconds, work):
        for _ in range(slices):
            run_clients(port, work, clients, args.seconds / slices, into=(without, Stats()))
            run_clients(port, work, clients, args.seconds / slices, abuser=True,
                        into=(with_abuser, abusive))
        before = report(f"{clients} clients{who}, slices without", without, args.seconds)
        after = report(f"{clients} clients{who}, slices with 1 expensive client", with_abuser,
                       args.seconds)
    report("the expensive client itself", abusive, args.seconds)
    ratio = percentile(after, 95) / percentile(before, 95)
    print(f"\nreaders' p95 without the expensive client {percentile(before, 95):.1f} ms, "
          f"with it {percentile(after, 95):.1f} ms: ratio {ratio:.2f} (target <= 2)")
    reference(port, work)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="Length of each run.")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--medquad", action="store_true", help="Also import the collection.")
    parser.add_argument("--tarball", type=Path, default=DATA / "medquad.tar.gz")
    parser.add_argument("--editor-for", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--no-editor", action="store_true", help="Readers only (a comparison).")
    args = parser.parse_args(argv)
    if args.editor_for is not None:
        print(json.dumps(edit_sections(args.editor_for)), flush=True)
        return
    if not (0 < args.seconds <= MAX_SECONDS and all(0 < c <= MAX_CLIENTS for c in args.clients)):
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}], clients in 1..{MAX_CLIENTS}")
    if args.medquad and not args.tarball.is_file():
        parser.error(f"--medquad: no tarball at {args.tarball}")
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        tmp = Path(folder)
        env = prepare(tmp, args.tarball if args.medquad else None)
        if args.no_editor:
            env["LOAD_NO_EDITOR"] = "1"
        with gunicorn(env, args.workers, tmp / "gunicorn.log") as port:
            measure(env, port, args)


if __name__ == "__main__":
    main()
