"""Lay language at query time: editors' Synonym table (with the abbreviations found in the
content), articles' "also called" names, eponyms without their apostrophe and brand names of
drugs (query/drugs.py).

All become one in-memory glossary keyed by analysed phrase. A name that stands for an
article's title (an alias) also makes that title the focus of a question naming it. It is
rebuilt only when a cheap database fingerprint (row counts and newest update time) changes;
each worker checks the fingerprint at most every 2 s, and at once after a save in its own
process (rechecked.py).
"""
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

from faq.models import Article
from search_index.backends.edit_distance import within
from search_index.caching.rechecked import Rechecked, rows_version
from search_index.caching.registry import register
from search_index.models import Synonym
from search_index.query.drugs import names_of
from search_index.query.names import MIN_INITIALISM, eponym, initialism, name_kind
from search_index.text.analysis import medical_analyzer, vocabulary_analyzer

Tokens = tuple[str, ...]

# A name that more articles than this give as theirs ("syndrome", an abbreviation of several
# conditions) says too little to search for all of them: left out, the dev questions' nDCG@10
# rose (raw 0.540 -> 0.544, focus+type 0.581 -> 0.585) and the slowest lost phrase checks.
MAX_NAME_TITLES = 3

_analyzer = medical_analyzer()
_vocabulary = vocabulary_analyzer()


def analyse(text: str) -> Tokens:
    """Stemmed, stop-word-free tokens of text, exactly as the index sees prose."""
    return tuple(_analyzer.terms(text))


def whole_words(text: str) -> list[str]:
    """Lower-cased, unstemmed words of text, as the spelling vocabulary stores them."""
    return _vocabulary.terms(text)


