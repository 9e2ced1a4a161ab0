"""Search for the health FAQ: a reader's words in, a page of hits out.

Follow a query in four files:

1. ``urls.py`` / ``views.py``: ``/search/`` and ``/api/search`` validate ``q`` and call
2. ``service.search(q, page, correct)``: cleans the words, triages them for urgent care
   (``query/triage/``), plans them (``query/``: grammar, intent, glossary, spelling), asks
   the configured backend to rank the plan, pages the ranking, cuts snippets (``text/``)
   and remembers the page (``caching/``) and the search (``analytics/``);
3. ``backends/__init__.py``: ``get_backend()`` loads the engine named by
   ``SEARCH_INDEX["BACKEND"]``, whose contract is ``backends/base.py``;
4. ``backends/whoosh/``: the one engine today, the only code that imports ``whoosh``.

Saves reach the index through ``sync/`` (signals -> queue -> apply, rebuild, reconcile);
``documents/`` says what a row looks like in the index.
"""


def __getattr__(name: str):
    # Lazy: this package is imported while Django loads its apps, before models are ready.
    if name == "search":
        from search_index.service import search

        return search
    raise AttributeError(name)
