"""kill -9 of the indexing process at random moments, over and over, on a real file database.

A driver process (one `manage.py shell`) repeats: change a few hundred rows and queue them,
start an indexer child (`process_index_queue`, or `rebuild_index` every third round), wait a
random time within how long that work takes, and SIGKILL it. After each kill: both writer locks
are free at once, the index opens, the queue alone brings it level with the database, and
reconcile then finds nothing left to fix.
"""
import json

import pytest

from .test_fault_concurrency import COMPARE
from .test_index_faults import django_shell, manage, manage_env

pytestmark = pytest.mark.slow

ROUNDS = 22

DRIVER = COMPARE + """
import json, os, random, signal, subprocess, sys, time
from django.conf import settings
from django.core.management import call_command
from faq.models import Article, Section
from search_index import indexer
from search_index.storage import open_index, writer_lock

rng = random.Random(int(os.environ["SEED"]))
slugs = iter(range(1_000_000))
article = Article.objects.create(title="Crash", slug="crash", summary="s", status="published")
Section.objects.bulk_create(
    Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet " * 8, order=n)
    for n in range(300)
)
indexer.rebuild()
CHILD = '''
print("working", flush=True)
from django.core.management import call_command
call_command("{command}", verbosity=0)
print("done", flush=True)
'''


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
    child = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-v0", "-c",
         CHILD.format(command=command)],
        stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout.readline().strip() == "working"
    return child, time.monotonic()


def calibrate(command):
    # How long the work takes when nobody kills it: the window the kills are spread over.
    mutate(-1)
    child, started = start(command)
    assert child.stdout.readline().strip() == "done"
    seconds = time.monotonic() - started
    child.wait()
    return seconds


def locks_free():
    with writer_lock(timeout=0):
        open_index(create=False).writer(timeout=0).cancel()
    return True


def one_round(number, command, window):
    began = time.monotonic()
    mutate(number)
    child, started = start(command)
    boot = time.monotonic() - began
    time.sleep(rng.uniform(0, window))
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()
    child.wait()
    result = {"command": command, "mid_work": "done" not in rest}
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
    assert sum(r["mid_work"] for r in rounds) >= ROUNDS * 2 // 3, rounds
    assert {r["command"] for r in rounds if r["mid_work"]} == {
        "process_index_queue", "rebuild_index"
    }
    for number, result in enumerate(rounds):
        assert result["lock_free"] and result["opens"], (number, result)
        assert level(result["after_queue"]), (number, result)  # the queue alone restores it
        assert result["reconcile_fixed"] == 0, (number, result)
        assert level(result["after_reconcile"]) and result["pending"] == 0, (number, result)
    assert report["files"] < 40  # a killed writer's leftovers are cleaned, not piling up