@dataclass
class Glossary:
    """Analysed lay phrase -> analysed terms it stands for, and the words all of them use."""

    entries: dict[Tokens, set[Tokens]] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    # Phrases by their first token, and words by their first letter: with thousands of
    # imported "also called" names, scanning everything per query would cost milliseconds.
    _phrases_by_first: dict[str, list[Tokens]] = field(default_factory=dict)
    _words_by_initial: dict[str, set[str]] = field(default_factory=dict)
    # Article titles and "also called" names by first token: a question's focus.
    _names_by_first: dict[str, set[Tokens]] = field(default_factory=dict)
    # A name -> the article titles it stands for: a question naming it is about them.
    aliases: dict[Tokens, Collection[Tokens]] = field(default_factory=dict)
    # One-word names that are everyday words in lower case ("ODD", "ED", "CANT"): names only
    # when the reader types them in capitals.
    capital_only: set[Tokens] = field(default_factory=set)
    # Abbreviations as written ("ED", not "EDS", which analyses alike) -> the titles they
    # stand for: what a reader typing one in capitals means.
    abbreviations: dict[str, Collection[Tokens]] = field(default_factory=dict)
    # Every article's analysed title -> the title as written: which synonyms name an
    # article, and what to offer a reader.
    titles: dict[Tokens, str] = field(default_factory=dict)
    # One-word names with several meanings.
    _ambiguous_first: set[str] = field(default_factory=set)
    # One-word titles, lower-cased as written ("pinkeye"): typed as two words, one name.
    _one_word_titles: dict[str, Tokens] = field(default_factory=dict)
    # Each word of a title or alias, as written and lower-cased -> the titles it is part of:
    # the nearest names to a query that found nothing.
    _titles_by_word: dict[str, Collection[Tokens]] = field(default_factory=dict)
    # The state of the rows it was built from, the same in every process that read them.
    fingerprint: str = ""

    def add(self, phrase: str, terms: Iterable[str]) -> None:
        """An editor's synonym: its words also become spelling vocabulary; terms that are
        article titles make the phrase their alias."""
        key = analyse(phrase)
        if not key:
            return
        self._add_words(whole_words(phrase))
        for term in terms:
            tokens = analyse(term)
            if self.link(key, tokens):
                self._add_words(whole_words(term))
                if tokens in self.titles:
                    self.add_alias(phrase, key, tokens)

    def add_alias(
        self, written: str, key: Tokens, title: Tokens, capitals_only: bool = False
    ) -> None:
        """`written` (analysed: key) names the article titled `title`; an everyday word in
        lower case names nothing, and in capitals only when typed so (as `capitals_only`)."""
        kind = name_kind(written, key)
        if kind == "word" or key == title:
            return
        written = written.strip()
        if written.isupper() and " " not in written:
            self.abbreviations.setdefault(written, set()).add(title)
        if kind == "capitals" or capitals_only:
            self.capital_only.add(key)
        self.add_name(key)
        self.aliases.setdefault(key, set()).add(title)
        self.add_title_words(written, title)

    def add_title_words(self, written: str, title: Tokens) -> None:
        """The words of a name of `title`, for finding it from a near miss."""
        for word in whole_words(written):
            if len(word) > 2:
                self._titles_by_word.setdefault(word, set()).add(title)

    def meant_by(self, name: Tokens, capitals: frozenset[str]) -> Collection[Tokens]:
        """The titles a name stands for; for an abbreviation typed in capitals, those it
        stands for as typed ("ED" is not "EDS")."""
        for word in capitals:
            if word in self.abbreviations and analyse(word) == name:
                return self.abbreviations[word]
        return self.aliases.get(name, ())

    def finish(self) -> None:
        """Once built: remember the one-word names with several meanings, and keep the
        lookups as tuples (on MedQuAD 50,000 small sets took about 10 MB more)."""
        several = [n for n, titles in self.aliases.items() if len(titles) > 1]
        several += [analyse(w) for w, titles in self.abbreviations.items() if len(titles) > 1]
        self._ambiguous_first = {name[0] for name in several if len(name) == 1}
        for table in (self.aliases, self.abbreviations, self._titles_by_word):
            for key, found in table.items():
                table[key] = tuple(sorted(found))

    def may_be_ambiguous(self, query_tokens: Tokens) -> bool:
        """False when no word of the query is a one-word name of several meanings (most
        queries), so their meanings are not looked for."""
        return any(token in self._ambiguous_first for token in query_tokens)

    def meanings(
        self, names: list[Tokens], capitals: frozenset[str] = frozenset()
    ) -> list[tuple[Tokens, list[str]]]:
        """Each one-word name in the query (an abbreviation: "CAPS", "IBS") with more than
        one meaning, and its titles as written. Longer names are searched in all their
        meanings without a question."""
        found = []
        for name in (n for n in names if len(n) == 1 and n not in self.titles):
            titles = self.meant_by(name, capitals)
            if 1 < len(titles) <= MAX_NAME_TITLES:
                found.append((name, sorted(self.titles.get(t, " ".join(t)) for t in titles)))
        return found

    def nearest_names(self, words: list[str], most: int = 5) -> list[str]:
        """Titles whose names hold a word closest in spelling to one of `words`."""
        vocabulary = list(self._titles_by_word)
        scored: dict[Tokens, tuple[int, int]] = {}
        for word in sorted(set(words), key=len, reverse=True):
            if len(word) < 3:
                continue
            for near, distance in within(word, vocabulary, max(1, len(word) // 3), limit=20):
                for title in self._titles_by_word[near]:
                    rank = (distance, len(title))
                    scored[title] = min(scored.get(title, rank), rank)
        best = sorted(scored, key=lambda t: (scored[t], t))[:most]
        return [self.titles.get(t, " ".join(t)) for t in best]

    def link(self, key: Tokens, tokens: Tokens) -> bool:
        """Map an analysed phrase to analysed terms; False when there is nothing to map."""
        if not key or not tokens or tokens == key:
            return False
        if key not in self.entries:
            self.entries[key] = set()
            self._phrases_by_first.setdefault(key[0], []).append(key)
        self.entries[key].add(tokens)
        return True

    def add_name(self, name: Tokens) -> None:
        """An article's title or other name, which a question may be about."""
        if name:
            self._names_by_first.setdefault(name[0], set()).add(name)

    def names_in(
        self, query_tokens: Tokens, limit: int = 3, capitals: frozenset[str] = frozenset()
    ) -> list[Tokens]:
        """The longest article names found word for word in the query, not overlapping.

        `capitals`: the query's words typed in capitals, which alone match capital-only names.
        """
        spans = []
        for i, token in enumerate(query_tokens):
            for name in self._names_by_first.get(token, ()):
                if query_tokens[i : i + len(name)] == name and self.typed(name, capitals):
                    spans.append((-len(name), i, name))
        taken: set[int] = set()
        found: list[Tokens] = []
        for negative_length, start, name in sorted(spans):
            positions = set(range(start, start - negative_length))
            if not positions & taken and name not in found:
                taken |= positions
                found.append(name)
        return found[:limit]

    def typed(self, name: Tokens, capitals: frozenset[str]) -> bool:
        """False for a capital-only name the reader did not type in capitals."""
        return name not in self.capital_only or any(analyse(w) == name for w in capitals)

    def focus(
        self, query_tokens: Tokens, words: list[str], capitals: frozenset[str] = frozenset()
    ) -> tuple[list[Tokens], dict[Tokens, int]]:
        """The names found in the query, and the titles they stand for, each with how many
        meanings its name has: every meaning of an ambiguous name (the rest of the query
        ranks them), none of a vague one.

        `words` are the query's whole words: two typed apart may be one name ("pink eye",
        "pinkeye").
        """
        names = self.names_in(query_tokens, capitals=capitals)
        # A title typed as two words is meant as surely as a name standing for it.
        titles = {j: 1 for j in self._joined(words) if j in self.titles and j not in names}
        # A name that is itself a title is what the reader meant: others it also names
        # ("Lewy body dementia", also a name of "Dementia") would draw the question away.
        for name in (n for n in names if n not in self.titles):
            meant = self.meant_by(name, capitals)
            if len(meant) <= MAX_NAME_TITLES:
                for title in sorted(t for t in meant if t not in names):
                    titles[title] = min(titles.get(title, len(meant)), len(meant))
        return names, titles

    def _joined(self, words: list[str]) -> list[Tokens]:
        pairs = zip(words, words[1:], strict=False)
        found = (self._one_word_titles.get(first + second) for first, second in pairs)
        return [title for title in found if title]

    def _add_words(self, words: list[str]) -> None:
        for word in words:
            self.words.add(word)
            self._words_by_initial.setdefault(word[:1], set()).add(word)

    def words_starting_like(self, word: str) -> set[str]:
        """Glossary words with the same first letter (where misspellings rarely are)."""
        return self._words_by_initial.get(word[:1], set())

    def phrase_starts(
        self, query_tokens: Tokens, capitals: frozenset[str] | None = None
    ) -> Iterator[tuple[int, set[Tokens]]]:
        """(where, terms) of every phrase that occurs, word for word, in the tokens.

        With `capitals` (the words typed in capitals), capital-only phrases need them.
        """
        for i, token in enumerate(query_tokens):
            for key in self._phrases_by_first.get(token, ()):
                if query_tokens[i : i + len(key)] == key and (
                    capitals is None or self.typed(key, capitals)
                ):
                    yield i, self.entries[key]

    def expansions(
        self, query_tokens: Tokens, capitals: frozenset[str] = frozenset()
    ) -> list[Tokens]:
        """Terms of every phrase that occurs, word for word, in the query; new ones only."""
        found: set[Tokens] = set()
        for _start, terms in self.phrase_starts(query_tokens, capitals):
            found.update(terms)
        present = set(query_tokens)
        return sorted(t for t in found if not set(t) <= present)


def _fingerprint() -> tuple:
    return (*rows_version(Synonym), *rows_version(Article))


def _build(fingerprint: tuple) -> Glossary:
    glossary = Glossary(fingerprint=repr(fingerprint))
    names = list(_article_names())
    glossary.titles = {title: written for key, title, written in names if key == title}
    for title, written in glossary.titles.items():
        glossary.add_title_words(written, title)
        if len(title) == 1 and written.isalpha():
            glossary._one_word_titles[written.lower()] = title
    for synonym in Synonym.objects.filter(active=True):
        glossary.add(synonym.phrase, synonym.term_list())
    # Article names are already words of the index, so they are not spelling vocabulary here.
    titles: dict[Tokens, set[Tokens]] = {}
    for key, title, written in names:
        if key == title:
            glossary.add_name(key)
        elif name_kind(written, key) != "word":
            titles.setdefault(key, set()).add(title)
            glossary.add_alias(written, key, title)
    for key, named in titles.items():
        if len(named) <= MAX_NAME_TITLES:
            for title in named:
                glossary.link(key, title)
    _add_drug_names(glossary, names)
    _add_initialisms(glossary)
    glossary.finish()
    return glossary


def _add_initialisms(glossary: Glossary) -> None:
    """Titles' initials as abbreviations a reader must type in capitals, when no abbreviation
    found in the content or a name has them and they stand for few titles."""
    found: dict[str, set[Tokens]] = {}
    for title, written in glossary.titles.items():
        letters = initialism(written)
        if len(letters) >= MIN_INITIALISM:
            found.setdefault(letters, set()).add(title)
    for letters, titles in found.items():
        key = analyse(letters)
        if not key or len(titles) > MAX_NAME_TITLES:
            continue
        if letters in glossary.abbreviations or key in glossary.aliases or key in glossary.titles:
            continue
        for title in titles:
            glossary.add_alias(letters, key, title, capitals_only=True)


def _add_drug_names(glossary: Glossary, names: list[tuple[Tokens, Tokens, str]]) -> None:
    """Brand and other names of the drugs the site has a page on, as aliases of the page."""
    for key, title, written in names:
        if key != title:
            continue
        for other in names_of(written):
            other_key = analyse(other)
            if other_key and glossary.link(other_key, title):
                glossary.add_alias(other, other_key, title)
                glossary._add_words(whole_words(other))


# Analysed "also called" names per article, kept between rebuilds: analysing every name of
# thousands of imported articles takes seconds, so only changed articles are analysed again.
_names: dict[int, tuple[object, list[tuple[Tokens, Tokens, str]]]] = {}
def _article_names() -> Iterator[tuple[Tokens, Tokens, str]]:
    """(analysed name, analysed article title, name as written) of every published article,
    its title and eponyms included."""
    global _names
    rows = Article.objects.published().values_list("pk", "updated_at", "title", "also_called")
    fresh = {}
    for pk, updated_at, title, also_called in rows.iterator(chunk_size=2000):
        cached = _names.get(pk)
        if cached is None or cached[0] != updated_at:
            title_tokens = analyse(title)
            names = [title, *also_called.splitlines()]
            names += [e for e in map(eponym, names) if e]
            triples = [(analyse(name), title_tokens, name) for name in names]
            cached = (updated_at, [t for t in triples if t[0]])
        fresh[pk] = cached
        yield from cached[1]
    _names = fresh


# Checking the fingerprint costs two aggregate queries (milliseconds on thousands of
# articles), so a process checks at most every 2 s; its own saves force a check at once.
glossary_cache: Rechecked[Glossary] = Rechecked(
    "glossary", _fingerprint, _build, 2.0, [Synonym, Article]
)


def glossary() -> Glossary:
    """The current glossary, rebuilt only when synonyms or articles have changed."""
    return glossary_cache.get()


def built_glossary() -> Glossary | None:
    """The glossary this process last built, if any, without building or checking it."""
    return glossary_cache.built


def _forget_names() -> None:
    global _names
    _names = {}


register("article names", _forget_names)
