"""Malformed fixtures and import files: a clear error naming the file, and nothing half-written.

tests/faq/test_medquad_import.py covers a directory with one badly formed XML file and a missing
path; here are the broken archives, the hostile XML and the broken fixtures.
"""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from faq.models import FAQ, Article, Citation, Section
from search_index.models import Synonym, UrgentCareRule
from search_index.query.triage.shipped import shipped_rules
from tests.faq.test_medquad_import import build_tree, make_document, run_import, tarball_of

MODELS = (Article, Section, FAQ, Citation, Synonym, UrgentCareRule)
ARTICLE = {
    "model": "faq.article", "pk": 900,
    "fields": {"title": "Half written", "slug": "half-written", "summary": "s",
               "status": "published", "updated_at": "2024-01-01T00:00:00Z"},
}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def written() -> dict[str, int]:
    """Rows beyond those the migrations install (the shipped urgent-care rules)."""
    counts = row_counts()
    counts["UrgentCareRule"] -= len(shipped_rules())
    return counts


def write_fixture(path: Path, objects) -> Path:
    path.write_text(objects if isinstance(objects, str) else json.dumps(objects))
    return path


def assert_loaddata_fails(path: Path, *words: str) -> str:
    """loaddata raises a message naming the file (or the words), and no row count changes."""
    before = row_counts()
    with pytest.raises(Exception) as error:  # noqa: B017 - the type differs by failure
        call_command("loaddata", str(path), verbosity=0)
    message = str(error.value)
    assert path.name in message or words
    for word in words:
        assert word in message
    assert row_counts() == before
    return message


@pytest.mark.django_db
class TestFixtures:
    def test_broken_json(self, seed, tmp_path):
        text = json.dumps([ARTICLE])[:-20]
        assert_loaddata_fails(write_fixture(tmp_path / "broken.json", text))

    def test_bad_foreign_key_writes_nothing(self, seed, tmp_path):
        faq = {"model": "faq.faq", "pk": 901, "fields": {
            "question": "Orphan?", "slug": "orphan", "answer": "a", "article": 424242,
            "status": "published", "updated_at": "2024-01-01T00:00:00Z"}}
        path = write_fixture(tmp_path / "bad-fk.json", [ARTICLE, faq])
        # SQLite names the row (901), PostgreSQL the constraint; both name the table and key.
        assert_loaddata_fails(path, "faq_faq", "424242")
        assert not Article.objects.filter(slug="half-written").exists()

    def test_bad_field_value_writes_nothing(self, seed, tmp_path):
        section = {"model": "faq.section", "pk": 902, "fields": {
            "article": 900, "heading": "h", "slug": "h", "body": "b", "order": "first",
            "updated_at": "2024-01-01T00:00:00Z"}}
        assert_loaddata_fails(write_fixture(tmp_path / "bad-value.json", [ARTICLE, section]))

    def test_unknown_model(self, db, tmp_path):
        wrong = {"model": "faq.nosuchthing", "pk": 1, "fields": {}}
        assert_loaddata_fails(write_fixture(tmp_path / "unknown.json", [ARTICLE, wrong]))

    def test_load_seed_with_a_missing_fixture_name(self, db, settings):
        settings.SEED_FIXTURES = ["no-such-seed-fixture"]
        with pytest.raises(CommandError, match="no-such-seed-fixture"):
            call_command("load_seed", verbosity=0)
        assert set(written().values()) == {0}

    def test_load_seed_with_a_broken_fixture_path(self, db, settings, tmp_path):
        good = str(Path(settings.BASE_DIR) / "fixtures" / "numb-legs-and-feet.json")
        broken = write_fixture(tmp_path / "broken-seed.json", '[{"model": "faq.article", ')
        settings.SEED_FIXTURES = [good, str(broken)]
        with pytest.raises(Exception, match="broken-seed"):  # noqa: B017
            call_command("load_seed", verbosity=0)
        # Each fixture loads in its own transaction: the good one stays, complete; rerunning
        # with the fixed list finishes the job.
        assert Article.objects.filter(slug=settings.SEED_ARTICLE_SLUG).exists()
        assert Section.objects.count() > 0


