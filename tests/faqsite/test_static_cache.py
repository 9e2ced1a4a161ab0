"""Production static files: hashed names from collectstatic, served by WhiteNoise for a year.

The test settings use plain storage so other tests need no collectstatic; this test runs it
once into a temporary STATIC_ROOT with the production storage and fetches the files.
"""
import gzip
import json

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def fetch(url, **headers):
    # A new Client builds a new handler, so WhiteNoise scans the new STATIC_ROOT.
    response = Client().get(url, **headers)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("name", ["faq/site.css", "faq/suggest.js"])
def test_hashed_static_files_are_cached_for_a_year(collected, name):
    manifest = json.loads((collected / "staticfiles.json").read_text())
    hashed = manifest["paths"][name]
    assert hashed != name and hashed.rsplit(".", 2)[1]  # a content hash in the name
    url = static(name)
    assert url.endswith(hashed)
    response = fetch(url)
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache == {"max-age=315360000", "public", "immutable"}
    zipped = fetch(url, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    body = b"".join(zipped.streaming_content)
    assert gzip.decompress(body) == (collected / hashed).read_bytes()


def test_pages_link_the_hashed_names(collected, seed):
    html = Client().get("/").content.decode()
    manifest = json.loads((collected / "staticfiles.json").read_text())
    for name in ("faq/site.css", "faq/suggest.js"):
        assert f'/static/{manifest["paths"][name]}"' in html
