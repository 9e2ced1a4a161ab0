"""The MedQuAD importer on a small tree with every quirk of the real one, and on the real one."""
import tarfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from faq.models import FAQ, Article, ArticleCitation, Citation, Status
from faq.parse_medquad import ATTRIBUTION, document_id_of, parse_document

REAL_TARBALL = Path(settings.BASE_DIR).parent / "shared" / "data" / "medquad.tar.gz"


def make_document(doc_id, focus, pairs, url="https://www.cancer.gov/x", synonyms=()):
    """A file in the common <Document> schema; pairs are (qid, qtype, question, answer)."""
    syn = "".join(f"<Synonym>{s}</Synonym>" for s in synonyms)
    body = "".join(
        f'<QAPair pid="{n}"><Question qid="{qid}" qtype="{qtype}">{q}</Question>'
        f"<Answer>{a}</Answer></QAPair>"
        for n, (qid, qtype, q, a) in enumerate(pairs, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document id="{doc_id}" source="X" url="{url}">'
        f"<Focus>{focus}</Focus><FocusAnnotations><Synonyms>{syn}</Synonyms></FocusAnnotations>"
        f"<QAPairs>{body}</QAPairs></Document>"
    )


NINDS_DOC = """<?xml version="1.0" encoding="UTF-8"?>
<doc docid="0000007" corpus="NINDS" url="http://www.ninds.nih.gov/disorders/holmes_adie.htm">
<doctitle-focus>Holmes-Adie</doctitle-focus><umls><cui></cui></umls>
<qaPairs><pair pid="1"><question qid="0000007-1" qtype="information">what is holmes-adie
syndrome ?</question><answer>A disorder of the tonic pupil and tendon reflexes.</answer></pair>
<pair pid="3"><question qid="0000007-3" qtype="treatment">What is the treatment for Holmes-Adie
?</question><answer>Glasses for reading.</answer></pair></qaPairs></doc>"""

CDC_DOC = """<?xml version="1.0" encoding="UTF-8"?>
<DiseaseFile fid="0000397" source="CDC" url="http://www.cdc.gov/parasites/taeniasis/">
<Focus>Parasites - Taeniasis</Focus><UMLS><CUI></CUI></UMLS>
<QAPairs><QAPair pid="1"><Question qid="0000397-1" qtype="information">What is (are)
Parasites - Taeniasis ?</Question><Answer>A tapeworm infection.</Answer></QAPair></QAPairs>
</DiseaseFile>"""


def build_tree(root: Path) -> Path:
    """A MedQuAD-like tree: 6 good files (9 pairs) and one malformed file."""
    top = root / "MedQuAD"
    files = {
        "1_CancerGov_QA/0000013_2.xml": make_document(
            "0000013_2", "Childhood Cancer", [("0000013_2-1", "information",
            "What is (are) Childhood Cancer ?", "Cancer in children.")]),
        # Same Document id as the file above: the file name is the key.
        "1_CancerGov_QA/0000013_2_1.xml": make_document(
            "0000013_2", "Childhood Brain Tumors", [("0000013_2_1-1", "treatment",
            "What are the treatments for Childhood Brain Tumors ?", "Surgery and radiation.")]),
        "2_GARD_QA/0000001.xml": make_document(
            "0000001", "Tarsal tunnel syndrome",
            [("0000001-1", "symptoms", "What are the symptoms of Tarsal tunnel syndrome ?",
              "Burning and tingling in the sole of the foot."),
             ("0000001-2", "causes", "What causes Tarsal tunnel syndrome ?", "")],
            url="https://rarediseases.info.nih.gov/diseases/1", synonyms=["Posterior tibial"]),
        # The same qid as GARD's, in another folder: keys must include the folder.
        "10_MPlus_ADAM_QA/0000001.xml": make_document(
            "0000001", "Numbness and tingling",
            [("0000001-1", "information", "What is (are) Numbness and tingling ?", ""),
             ("0000001-4", "symptoms", "What are the symptoms of Numbness and tingling ?", "")],
            url="https://www.nlm.nih.gov/medlineplus/ency/article/003206.htm",
            synonyms=["Pins and needles", "Paresthesia"]),
        "6_NINDS_QA/0000007.xml": NINDS_DOC,
        "9_CDC_QA/0000397.xml": CDC_DOC,
        "9_CDC_QA/0000400.xml": "<Document id='0000400' url='http://www.cdc.gov/x'><Focus>Br",
    }
    for name, text in files.items():
        path = top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (top / "readme.txt").write_text("not a document")
    return top


def tarball_of(tree: Path, dest: Path) -> Path:
    with tarfile.open(dest, "w:gz") as tar:
        tar.add(tree, arcname="MedQuAD")
    return dest


def run_import(path, **options) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_medquad", str(path), verbosity=0, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path):
    return build_tree(tmp_path / "src")


def test_parse_handles_each_schema(tree):
    ninds = parse_document((tree / "6_NINDS_QA/0000007.xml").read_bytes(), "6_NINDS_QA", "0000007")
    assert ninds.focus == "Holmes-Adie"
    assert [p.question for p in ninds.pairs] == [
        "What is holmes-adie syndrome?", "What is the treatment for Holmes-Adie?"]
    cdc = parse_document((tree / "9_CDC_QA/0000397.xml").read_bytes(), "9_CDC_QA", "0000397")
    assert (cdc.focus, cdc.url, len(cdc.pairs)) == (
        "Parasites - Taeniasis", "http://www.cdc.gov/parasites/taeniasis/", 1)
    assert document_id_of("0000013_2_1") == "0000013_2"


def test_import_counts_keys_and_fields(db, tree):
    out, err = run_import(tree, no_index=True)
    assert "Topics: 6 created, 0 updated, 0 unchanged" in out
    assert "FAQs:   9 created, 0 updated, 0 unchanged" in out
    assert "Files skipped: 1" in out
    assert "9_CDC_QA/0000400.xml" in err and "not well-formed" in err
    assert Article.objects.count() == 6 and FAQ.objects.count() == 9
    assert not Article.objects.filter(external_key="9_CDC_QA/0000400").exists()
    assert set(Article.objects.values_list("external_key", flat=True)) == {
        "1_CancerGov_QA/0000013_2", "1_CancerGov_QA/0000013_2_1", "2_GARD_QA/0000001",
        "10_MPlus_ADAM_QA/0000001", "6_NINDS_QA/0000007", "9_CDC_QA/0000397"}
    topic = Article.objects.get(external_key="10_MPlus_ADAM_QA/0000001")
    assert topic.status == Status.PUBLISHED and topic.title == "Numbness and tingling"
    assert topic.also_called_list() == ["Pins and needles", "Paresthesia"]
    assert topic.source_name == "A.D.A.M. Medical Encyclopedia (MedlinePlus)"
    assert topic.summary.startswith("Questions and answers about Numbness and tingling from")
    assert ATTRIBUTION in topic.attribution and topic.source_url in topic.attribution
    assert [f.question_type for f in topic.faqs.order_by("order")] == ["information", "symptoms"]
    citation = topic.ordered_citations().get()
    assert (citation.url, citation.date_published) == (topic.source_url, "n.d.")


def test_withheld_answer_points_to_the_source(db, tree, client):
    run_import(tree, no_index=True)
    faq = FAQ.objects.get(external_key="2_GARD_QA/0000001/0000001-2")
    assert faq.answer == "" and faq.status == Status.PUBLISHED
    assert faq.source_url == "https://rarediseases.info.nih.gov/diseases/1"
    assert ATTRIBUTION in faq.attribution
    faq.full_clean()  # a published FAQ with no answer is valid only with its source link
    page = client.get(faq.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="https://rarediseases.info.nih.gov/diseases/1"' in html
    assert "licensed CC BY 4.0" in html


def test_second_run_changes_nothing_and_an_edit_updates_one_row(db, tree):
    run_import(tree, no_index=True)
    slugs = dict(FAQ.objects.values_list("external_key", "slug"))
    out, _ = run_import(tree, no_index=True)
    assert "Topics: 0 created, 0 updated, 6 unchanged" in out
    assert "FAQs:   0 created, 0 updated, 9 unchanged" in out
    assert (Article.objects.count(), FAQ.objects.count(), Citation.objects.count()) == (6, 9, 6)
    assert ArticleCitation.objects.count() == 6
    path = tree / "9_CDC_QA/0000397.xml"
    path.write_text(CDC_DOC.replace("A tapeworm infection.", "An intestinal tapeworm."))
    out, _ = run_import(tree, no_index=True)
    assert "FAQs:   0 created, 1 updated, 8 unchanged" in out
    assert FAQ.objects.get(external_key="9_CDC_QA/0000397/0000397-1").answer == (
        "An intestinal tapeworm.")
    assert dict(FAQ.objects.values_list("external_key", "slug")) == slugs


def test_a_reimport_shows_on_pages_readers_have_seen(
    db, tree, client, django_capture_on_commit_callbacks
):
    run_import(tree, no_index=True)
    url = FAQ.objects.get(external_key="9_CDC_QA/0000397/0000397-1").get_absolute_url()
    assert "A tapeworm infection." in client.get(url).content.decode()  # now a cached page
    path = tree / "9_CDC_QA/0000397.xml"
    path.write_text(CDC_DOC.replace("A tapeworm infection.", "An intestinal tapeworm."))
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tree, no_index=True)  # bulk writes: no save signals
    assert "An intestinal tapeworm." in client.get(url).content.decode()


def test_a_dropped_pair_is_removed_but_editor_faqs_stay(db, tree):
    run_import(tree, no_index=True)
    topic = Article.objects.get(external_key="6_NINDS_QA/0000007")
    FAQ.objects.create(question="Editor's own?", slug="editors-own", article=topic)
    path = tree / "6_NINDS_QA/0000007.xml"
    path.write_text(NINDS_DOC.split('<pair pid="3">')[0] + "</qaPairs></doc>")
    out, _ = run_import(tree, no_index=True)
    assert "1 removed" in out
    assert sorted(topic.faqs.values_list("question", flat=True)) == [
        "Editor's own?", "What is holmes-adie syndrome?"]


def test_tarball_imports_the_same_as_the_directory(db, tree, tmp_path):
    out, err = run_import(tarball_of(tree, tmp_path / "medquad.tar.gz"), no_index=True)
    assert "Topics: 6 created" in out and "9_CDC_QA/0000400.xml" in err
    assert FAQ.objects.count() == 9
    out, _ = run_import(tree, no_index=True)
    assert "Topics: 0 created, 0 updated, 6 unchanged" in out


def test_missing_path_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="no MedQuAD XML files"):
        run_import(tmp_path / "empty")


def test_imported_topics_are_searchable(db, tree):
    pytest.importorskip("search_index.sync.rebuild")
    from search_index.backends.whoosh.storage import open_index
    from search_index.service import search

    run_import(tree)
    with open_index(create=False).searcher() as searcher:
        assert searcher.doc_count() == FAQ.objects.count() == 9  # one index pass, every FAQ
    hits = search("pins and needles").hits
    assert hits and hits[0].article_title == "Numbness and tingling"
    assert any("Tarsal" in h.title for h in search("tarsal tunnel causes").hits)
    # Withheld answers stay findable by their question.
    assert search("symptoms numbness tingling").hits


@pytest.mark.slow
def test_real_collection_imports_completely(db):
    if not REAL_TARBALL.exists():
        pytest.skip(f"the real MedQuAD tarball is not at {REAL_TARBALL}")
    started = time.perf_counter()
    out, err = run_import(REAL_TARBALL, no_index=True)
    assert "Topics: 11274 created" in out and "FAQs:   47457 created" in out, out + err
    assert (Article.objects.count(), FAQ.objects.count()) == (11274, 47457)
    assert FAQ.objects.exclude(answer="").count() == 16423
    assert time.perf_counter() - started < 180
