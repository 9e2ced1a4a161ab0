"""What a written name is: a name, an everyday word (no name), an abbreviation only in
capitals; the eponym inside a name; the initials of a title. Strings in, strings out."""
import re

from search_index.query.everyday import is_everyday

Tokens = tuple[str, ...]


def name_kind(written: str, key: Tokens) -> str:
    """'name'; 'capitals' for an everyday word written in capitals ('ODD'); 'word' for an
    everyday word otherwise ('Art', 'pad'), which names nothing."""
    word = written.strip()
    if len(key) != 1 or " " in word or not is_everyday(word.lower()):
        return "name"
    return "capitals" if word.isupper() and len(word) > 1 else "word"


# Words an initialism skips ("Oppositional Defiant Disorder" -> ODD, "Disease of the ...").
MINOR_WORDS = frozenset("a an and as at by for from in into of on or the to with".split())
MIN_INITIALISM = 3  # two letters stand for too much ("RA", "MS" are defined in the text)


def initialism(title: str) -> str:
    """The capitals a title's initials make ("Oppositional defiant disorder" -> "ODD")."""
    words = [w for w in re.split(r"[\s/,-]+", title) if w and w.lower() not in MINOR_WORDS]
    if not 2 < len(words) < 7 or not all(w[0].isalpha() for w in words):
        return ""
    return "".join(w[0] for w in words).upper()


# An eponym's possessive ("Lou Gehrig's disease"): what precedes it, and it, name the topic
# alone ("lou gehrigs", "wegeners").
POSSESSIVE = re.compile(r"^(.*?\w+)['’]s\b", re.UNICODE)


def eponym(name: str) -> str | None:
    """The person a name is after ("Lou Gehrig" of "Lou Gehrig's disease"), if not an
    everyday word ("Down's syndrome" gives none)."""
    match = POSSESSIVE.match(name.strip())
    if match is None:
        return None
    person = match.group(1)
    return None if is_everyday(person.split()[-1].lower()) else person
