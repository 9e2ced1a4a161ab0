"""Read the public MedQuAD collection (XML files) into plain dataclasses.

No database here: the import command turns these into topics and FAQs. The collection has
three document schemas and a few quirks (see shared/data/README.md); each is handled below.

>>> doc = parse_document(SAMPLE, "6_NINDS_QA", "0000001")
>>> doc.key, doc.focus, doc.synonyms, [p.qid for p in doc.pairs]
('6_NINDS_QA/0000001', 'Holmes-Adie', ('HAS',), ['0000001-1'])
>>> doc.pairs[0].question, doc.pairs[0].qtype, doc.source_name
('What is Holmes-Adie syndrome?', 'information', 'National Institute of Neurological Disorders \
and Stroke (NINDS)')
>>> parse_document(b"<Document><Focus>x</Focus>", "9_CDC_QA", "1")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
faq.parse_medquad.MedQuADError: 9_CDC_QA/1.xml: not well-formed XML (no element found: ...)
"""
import re
import tarfile
import xml.etree.ElementTree as ET  # noqa: S405 - trusted local data set, no entity expansion
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ATTRIBUTION = (
    "MedQuAD, by Asma Ben Abacha and Dina Demner-Fushman (U.S. National Library of Medicine), "
    'from "A question-entailment approach to question answering", BMC Bioinformatics 20:511 '
    "(2019), doi:10.1186/s12859-019-3119-4, licensed CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)."
)

# Folder name (without its number) -> readable collection name and the site it was taken from.
COLLECTIONS = {
    "CancerGov_QA": ("National Cancer Institute (CancerGov)", "cancer.gov"),
    "GARD_QA": ("Genetic and Rare Diseases Information Center (GARD)", "rarediseases.info.nih.gov"),
    "GHR_QA": ("Genetics Home Reference (GHR)", "ghr.nlm.nih.gov"),
    "MPlus_Health_Topics_QA": ("MedlinePlus Health Topics", "medlineplus.gov"),
    "NIDDK_QA": (
        "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)",
        "niddk.nih.gov",
    ),
    "NINDS_QA": (
        "National Institute of Neurological Disorders and Stroke (NINDS)",
        "ninds.nih.gov",
    ),
    "SeniorHealth_QA": ("NIHSeniorHealth", "nihseniorhealth.gov"),
    "NHLBI_QA_XML": ("National Heart, Lung, and Blood Institute (NHLBI)", "nhlbi.nih.gov"),
    "CDC_QA": ("Centers for Disease Control and Prevention (CDC)", "cdc.gov"),
    "MPlus_ADAM_QA": ("A.D.A.M. Medical Encyclopedia (MedlinePlus)", "medlineplus.gov"),
    "MPlusDrugs_QA": ("MedlinePlus Drug Information", "medlineplus.gov"),
    "MPlusHerbsSupplements_QA": ("MedlinePlus Herbs and Supplements", "medlineplus.gov"),
}
FOLDER_PATTERN = re.compile(r"^\d+_\w+$")

SAMPLE = b"""<doc docid="0000001" corpus="NINDS" url="http://www.ninds.nih.gov/x.htm">
<doctitle-focus>Holmes-Adie</doctitle-focus><Synonyms><Synonym>HAS</Synonym></Synonyms>
<qaPairs><pair pid="1"><question qid="0000001-1" qtype="information">what is
Holmes-Adie syndrome ?</question><answer>A disorder of the pupil.</answer></pair></qaPairs></doc>"""


class MedQuADError(ValueError):
    """A file that cannot be imported; the message starts with its path."""


@dataclass(frozen=True)
class QAPair:
    qid: str
    qtype: str
    question: str
    answer: str  # empty when the publisher withheld it


@dataclass(frozen=True)
class MedQuADDocument:
    folder: str
    stem: str
    document_id: str
    url: str
    focus: str
    synonyms: tuple[str, ...]
    pairs: tuple[QAPair, ...]

    @property
    def key(self) -> str:
        """The unique key: folder and file name (document ids repeat in CancerGov)."""
        return f"{self.folder}/{self.stem}"

    @property
    def source_name(self) -> str:
        return collection(self.folder)[0]

    @property
    def source_site(self) -> str:
        return collection(self.folder)[1]


def collection(folder: str) -> tuple[str, str]:
    """Readable name and site of a collection folder such as '1_CancerGov_QA'."""
    bare = folder.split("_", 1)[-1]
    if bare in COLLECTIONS:
        return COLLECTIONS[bare]
    name = re.sub(r"_?(QA|XML)\b", "", bare).replace("_", " ").strip() or folder
    return name, ""


def document_id_of(stem: str) -> str:
    """The document id a file carries, from its name: CancerGov splits 0000013_2 into parts.

    >>> document_id_of("0000013_2_4"), document_id_of("0000013_2"), document_id_of("0000039")
    ('0000013_2', '0000013_2', '0000039')
    """
    parts = stem.split("_")
    return "_".join(parts[:2]) if len(parts) > 2 else stem


