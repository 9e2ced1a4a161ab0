"""Read replicas: a PostgreSQL primary and a hot standby made with `pg_basebackup -R`, on
loopback, and a node (gunicorn and queue worker) given both.

Replay on the standby is paused, so the replica is visibly behind: a reader's page comes from
it, while the admin, the index upkeep and, for a short time after an editor's save, every
read of that editor and that node come from the primary (faqsite/replicas.py).
Skipped when PostgreSQL's server programs are not installed (`.ci/with-postgres` installs them).
"""
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from benchmarks.nodes import AdminSession, Node, node_environment, prepare_site, site_environment
from benchmarks.page_weight import free_port

pytestmark = pytest.mark.slow

PIN_SECONDS = 2
FIRST_FAQ = (
    "from faq.models import FAQ, Status; "
    "print(FAQ.objects.filter(status=Status.PUBLISHED, article__isnull=False)"
    ".order_by('pk').values_list('pk', 'slug')[0])"
)
SAVE_OUTSIDE_A_REQUEST = """
from faq.models import FAQ
faq = FAQ.objects.get(pk={pk})
faq.answer = "Saved by a script: platypusknee."
faq.save()
"""


def server_programs() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]) if found else None


def as_owner(*command: str) -> list[str]:
    """The server refuses to run as root: run its programs as postgres then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else list(command)


def run(*command: str) -> None:
    subprocess.run(as_owner(*command), check=True, capture_output=True, timeout=120)


def start(bin_dir: Path, data: Path, port: int, folder: Path) -> None:
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data) + ".log", "-w", "-o", options,
        "start")


def sql(port: int, query: str) -> str:
    import psycopg

    with psycopg.connect(f"postgres://symptoms@127.0.0.1:{port}/symptoms", autocommit=True) as c:
        row = c.execute(query).fetchone()
        return "" if row is None else str(row[0])


@pytest.fixture(scope="module")
def primary_and_standby():
    """(primary port, standby port): a throw-away primary and its hot standby."""
    bin_dir = server_programs()
    if bin_dir is None:
        pytest.skip("PostgreSQL server programs are not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="symptom-search-replicas."))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    primary, standby = folder / "primary", folder / "standby"
    ports = free_port(), free_port()
    try:
        run(str(bin_dir / "initdb"), "-D", str(primary), "-A", "trust", "-U", "symptoms",
            "-E", "UTF8")
        start(bin_dir, primary, ports[0], folder)
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "symptoms",
            "symptoms")
        # -c fast: checkpoint at once (the default spreads it over a minute and a half).
        run(str(bin_dir / "pg_basebackup"), "-D", str(standby), "-R", "-c", "fast",
            "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "symptoms")
        start(bin_dir, standby, ports[1], folder)
        yield ports
    finally:
        for data in (standby, primary):
            subprocess.run(as_owner(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                    "stop"), capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def node(primary_and_standby, tmp_path_factory):
    """A node reading from the standby, with the seed content and a built index."""
    primary, standby = primary_and_standby
    tmp = tmp_path_factory.mktemp("replica-node")
    env = site_environment(
        tmp, f"postgres://symptoms@127.0.0.1:{primary}/symptoms",
        DATABASE_REPLICA_URLS=f"postgres://symptoms@127.0.0.1:{standby}/symptoms",
        DATABASE_PRIMARY_PIN_SECONDS=str(PIN_SECONDS),
    )
    prepare_site(env)
    node = Node("r", node_environment(env, tmp, "r"), tmp / "r")
    node.manage("rebuild_index", "-v", "0")
    node.start()
    yield node
    node.stop()


def wait_for(found, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


def test_readers_read_the_replica_editors_and_their_node_the_primary(primary_and_standby, node):
    primary, standby = primary_and_standby
    assert sql(standby, "SELECT pg_is_in_recovery()") == "True"
    pk, slug = eval(node.manage("shell", "-v", "0", "-c", FIRST_FAQ).stdout)  # noqa: S307
    page = f"/faqs/{slug}/"
    wait_for(lambda: sql(standby, "SELECT count(*) FROM faq_faq")
             == sql(primary, "SELECT count(*) FROM faq_faq"))
    sql(standby, "SELECT pg_wal_replay_pause()")
    try:
        # A save outside any request pins nothing: readers see the replica's older copy...
        node.manage("shell", "-v", "0", "-c", SAVE_OUTSIDE_A_REQUEST.format(pk=pk))
        assert "platypusknee" not in node.get(page)[1]
        # ...while the index upkeep read the primary: search already finds it.
        wait_for(lambda: node.search_total("platypusknee") >= 1)
        # The admin reads the primary; an editor's save pins the editor and the node to it.
        editor = AdminSession(node)
        assert "platypusknee" in editor.open(f"/admin/faq/faq/{pk}/change/")
        editor.change("faq.faq", pk, answer="Saved in the admin: echidnashin.")
        assert "echidnashin" in editor.open(page)  # the editor, by the cookie
        assert "echidnashin" in node.get(page)[1]  # another reader of the node
        time.sleep(PIN_SECONDS + 0.5)
        assert "echidnashin" not in node.get(page)[1]  # the pin is over: the paused replica
    finally:
        sql(standby, "SELECT pg_wal_replay_resume()")
    wait_for(lambda: "echidnashin" in node.get(page)[1])
