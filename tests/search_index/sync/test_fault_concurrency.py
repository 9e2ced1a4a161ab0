"""Eight editors' processes saving 100 edits each at the same moment, on a real file database.

Each process is a separate `manage.py shell` on the same SQLite file (WAL, IMMEDIATE, busy
timeout, as configured in settings) or, when PostgreSQL is installed, a throwaway cluster on a
loopback port. Every save applies the queue after its commit, so the eight fight over both the
database and the index writer. No save may fail, and once the queue is drained the index must
equal the database: every row once, with its latest content.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from contextlib import contextmanager
from glob import glob
from pathlib import Path

import pytest
from django.conf import settings

from tests.search_index.sync.test_index_faults import django_shell, manage, manage_env

pytestmark = pytest.mark.slow

WORKERS = 8
EDITS = 100

SETUP = """
from faq.models import FAQ, Article, Section
article = Article.objects.create(title="Load", slug="load", summary="s", status="published")
Section.objects.bulk_create(
    Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet", order=n)
    for n in range(40)
)
FAQ.objects.bulk_create(
    FAQ(question=f"Why numb {n}?", slug=f"why-{n}", answer="pressure", article=article,
        status="published", question_type="causes")
    for n in range(20)
)
"""

# Saves that overlap: any worker may edit any row, and each also adds rows of its own.
EDITOR = """
import json, os, random, sys, time
from faq.models import FAQ, Article, Section
worker = int(os.environ["WORKER"])
rng = random.Random(worker)
article = Article.objects.get(slug="load")
section_ids = list(Section.objects.values_list("pk", flat=True))
faq_ids = list(FAQ.objects.values_list("pk", flat=True))
print("ready", flush=True)
sys.stdin.readline()  # every worker starts at the same moment
errors, seconds = [], []
for n in range(int(os.environ["EDITS"])):
    started = time.monotonic()
    try:
        if n % 10 == 9:
            Section.objects.create(article=article, heading=f"new w{worker} e{n}",
                                   slug=f"new-{worker}-{n}", body="numb new", order=1000 + n)
        elif n % 3 == 0:
            faq = FAQ.objects.get(pk=rng.choice(faq_ids))
            faq.question = f"Why numb, asks w{worker} e{n}?"
            faq.save()
        else:
            section = Section.objects.get(pk=rng.choice(section_ids))
            section.heading = f"w{worker} e{n}"
            section.body = f"numb feet, edit {n} by worker {worker}"
            section.save()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    seconds.append(time.monotonic() - started)
print(json.dumps({"errors": errors, "seconds": seconds}), flush=True)
"""

# Shared with test_fault_crash: the index's stored fields against the database's documents.
COMPARE = """
from collections import Counter
from search_index.documents.builders import iter_documents
from search_index.backends.whoosh.storage import open_index


def index_vs_database():
    ix = open_index(create=False)
    names = [name for name, field in ix.schema.items() if field.stored]
    with ix.searcher() as searcher:
        stored = [{n: f.get(n) or "" for n in names} for f in searcher.all_stored_fields()]
    copies = Counter(fields["doc_id"] for fields in stored)
    found = {fields["doc_id"]: fields for fields in stored}
    expected = {d["doc_id"]: {n: d.get(n) or "" for n in names} for d in iter_documents()}
    return {
        "documents": len(expected),
        "duplicates": sorted(key for key, n in copies.items() if n > 1),
        "missing": sorted(expected.keys() - found.keys()),
        "extra": sorted(found.keys() - expected.keys()),
        "stale": sorted(k for k in expected.keys() & found.keys() if expected[k] != found[k]),
    }
"""

REPORT = COMPARE + """
import json
from search_index.sync.rebuild import pending_changes
print(json.dumps({**index_vs_database(), "pending": pending_changes().count()}))
"""

CLEAN = {"duplicates": [], "missing": [], "extra": [], "stale": [], "pending": 0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl") or next(iter(glob("/usr/lib/postgresql/*/bin/pg_ctl")), None)
    return Path(os.path.realpath(found)).parent if found else None


@contextmanager
def throwaway_postgres():
    """A cluster in a temporary directory on a loopback port, run as the postgres user."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no pg_ctl)")
    as_owner: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="faq-pg-"))
    if os.geteuid() == 0:  # postgres refuses to run as root
        if shutil.which("runuser") is None or not _user_exists("postgres"):
            shutil.rmtree(base)
            pytest.skip("running as root without a postgres user to start PostgreSQL as")
        shutil.chown(base, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", free_port()

    def run(*command):
        subprocess.run([*as_owner, *command], check=True, capture_output=True, timeout=120)  # noqa: S603

    try:
        run(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--no-sync")
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(bin_dir / "pg_ctl", "-D", data, "-l", base / "log", "-w", "-o", options, "start")
        try:
            run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                "symptoms")
            yield f"postgres://postgres@127.0.0.1:{port}/symptoms"
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(params=["sqlite-wal", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite-wal":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    with throwaway_postgres() as url:
        yield url


def start_editors(env) -> list[subprocess.Popen]:
    """Eight editor processes that start Django, then wait for the signal to go."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-v0", "-c",
               textwrap.dedent(EDITOR)]
    editors = [
        subprocess.Popen(  # noqa: S603
            command, env={**env, "WORKER": str(n), "EDITS": str(EDITS)}, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for n in range(WORKERS)
    ]
    return editors


def wait_until_ready(editors) -> None:
    for editor in editors:
        assert editor.stdout.readline().strip() == "ready", editor.stderr.read()


def test_eight_editors_saving_at_once_lose_nothing(database_url, tmp_path):
    env = manage_env(tmp_path, DATABASE_URL=database_url, SEARCH_AUTO_UPDATE="1")
    assert manage(env, "migrate", "-v0").returncode == 0
    assert django_shell(env, SETUP).returncode == 0
    assert manage(env, "rebuild_index", "-v0").returncode == 0
    editors = start_editors(env)
    try:
        wait_until_ready(editors)
        for editor in editors:
            editor.stdin.write("go\n")
            editor.stdin.flush()
        outcomes = [editor.communicate(timeout=240) for editor in editors]
    finally:
        for editor in editors:  # a hung editor must not outlive the test
            if editor.poll() is None:
                editor.kill()
                editor.wait()
    assert [editor.returncode for editor in editors] == [0] * WORKERS, outcomes
    seconds = []
    for out, err in outcomes:
        result = json.loads(out.strip().splitlines()[-1])
        assert result["errors"] == [], err[-2000:]
        assert "Traceback" not in err, err[-3000:]
        seconds.extend(result["seconds"])
    seconds.sort()
    print(f"{len(seconds)} saves: p50 {seconds[len(seconds) // 2]:.3f} s, "
          f"p95 {seconds[len(seconds) * 95 // 100]:.3f} s, max {seconds[-1]:.3f} s")
    # No save waits seconds for another writer: with a 2 s lock wait, p95 was 1.3 to 1.6 s and
    # 9% of saves waited the whole 2 s. The lock's holder or the next drain applies a change
    # whose save gave up. (On a machine busy with other work a save's own database wait and
    # index commit still took 2.4 and 5.7 s once in 800, so the slowest is not held to it.)
    slow = sum(1 for s in seconds if s >= 2.0)
    assert seconds[len(seconds) * 95 // 100] < 1.0 and slow < len(seconds) // 100, slow
    assert manage(env, "process_index_queue", "-v0").returncode == 0
    done = django_shell(env, REPORT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["documents"] == 40 + 20 + WORKERS * EDITS // 10
    assert {key: report[key] for key in CLEAN} == CLEAN