def clean_text(text: str | None) -> str:
    """Collapse runs of spaces inside lines and of blank lines, as the XML is hand-indented."""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_question(text: str | None) -> str:
    """One line, a capital first letter, no space before the question mark."""
    q = " ".join((text or "").split())
    q = re.sub(r"\s+([?.!])", r"\1", q).replace("? ?", "?").replace("??", "?")
    return q[:1].upper() + q[1:]


def _first(root: ET.Element, *paths: str) -> ET.Element | None:
    for path in paths:
        found = root.find(path)
        if found is not None:
            return found
    return None


def _pairs(root: ET.Element, where: str) -> tuple[QAPair, ...]:
    pairs, seen = [], set()
    nodes = root.findall("QAPairs/QAPair") + root.findall("qaPairs/pair")
    for n, node in enumerate(nodes, start=1):
        q = _first(node, "Question", "question")
        question = clean_question(q.text if q is not None else "")
        if q is None or not question:
            raise MedQuADError(f"{where}: pair {n} has no question")
        qid = (q.get("qid") or "").strip()
        if not qid or qid in seen:
            raise MedQuADError(f"{where}: pair {n} has a missing or repeated qid {qid!r}")
        seen.add(qid)
        a = _first(node, "Answer", "answer")
        answer = clean_text(a.text if a is not None else "")
        pairs.append(QAPair(qid, (q.get("qtype") or "").strip()[:50], question[:500], answer))
    return tuple(pairs)


def parse_document(data: bytes, folder: str, stem: str) -> MedQuADDocument:
    """Parse one file's bytes; raise MedQuADError (with the path) when it cannot be used."""
    where = f"{folder}/{stem}.xml"
    try:
        root = ET.fromstring(data)  # noqa: S314 - see the import
    except ET.ParseError as exc:
        raise MedQuADError(f"{where}: not well-formed XML ({exc})") from None
    if root.tag not in {"Document", "doc", "DiseaseFile"}:
        raise MedQuADError(f"{where}: unknown root element <{root.tag}>")
    doc_id = (root.get("id") or root.get("docid") or root.get("fid") or "").strip()
    url = (root.get("url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise MedQuADError(f"{where}: no source url")
    pairs = _pairs(root, where)
    focus_node = _first(root, "Focus", "doctitle-focus")
    # Three CDC files have an empty Focus; their first question names the subject instead.
    focus = clean_question(focus_node.text if focus_node is not None else "")
    if not focus:
        focus = next((q for q in map(_question_subject, pairs) if q), "")
    if not focus:
        raise MedQuADError(f"{where}: neither a focus nor a question to name the topic")
    synonyms = tuple(
        dict.fromkeys(s for s in (clean_question(n.text) for n in root.iter("Synonym")) if s)
    )
    return MedQuADDocument(folder, stem, doc_id or stem, url, focus, synonyms, pairs)


def _question_subject(pair: QAPair) -> str:
    # Their template question "What is (are)  ?" lost its focus too, so it names nothing.
    words = pair.question.rstrip("?").replace("What is (are)", "").strip()
    return pair.question.rstrip("?") if words else ""


def _is_document_path(path: PurePosixPath) -> bool:
    return (
        path.suffix == ".xml"
        and len(path.parts) >= 2
        and bool(FOLDER_PATTERN.match(path.parts[-2]))
    )


def count_sources(path: Path) -> int:
    """How many document files a directory or a .tar.gz holds (for the progress bar)."""
    if path.is_dir():
        names = [PurePosixPath(p.relative_to(path).as_posix()) for p in path.rglob("*.xml")]
    elif path.is_file() and tarfile.is_tarfile(path):
        # Reading every header first finds a truncated or corrupt archive before any write.
        try:
            with tarfile.open(path) as tar:
                names = [PurePosixPath(m.name) for m in tar.getmembers() if m.isfile()]
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise MedQuADError(f"{path}: damaged or truncated archive ({exc})") from None
    else:
        raise MedQuADError(f"{path}: neither a MedQuAD directory nor a tar archive")
    return sum(1 for p in names if _is_document_path(p))


def read_sources(path: Path) -> Iterator[tuple[str, str, bytes]]:
    """Yield (folder, stem, bytes) for each document file, reading a tarball without extracting."""
    if path.is_dir():
        for p in sorted(path.rglob("*.xml")):
            rel = PurePosixPath(p.relative_to(path).as_posix())
            if _is_document_path(rel):
                yield rel.parts[-2], rel.stem, p.read_bytes()
        return
    with tarfile.open(path) as tar:
        for member in tar:
            rel = PurePosixPath(member.name)
            if member.isfile() and _is_document_path(rel):
                handle = tar.extractfile(member)
                if handle is not None:
                    yield rel.parts[-2], rel.stem, handle.read()


def read_documents(path: Path) -> Iterator[MedQuADDocument | MedQuADError]:
    """Each document parsed, or the error that made its file unusable, in archive order."""
    for folder, stem, data in read_sources(path):
        try:
            yield parse_document(data, folder, stem)
        except MedQuADError as exc:
            yield exc
