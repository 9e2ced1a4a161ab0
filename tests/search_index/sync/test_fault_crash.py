"""kill -9 of the indexing process at random moments, over and over, on a real file database.

A driver process (one `manage.py shell`) repeats: change a few hundred rows and queue them,
fork an indexer child (`process_index_queue`, or `rebuild_index` every third round), wait a
random time within how long that work takes, and SIGKILL it. After each kill: both writer locks
are free at once, the index opens, the queue alone brings it level with the database, and
reconcile then finds nothing left to fix.
"""
import json

import pytest

from tests.search_index.sync.test_fault_concurrency import COMPARE
from tests.search_index.sync.test_index_faults import django_shell, manage, manage_env

pytestmark = pytest.mark.slow

ROUNDS = 22

DRIVER = COMPARE + """
import json, os, random, signal, time
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from faq.models import Article, Section
from search_index.sync import rebuild as indexer
from search_index.backends.whoosh.storage import open_index, writer_lock

rng = random.Random(int(os.environ["SEED"]))
slugs = iter(range(1_000_000))
article = Article.objects.create(title="Crash", slug="crash", summary="s", status="published")
Section.objects.bulk_create(
    Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet " * 8, order=n)
    for n in range(300)
)
indexer.rebuild()


def mutate(round_number):
    sections = list(Section.objects.all())
    edited = rng.sample(sections, 150)
    for section in edited:
        section.heading = f"round {round_number} {section.pk}"
        section.body = f"numb feet, round {round_number}. " * 8
    Section.objects.bulk_update(edited, ["heading", "body"])
    added = Section.objects.bulk_create(
        Section(article=article, heading=f"new {round_number} {n}",
                slug=f"new-{next(slugs)}", body="numb", order=10_000 + n)
        for n in range(20)
    )
    gone = rng.sample([s for s in sections if s not in edited], 10)
    Section.objects.filter(pk__in=[s.pk for s in gone]).delete()
    indexer.enqueue_many("section", [s.pk for s in [*edited, *added, *gone]])


def start(command):
    # A forked child, as a worker process is: Django's start-up is not part of each round.
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        for connection in connections.all():
            connection.connection = None  # its own database connection, not the parent's
        try:  # whatever happens, the child must never run on into the driver's loop
            os.write(write, b"w")
            call_command(command, verbosity=0)
            os.write(write, b"d")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"w"
    return pid, read, time.monotonic()


def finish(pid, read):
    # Reap the child; True when it got to the end of its work.
    os.waitpid(pid, 0)
    done = os.read(read, 1) == b"d"
    os.close(read)
    return done


def calibrate(command):
    # How long the work takes when nobody kills it: the window the kills are spread over.
    mutate(-1)
    pid, read, started = start(command)
    assert finish(pid, read)
    return time.monotonic() - started


def locks_free():
    with writer_lock(timeout=0):
        open_index(create=False).writer(timeout=0).cancel()
    return True


def one_round(number, command, window):
    began = time.monotonic()
    mutate(number)
    pid, read, started = start(command)
    boot = time.monotonic() - began
    time.sleep(rng.uniform(0, 0.8 * window))  # calibrated on one run; rounds vary
    os.kill(pid, signal.SIGKILL)
    result = {"command": command, "mid_work": not finish(pid, read)}
    result["lock_free"] = locks_free()
    with open_index(create=False).searcher() as searcher:
        result["opens"] = searcher.doc_count() >= 0
    indexer.apply_pending(timeout=5)
    result["after_queue"] = index_vs_database()
    result["reconcile_fixed"] = indexer.reconcile().changed
    result["after_reconcile"] = index_vs_database()
    result["pending"] = indexer.pending_changes().count()
    result["seconds"] = [round(boot, 2), round(time.monotonic() - began, 2)]
    return result


windows = {command: calibrate(command) for command in ("process_index_queue", "rebuild_index")}
rounds = []
for number in range(int(os.environ["ROUNDS"])):
    command = "rebuild_index" if number % 3 == 2 else "process_index_queue"
    rounds.append(one_round(number, command, windows[command]))
files = len(os.listdir(settings.SEARCH_INDEX["PATH"]))
print(json.dumps({"windows": windows, "rounds": rounds, "files": files}))
"""


def level(report: dict) -> bool:
    return not any(report[key] for key in ("duplicates", "missing", "extra", "stale"))


def test_kill_9_of_the_indexer_at_random_moments_loses_nothing(tmp_path):
    env = manage_env(tmp_path, SEARCH_AUTO_UPDATE="0", SEED="5", ROUNDS=str(ROUNDS))
    assert manage(env, "migrate", "-v0").returncode == 0
    done = django_shell(env, DRIVER)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    rounds = report["rounds"]
    print([r["seconds"] for r in rounds])
    print(f"windows {report['windows']}; killed mid-work "
          f"{sum(r['mid_work'] for r in rounds)}/{len(rounds)}; files left {report['files']}")
    assert len(rounds) == ROUNDS
    # Most kills must land while the child was still working, or the test proves little.
    assert sum(r["mid_work"] for r in rounds) >= ROUNDS // 2, rounds
    assert {r["command"] for r in rounds if r["mid_work"]} == {
        "process_index_queue", "rebuild_index"
    }
    for number, result in enumerate(rounds):
        assert result["lock_free"] and result["opens"], (number, result)
        assert level(result["after_queue"]), (number, result)  # the queue alone restores it
        assert result["reconcile_fixed"] == 0, (number, result)
        assert level(result["after_reconcile"]) and result["pending"] == 0, (number, result)
    assert report["files"] < 40  # a killed writer's leftovers are cleaned, not piling up
