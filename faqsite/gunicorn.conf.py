"""gunicorn settings for production and the benchmarks: `gunicorn -c faqsite/gunicorn.conf.py`.

The application is loaded once in the master, which also builds the search glossary (article
names and synonyms, seconds of work on a large collection) before the workers fork: every
worker starts with it instead of spending its first search on it. Index files are opened only
in the workers, because a Whoosh searcher shared across a fork gives wrong results.
"""
import os

wsgi_app = "faqsite.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = 60
preload_app = True


def when_ready(server) -> None:
    from search_index.startup import warm_before_fork
    from search_index.sync.rebuild import remove_index_leftovers

    remove_index_leftovers()  # files of index writers killed before this start
    warm_before_fork()


def post_fork(server, worker) -> None:
    from search_index.startup import warm_after_fork

    warm_after_fork()
