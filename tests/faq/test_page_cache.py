"""Rendered article and FAQ pages are reused until content changes, in any process."""
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from faq import generations, page_cache
from faq.generations import Generation
from faq.models import ArticleCitation, Status
from tests.faq.test_admin import make_article, make_citation, make_faq, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = make_article(status=Status.PUBLISHED, published_date=timezone.localdate())
    make_section(article, heading="Causes", body="Pressure on a nerve.")
    citation = make_citation(title="Paresthesia overview")
    ArticleCitation.objects.create(article=article, citation=citation, order=1)
    return article


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_is_served_without_touching_the_database(client, article):
    first = get(client, article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        again = get(client, article.get_absolute_url())
    assert again == first
    assert len(queries) == 0, [q["sql"] for q in queries]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block like a request: its on-commit callbacks run when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_section_edit_shows_at_once(client, article, commit):
    url = article.get_absolute_url()
    assert "Pressure on a nerve." in get(client, url)
    section = article.sections.get()
    section.body = "Sitting cross-legged for a long time."
    with commit():
        section.save()
    html = get(client, url)
    assert "Sitting cross-legged" in html and "Pressure on a nerve." not in html


def test_a_citation_edit_shows_at_once(client, article, commit):
    url = article.get_absolute_url()
    assert "Paresthesia overview" in get(client, url)
    citation = article.articlecitation_set.get().citation
    citation.title = "Numbness and tingling"
    with commit():
        citation.save()
    assert "Numbness and tingling" in get(client, url)


def test_another_process_save_is_seen_through_the_node_generation(client, article):
    url = article.get_absolute_url()
    get(client, url)
    # What a save in another worker of this node does: replace the node's generation.
    article.sections.update(body="Changed by another worker.")
    caches[generations.SHARED_ALIAS].set(f"generation:{page_cache.GENERATION}", "new", None)
    assert "Changed by another worker." in get(client, url)


def test_another_node_save_is_seen_through_the_database_within_the_check_time(
    client, article, settings
):
    settings.GENERATION_CHECK_SECONDS = 0.5
    url = article.get_absolute_url()
    get(client, url)
    # What a save on another node does here: its commit bumps the generation's row.
    article.sections.update(body="Changed on another node.")
    Generation.objects.update_or_create(name=page_cache.GENERATION, defaults={"value": -1})
    deadline = time.monotonic() + 0.5 + 0.2
    while "Changed on another node." not in get(client, url):
        assert time.monotonic() < deadline, "not seen within GENERATION_CHECK_SECONDS"
        time.sleep(0.05)


def test_unpublishing_takes_the_page_away(client, article, commit):
    url = article.get_absolute_url()
    get(client, url)
    article.status = Status.DRAFT
    with commit():
        article.save()
    assert client.get(url).status_code == 404


def test_the_generation_is_replaced_only_after_the_commit(article, commit):
    # A reader rendering between the save and the commit sees the old rows: it must not be
    # able to keep them under a generation that readers after the commit will use.
    before = page_cache.generation()
    with commit():
        article.status = Status.DRAFT
        article.save()
        article.sections.get().delete()
        assert page_cache.generation() == before
    assert page_cache.generation() != before


def test_a_rolled_back_save_keeps_the_generation(article, commit):
    before = page_cache.generation()
    with commit():
        try:
            with transaction.atomic():
                article.title = "Never saved"
                article.save()
                raise RuntimeError("the editor's form was invalid")
        except RuntimeError:
            pass
    assert page_cache.generation() == before


def test_each_site_address_has_its_own_page(client, article):
    url = article.get_absolute_url()
    assert "http://testserver/" in get(client, url)
    assert "http://localhost/" in get(client, url, HTTP_HOST="localhost")


def test_faq_pages_too(client, article, commit):
    faq = make_faq(article=article, status=Status.PUBLISHED, answer="Often a pressed nerve.")
    assert "Often a pressed nerve." in get(client, faq.get_absolute_url())
    faq.answer = "Usually harmless."
    with commit():
        faq.save()
    assert "Usually harmless." in get(client, faq.get_absolute_url())


@pytest.mark.usefixtures("broken_shared_cache")
def test_a_broken_shared_cache_still_serves_fresh_pages(client, article, commit):
    # The generation lives in the database: pages do not depend on the shared cache.
    url = article.get_absolute_url()
    assert "Pressure on a nerve." in get(client, url)
    section = article.sections.get()
    section.body = "No cache, no staleness."
    with commit():
        section.save()
    assert "No cache, no staleness." in get(client, url)


def test_any_process_that_sets_django_up_tells_the_page_caches_of_saves():
    # A fresh process that only sets Django up (as the importer or a shell does).
    script = (
        "import django; django.setup(); "
        "from django.db.models.signals import post_save; from faq.models import Section; "
        "names = [f'{r.__module__}.{r.__name__}' for r in post_save._live_receivers(Section)[0]]; "
        "print('faq.page_cache.content_changed' in names)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "faqsite.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        cwd=settings.BASE_DIR, env=environment,
    )
    assert done.stdout.split() == ["True"], done.stderr


def test_pages_are_rendered_every_time_while_debugging(client, article, settings):
    settings.DEBUG = True
    url = article.get_absolute_url()
    assert "Pressure on a nerve." in get(client, url)
    article.sections.update(body="A template or data change shows at once.")
    assert "A template or data change shows at once." in get(client, url)
