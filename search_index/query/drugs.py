"""Brand and other names of drugs -> their generic names, for the glossary.

The names come from the `drug-named-entity-recognition` package's dictionary (DrugBank's open
vocabulary with MeSH, MedlinePlus, NHS and Wikipedia names; MIT licence, its data CC0 and
public domain), read once per process from the file the package ships. Its finder module is
not imported: at import it builds a trigram index of all 107,000 names that search never uses.
"""
import bz2
import importlib.util
import pickle  # noqa: S403 - the package's own data file, installed with it
import re
from functools import cache
from pathlib import Path

from search_index.query.everyday import is_everyday

PACKAGE = "drug_named_entity_recognition"
DATA_FILE = "drug_ner_dictionary.pkl.bz2"
# Names a reader types: letters, digits, spaces and hyphens, up to three words. The rest are
# chemical names ("4'-hydroxyacetanilide") and long combinations nobody searches by.
TYPED_NAME = re.compile(r"[a-z][a-z0-9-]*(?: [a-z0-9-]+){0,2}")


def _data_path() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / DATA_FILE


@cache
def other_names() -> dict[str, tuple[str, ...]]:
    """Generic name (lower-cased) -> the brand and other names of it readers may type.

    Loaded once per process, at start-up or the first glossary build (about 0.8 s).
    """
    path = _data_path()
    if path is None or not path.is_file():
        return {}
    with bz2.open(path, "rb") as file:
        data = pickle.load(file)  # noqa: S301 - trusted: shipped inside an installed package
    names: dict[str, list[str]] = {}
    for variant, generics in data["drug_variant_to_canonical"].items():
        # An everyday word ("today") as a drug name would take over unrelated questions.
        if not TYPED_NAME.fullmatch(variant) or is_everyday(variant):
            continue
        for generic in generics:
            if generic != variant:
                names.setdefault(generic, []).append(variant)
    return {generic: tuple(sorted(found)) for generic, found in names.items()}


def names_of(generic: str) -> tuple[str, ...]:
    """The other names of a generic drug ('acetaminophen' -> 'tylenol', 'panadol', ...)."""
    return other_names().get(generic.lower(), ())