def write_docs(root: Path, files: dict[str, bytes | str]) -> Path:
    top = root / "MedQuAD"
    for name, data in files.items():
        path = top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return top


GOOD = make_document(
    "0000050", "Good topic", [("0000050-1", "information", "What is good ?", "A.")]
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
              for i in range(1, 10))
    + ']><Document id="1" url="https://x.org"><Focus>&lol9;</Focus><QAPairs/></Document>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    '<Document id="2" url="https://x.org"><Focus>&secret;</Focus><QAPairs><QAPair pid="1">'
    '<Question qid="2-1" qtype="information">What is &secret; ?</Question><Answer>x</Answer>'
    "</QAPair></QAPairs></Document>"
)
# The first pair is fine; the second repeats its qid, so the whole file must be refused.
REPEATED_QID = make_document("0000060", "Half good", [
    ("0000060-1", "information", "What is half good ?", "Kept?"),
    ("0000060-1", "causes", "What causes half good ?", "No."),
])
BROKEN_FILES = {
    "1_CancerGov_QA/lol.xml": BILLION_LAUGHS,
    "1_CancerGov_QA/xxe.xml": EXTERNAL_ENTITY,
    "1_CancerGov_QA/repeat.xml": REPEATED_QID,
    "1_CancerGov_QA/empty.xml": b"",
    "1_CancerGov_QA/latin1.xml": GOOD.replace("Good topic", "Caf\xe9").encode("latin-1"),
    "1_CancerGov_QA/nul.xml": GOOD.encode()[:80] + b"\x00" + GOOD.encode()[80:],
    "1_CancerGov_QA/javascript-url.xml": GOOD.replace("https://www.cancer.gov/x", "javascript:x"),
}


@pytest.mark.django_db
class TestMedQuADImport:
    def test_hostile_xml_files_are_skipped_whole_with_their_path(self, tmp_path):
        files = {"1_CancerGov_QA/good.xml": GOOD, **BROKEN_FILES}
        out, err = run_import(write_docs(tmp_path, files), no_index=True)
        for name in ("lol.xml", "xxe.xml", "repeat.xml", "empty.xml", "nul.xml"):
            assert f"1_CancerGov_QA/{name[:-4]}" in err, name
        assert "repeated qid" in err
        assert not FAQ.objects.filter(question__icontains="half good").exists()
        assert not Article.objects.filter(title__contains="lol").exists()
        assert not FAQ.objects.filter(question__contains="root:").exists()
        assert Article.objects.filter(title="Good topic").exists()
        assert "1_CancerGov_QA/javascript-url.xml: no source url" in err
        assert not Article.objects.filter(source_url__istartswith="javascript").exists()
        assert Article.objects.count() == 1 and FAQ.objects.count() == 1

    def test_truncated_tarball_is_an_error_and_writes_nothing(self, tmp_path):
        data = tarball_of(build_tree(tmp_path / "src"), tmp_path / "full.tar.gz").read_bytes()
        truncated = tmp_path / "truncated.tar.gz"
        truncated.write_bytes(data[: len(data) // 2])
        with pytest.raises(CommandError) as error:
            run_import(truncated, no_index=True)
        assert "truncated.tar.gz" in str(error.value)
        assert set(written().values()) == {0}

    def test_truncated_tarball_leaves_an_earlier_import_whole(self, tmp_path):
        tree = build_tree(tmp_path / "src")
        full = tarball_of(tree, tmp_path / "full.tar.gz")
        run_import(full, no_index=True)
        before = row_counts()
        truncated = tmp_path / "truncated.tar.gz"
        truncated.write_bytes(full.read_bytes()[:-200])
        with pytest.raises(CommandError, match="truncated.tar.gz"):
            run_import(truncated, no_index=True)
        assert row_counts() == before

    @pytest.mark.parametrize("content", [b"\x1f\x8b" + b"\x00" * 300, b"not an archive", b""])
    def test_garbage_archive_is_a_clear_error(self, tmp_path, content):
        path = tmp_path / "medquad.tar.gz"
        path.write_bytes(content)
        with pytest.raises(CommandError, match="medquad.tar.gz"):
            call_command("import_medquad", str(path), "--no-index", stdout=StringIO())
        assert set(written().values()) == {0}
