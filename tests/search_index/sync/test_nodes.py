"""Several nodes, each its own index directory, following one change log in the database.

In one process a node is the SEARCH_INDEX path in force; each test switches between two.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from search_index.backends import get_backend
from search_index.models import IndexChange, IndexNode
from search_index.sync import nodes, queue
from search_index.sync import rebuild as indexer
from tests.index_factories import make_section
from tests.search_helpers import stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_node(settings, tmp_path):
    """on_node("b") makes node b's index directory the one in force."""
    def switch(name: str):
        settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": tmp_path / f"node-{name}"}
        get_backend().close()
        return nodes.this_node()
    return switch


def stored_title(doc_id):
    found = stored(doc_id)
    return found and found["title"]


def edit(section, heading):
    section.heading = heading
    section.save()


def test_an_edit_applied_on_one_node_still_waits_for_the_other(on_node):
    section = make_section(heading="First")
    on_node("a")
    indexer.rebuild()
    on_node("b")
    indexer.rebuild()
    on_node("a")
    edit(section, "Edited on a")
    assert indexer.apply_pending() == 1
    assert stored_title(f"section:{section.pk}") == "Edited on a"
    b = on_node("b")
    assert stored_title(f"section:{section.pk}") == "First"
    status = indexer.index_status()
    assert not status["in_step"] and status["pending"] == 1
    assert status["node"]["behind"] == 1 and status["node"]["node"] == b.name
    assert indexer.apply_pending() == 1
    assert stored_title(f"section:{section.pk}") == "Edited on a"
    assert indexer.index_status()["in_step"]


def test_node_names_follow_the_index_directory_unless_configured(on_node, settings):
    a, b = on_node("a"), on_node("b")
    assert a.name != b.name and a.name.endswith("node-a") and b.name.endswith("node-b")
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "NODE_NAME": "web-3"}
    assert nodes.this_node().name == "web-3"


def test_the_first_node_keeps_its_index_a_later_new_node_rebuilds(on_node):
    section = make_section(heading="Before any node")
    first = on_node("a")
    assert not first.needs_rebuild  # e.g. the index of a single-node site, upgraded
    later = on_node("b")
    assert later.needs_rebuild
    assert indexer.apply_pending() == 0  # nothing in the log: the rebuild is its own work
    assert stored_title(f"section:{section.pk}") == "Before any node"
    assert not nodes.this_node().needs_rebuild and nodes.this_node().rebuilt_at is not None


def test_entries_every_live_node_applied_are_pruned(on_node):
    section = make_section()
    for name in ("a", "b"):
        on_node(name)
        indexer.rebuild()
    nodes.prune()  # the section's creation, which both rebuilds read
    for n in range(3):
        edit(section, f"Edit {n}")
    on_node("a")
    indexer.apply_pending()
    assert nodes.prune() == 0  # b has applied none of them
    on_node("b")
    indexer.apply_pending()
    assert nodes.prune() == 3 and not IndexChange.objects.exists()
    edit(section, "After the pruning")
    assert indexer.apply_pending() == 1


def test_a_node_away_while_its_entries_were_pruned_rebuilds_on_return(on_node):
    section = make_section(heading="Original")
    for name in ("a", "b"):
        on_node(name)
        indexer.rebuild()
    nodes.prune()
    IndexNode.objects.filter(name=nodes.node_name()).update(
        seen_at=timezone.now() - nodes.NODE_TIMEOUT - timedelta(hours=1)
    )  # b went away long ago
    on_node("a")
    edit(section, "Edited while b was away")
    indexer.apply_pending()
    assert nodes.prune() == 1
    b = on_node("b")
    assert b.needs_rebuild
    indexer.apply_pending()
    assert stored_title(f"section:{section.pk}") == "Edited while b was away"
    assert not nodes.this_node().needs_rebuild


def test_the_position_moves_only_after_the_index_commit(on_node, monkeypatch):
    section = make_section()
    on_node("a")
    indexer.rebuild()
    before = nodes.this_node().position
    edit(section, "Never committed")
    monkeypatch.setattr(nodes, "advance", lambda *a, **k: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):  # the process dies between the index commit and the move
        indexer.apply_pending()
    monkeypatch.undo()
    assert nodes.this_node().position == before
    assert indexer.apply_pending() == 1  # applied again on restart: harmless
    assert stored_title(f"section:{section.pk}") == "Never committed"


def test_a_row_that_keeps_failing_is_passed_over_after_a_few_tries(on_node, settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    on_node("a")
    indexer.rebuild()
    bad = IndexChange.objects.create(model="citation", object_id=1)
    good = make_section(heading="Behind the bad row")
    queue.enqueue("section", good.pk)
    for _ in range(queue.GIVE_UP_AFTER - 1):
        indexer.apply_pending()
        assert nodes.this_node().position < bad.pk
        assert nodes.this_node().last_error
    indexer.apply_pending()
    assert nodes.this_node().position > bad.pk
    bad.refresh_from_db()
    assert bad.attempts == queue.GIVE_UP_AFTER and "citation" in bad.last_error
    assert stored_title(f"section:{good.pk}") == "Behind the bad row"


def test_lag_counts_entries_and_the_age_of_the_oldest(on_node):
    section = make_section()
    on_node("a")
    indexer.rebuild()
    edit(section, "One")
    edit(section, "Two")
    IndexChange.objects.update(created_at=timezone.now() - timedelta(seconds=30))
    lag = nodes.lag()
    assert lag["behind"] == 2 and lag["lag_seconds"] >= 30
    assert lag["head"] == IndexChange.objects.order_by("-pk").first().pk
    indexer.apply_pending()
    assert nodes.lag()["behind"] == 0 and nodes.lag()["lag_seconds"] == 0


def test_index_status_names_the_node_its_lag_and_a_needed_rebuild(on_node):
    from io import StringIO

    from django.core.management import CommandError, call_command

    section = make_section()
    on_node("a")
    indexer.rebuild()
    b = on_node("b")  # a later node: it must rebuild
    edit(section, "Waiting")
    out = StringIO()
    with pytest.raises(CommandError, match="not in step"):
        call_command("index_status", "--check", stdout=out)
    text = out.getvalue()
    assert f"Node: {b.name} at change 0 of " in text and "must be rebuilt" in text
    indexer.apply_pending()
    out = StringIO()
    call_command("index_status", "--check", stdout=out)
    assert "(0 behind" in out.getvalue() and "In step." in out.getvalue()


def test_a_save_leaves_a_large_rebuild_to_the_worker(on_node):
    sections = [make_section() for _ in range(3)]
    on_node("a")
    indexer.rebuild()
    on_node("b")
    edit(sections[0], "Saved while b has no index")
    indexer.apply_pending(rebuild_limit=2)  # as a save's request: too many documents
    assert nodes.this_node().needs_rebuild
    indexer.apply_pending(rebuild_limit=None)  # as the queue worker
    assert stored_title(f"section:{sections[0].pk}") == "Saved while b has no index"
    assert not nodes.this_node().needs_rebuild and indexer.index_status()["in_step"]
