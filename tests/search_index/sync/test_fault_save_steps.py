"""kill -9 of a saving process at each step of a save; the queue drain alone catches up.

A save in autocommit (as in the shell, a script or a management command) runs in a process
that kills itself at one step: after the content was written but before its queue row, after
the queue row but before the commit, after the commit but before the index apply, with the
index writer open, and after the index commit but before the node's position in the change
log moved.
The step is found at the database boundary (the statement about to run), not by replacing
any of the code under test. After each kill, `process_index_queue` alone must bring the index
level with the database, and `index_status --check` must agree.
"""
import json

import pytest

from tests.search_index.sync.test_fault_concurrency import CLEAN, REPORT
from tests.search_index.sync.test_index_faults import django_shell, manage, manage_env

pytestmark = pytest.mark.slow

SETUP = """
from faq.models import FAQ, Article, Section
article = Article.objects.create(title="Steps", slug="steps", summary="s", status="published")
for n in range(3):
    Section.objects.create(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet")
FAQ.objects.create(question="Why numb?", slug="why", answer="pressure", article=article,
                   status="published")
"""

# (when, statement pattern, pattern that must have run before it): the kill points in order.
STEPS = {
    "content written, queue row not yet": ("before", 'INSERT INTO "search_index_indexchange"', ""),
    "queue row written, not committed": ("after", 'INSERT INTO "search_index_indexchange"', ""),
    "committed, index apply not started": ("before", 'FROM "search_index_indexnode"', ""),
    "index writer open, reading the rows": (
        "before", r'FROM "faq_(section|faq)"', r'"search_index_indexchange"\."id" > .*LIMIT'
    ),
    "index committed, node position not moved": (
        "before", 'UPDATE "search_index_indexnode" SET "position"', ""
    ),
}
COMMITTED = {
    "content written, queue row not yet": False,
    "queue row written, not committed": False,
}

SAVE = """
import os, re, signal
from django.db import connection
from faq.models import Article, Section

when, pattern, armed_by = os.environ["KILL_WHEN"], os.environ["KILL_AT"], os.environ["ARMED_BY"]
state = {"armed": not armed_by}

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def kill_at_step(execute, sql, params, many, context):
    matches = state["armed"] and re.search(pattern, sql)
    if matches and when == "before":
        die()
    result = execute(sql, params, many, context)
    if matches:
        die()
    if armed_by and re.search(armed_by, sql):
        state["armed"] = True
    return result

with connection.execute_wrapper(kill_at_step):
    if os.environ["ACTION"] == "edit":
        section = Section.objects.order_by("pk").first()
        section.heading = os.environ["MARK"]
        section.save()
    else:
        article = Article.objects.get(slug="steps")
        article.status = "draft" if article.status == "published" else "published"
        article.title = os.environ["MARK"]
        article.save()
print("not killed")
"""

SAVED = """
import os
from faq.models import Article, Section
print(Section.objects.filter(heading=os.environ["MARK"]).exists()
      or Article.objects.filter(title=os.environ["MARK"]).exists())
"""


@pytest.fixture
def site(tmp_path):
    env = manage_env(tmp_path, SEARCH_AUTO_UPDATE="1")
    assert manage(env, "migrate", "-v0").returncode == 0
    done = django_shell(env, SETUP)
    assert done.returncode == 0, done.stderr[-2000:]
    assert manage(env, "rebuild_index", "-v0").returncode == 0
    return env


def kill_and_drain(env: dict, action: str, step: str) -> dict:
    """Save with a kill at `step`; then drain once and compare index and database."""
    when, pattern, armed_by = STEPS[step]
    mark = f"{action} killed at {step}"
    step_env = {**env, "ACTION": action, "MARK": mark, "KILL_WHEN": when, "KILL_AT": pattern,
                "ARMED_BY": armed_by}
    saving = django_shell(step_env, SAVE)
    assert saving.returncode == -9, (step, saving.stdout, saving.stderr[-2000:])
    saved = django_shell(step_env, SAVED).stdout.split()
    assert manage(env, "process_index_queue", "-v0").returncode == 0
    report = json.loads(django_shell(env, REPORT).stdout.strip().splitlines()[-1])
    checked = manage(env, "index_status", "--check")
    return {"saved": saved == ["True"], "report": {k: report[k] for k in CLEAN},
            "check": checked.returncode, "check_out": checked.stdout + checked.stderr}


@pytest.mark.parametrize("action", ["edit", "withdraw"])
def test_a_save_killed_at_any_step_is_caught_up_by_the_drain_alone(site, action):
    for step in STEPS:
        result = kill_and_drain(site, action, step)
        # A save killed before its commit leaves nothing; after it, the change is kept.
        assert result["saved"] == COMMITTED.get(step, True), (step, result)
        assert result["report"] == CLEAN, (step, result)
        assert result["check"] == 0, (step, result)
