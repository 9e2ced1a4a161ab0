"""Brand and other names of drugs -> their generic names, for the glossary.

The names come from the `drug-named-entity-recognition` package's dictionary (DrugBank's open
vocabulary with MeSH, MedlinePlus, NHS and Wikipedia names; MIT licence, its data CC0 and
public domain), read once per process from the file the package ships. Its finder module is
not imported: at import it builds a trigram index of all 107,000 names that search never uses.

The file is read in a child process (`python -m search_index.query.drugs FILE`), which hands
back only the names readers could type: unpickling the whole dictionary took about 90 MB
that the allocator kept after it was freed, where the names kept take about 6 MB.
"""
import bz2
import importlib.util
import json
import logging
import os
import pickle  # noqa: S403 - the package's own data file, installed with it
import re
import subprocess  # noqa: S404 - runs this module with this interpreter, nothing else
import sys
from functools import cache
from pathlib import Path

from search_index.query.everyday import is_everyday

log = logging.getLogger(__name__)

PACKAGE = "drug_named_entity_recognition"
DATA_FILE = "drug_ner_dictionary.pkl.bz2"
# Names a reader types: letters, digits, spaces and hyphens, up to three words. The rest are
# chemical names ("4'-hydroxyacetanilide") and long combinations nobody searches by.
TYPED_NAME = re.compile(r"[a-z][a-z0-9-]*(?: [a-z0-9-]+){0,2}")
PROJECT = Path(__file__).resolve().parents[2]
READ_SECONDS = 120  # the read takes 1 to 2 s; a machine this slow has other troubles


def _data_path() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / DATA_FILE


def read_names(path: Path) -> dict[str, list[str]]:
    """Generic name -> its other names that look typed, straight from the package's file."""
    with bz2.open(path, "rb") as file:
        data = pickle.load(file)  # noqa: S301 - trusted: shipped inside an installed package
    names: dict[str, list[str]] = {}
    for variant, generics in data["drug_variant_to_canonical"].items():
        if TYPED_NAME.fullmatch(variant):
            for generic in generics:
                if generic != variant:
                    names.setdefault(generic, []).append(variant)
    return names


@cache
def other_names() -> dict[str, tuple[str, ...]]:
    """Generic name (lower-cased) -> the brand and other names of it readers may type.

    Loaded once per process, at start-up or the first glossary build (1 to 2 s). Without
    the package, or if reading it fails, there are none (and a warning says why).
    """
    path = _data_path()
    if path is None or not path.is_file():
        log.warning("No drug names: the %s package's data file is missing", PACKAGE)
        return {}
    paths = [str(PROJECT), *filter(None, [os.environ.get("PYTHONPATH")])]
    try:
        child = subprocess.run(  # noqa: S603 - this interpreter, this module, a file path
            [sys.executable, "-m", __name__, str(path)],
            capture_output=True, check=True, timeout=READ_SECONDS,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
        found = json.loads(child.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.warning("No drug names: reading %s failed: %s", path, exc)
        return {}
    # An everyday word ("today") as a drug name would take over unrelated questions.
    kept = {g: tuple(sorted(v for v in names if not is_everyday(v))) for g, names in found.items()}
    return {generic: names for generic, names in kept.items() if names}


def names_of(generic: str) -> tuple[str, ...]:
    """The other names of a generic drug ('acetaminophen' -> 'tylenol', 'panadol', ...)."""
    return other_names().get(generic.lower(), ())


if __name__ == "__main__":
    json.dump(read_names(Path(sys.argv[1])), sys.stdout)
