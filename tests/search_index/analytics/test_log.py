"""The search-terms log: written in batches, kept through a database failure, never raising."""
import pytest
from django.db import connection

from search_index.analytics import log as query_log
from search_index.models import SearchQueryLog


@pytest.fixture
def batches(settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "LOG_BATCH": 3, "LOG_SECONDS": 3600}
    query_log.flush()
    yield
    query_log.flush()


@pytest.mark.django_db
def test_rows_wait_for_a_full_batch_then_are_written_together(batches):
    query_log.record("numb feet", 12, 3.5)
    query_log.record("tingling", 4, 2.0)
    assert SearchQueryLog.objects.count() == 0 and query_log.pending() == 2
    query_log.record("sciatica", 0, 1.25)
    assert query_log.pending() == 0
    rows = list(SearchQueryLog.objects.order_by("pk").values_list("query", "results", "took_ms"))
    assert rows == [("numb feet", 12, 3.5), ("tingling", 4, 2.0), ("sciatica", 0, 1.25)]


@pytest.mark.django_db
def test_a_row_older_than_the_interval_writes_the_queue(settings, batches):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "LOG_SECONDS": 0}
    query_log.record("numb feet", 12, 3.5)
    assert SearchQueryLog.objects.count() == 1


@pytest.mark.django_db
def test_the_report_shows_this_process_searches_at_once(batches, admin_client):
    query_log.record("pins and needles", 7, 2.0)
    response = admin_client.get("/admin/search_index/searchquerylog/")
    assert response.status_code == 200
    assert "pins and needles" in response.content.decode()


@pytest.mark.django_db
def test_a_database_failure_keeps_the_rows_for_the_next_try(batches, caplog):
    query_log.record("numb feet", 12, 3.5)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_index_searchquerylog RENAME TO hidden_log")
    try:
        query_log.record("tingling", 4, 2.0)
        query_log.record("sciatica", 0, 1.0)  # a full batch, but the table is gone
        assert query_log.pending() == 3
        assert "Could not write 3 search log rows" in caplog.text
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE hidden_log RENAME TO search_index_searchquerylog")
    assert query_log.flush() == 3
    assert SearchQueryLog.objects.count() == 3
