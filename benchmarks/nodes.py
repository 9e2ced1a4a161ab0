"""Several web nodes on one machine, as production runs them on several: one database, and per
node its own index directory, search cache, gunicorn and queue worker.

Used by the multi-node test (tests/search_index/sync/test_multinode.py) and benchmark
(benchmarks/multinode.py). With DATABASE_URL naming a PostgreSQL server, the site gets a new
database there (dropped at the end); otherwise an SQLite file in the temporary folder, which
processes of one machine can share too.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

from benchmarks.page_weight import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
ADMIN_USER, ADMIN_PASSWORD = "chief-editor", "quiet-harbour-lantern-58"


@contextmanager
def site_database(tmp: Path):
    """A DATABASE_URL for a fresh, empty site database, removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'site.sqlite3'}"
        return
    import psycopg

    name = f"nodes_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, check: bool = True, timeout: float = 300
           ) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def prepare_site(env: dict) -> None:
    """Tables, the seed content and a superuser who signs off pages, in the shared database;
    the static files."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_seed", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "shell", "-v", "0", "-c",
           "from django.contrib.auth.models import User; from faq.models import ReviewerProfile; "
           f"user = User.objects.create_superuser({ADMIN_USER!r}, 'chief@example.org', "
           f"{ADMIN_PASSWORD!r}); "
           "ReviewerProfile.objects.create(user=user, name='Dr A. Chief', credentials='MB ChB')")


@dataclass
class Node:
    """One node: its environment (index and cache directories), gunicorn and worker."""

    name: str
    env: dict
    folder: Path
    port: int = 0
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    def start(self, workers: int = 2) -> "Node":
        """gunicorn and the queue worker, up and answering."""
        self.start_worker()
        self.port = self.port or free_port()
        log = self.folder / f"gunicorn-{len(self.logs)}.log"
        self.logs.append(log)
        command = [str(Path(sys.executable).with_name("gunicorn")), "-c",
                   "faqsite/gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}", "-w", str(workers)]
        with log.open("w") as log_file:
            self.server = subprocess.Popen(command, env=self.env, cwd=ROOT, stderr=log_file)
        wait_until_up(self.port, log, seconds=60)
        return self

    def start_worker(self, code: str | None = None) -> subprocess.Popen:
        """`manage.py process_index_queue --watch`, or a shell running `code` that runs it."""
        log = (self.folder / f"worker-{time.monotonic_ns()}.log").open("w")
        if code is None:
            args = ["process_index_queue", "--watch", "--interval", "1"]
        else:
            args = ["shell", "-v", "0", "-c", code]
        self.worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args],
                                       env=self.env, cwd=ROOT, stdout=log, stderr=log)
        return self.worker

    def stop_worker(self) -> None:
        stop(self.worker)
        self.worker = None

    def stop(self) -> None:
        stop(self.server)
        self.server = None
        self.stop_worker()

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def search_total(self, words: str) -> int:
        """How many results the node's search API gives (-1 when it does not answer 200)."""
        status, body = self.get("/api/search?" + urlencode({"q": words}))
        return json.loads(body)["total"] if status == 200 else -1

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return manage(self.env, *args, check=check)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def node_environment(base: dict, tmp: Path, name: str) -> dict:
    folder = tmp / name
    folder.mkdir(parents=True, exist_ok=True)
    return {
        **base,
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "SEARCH_CACHE_DIR": str(folder / "search-cache"),
    }


def site_environment(tmp: Path, database_url: str, **extra: str) -> dict:
    """What every node of a site shares: settings, database, static files."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.page_weight_settings",
        "DATABASE_URL": database_url,
        "PAGE_WEIGHT_STATIC_ROOT": str(tmp / "static"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        **extra,
    }


@contextmanager
def cluster(tmp: Path):
    """(make_node, base environment): nodes made by make_node(name) are stopped at the end."""
    made: list[Node] = []
    with site_database(tmp) as url:
        base = site_environment(tmp, url)
        prepare_site(base)

        def make_node(name: str) -> Node:
            node = Node(name, node_environment(base, tmp, name), tmp / name)
            made.append(node)
            return node

        try:
            yield make_node, base
        finally:
            for node in made:
                node.stop()


class _FormFields(HTMLParser):
    """The values a browser would post for the form with id `form_id`."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        kind = a.get("type", "text")
        if tag == "input" and a.get("name") and kind not in {"submit", "button", "file"}:
            if kind not in {"checkbox", "radio"} or "checked" in a:
                self.data.append([a["name"], a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.data.append([a["name"], ""])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.append([self._select, a.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.data[-1][1] += data


class AdminSession:
    """A signed-in editor on one node's admin, over HTTP."""

    def __init__(self, node: Node) -> None:
        self.base = f"http://127.0.0.1:{node.port}"
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))
        page = self.open("/admin/login/?next=/admin/")
        self.post("/admin/login/?next=/admin/", {
            "csrfmiddlewaretoken": _csrf(page), "username": ADMIN_USER,
            "password": ADMIN_PASSWORD, "next": "/admin/",
        })

    def open(self, path: str, data: bytes | None = None) -> str:
        # Always http://127.0.0.1 (self.base): no other scheme can reach here.
        request = Request(self.base + path, data=data, headers={"Referer": self.base + path})  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields) -> str:
        return self.open(path, urlencode(fields).encode())

    def change(self, model: str, pk: int, **changes: str) -> None:
        """Save the admin change form of one object with some fields changed."""
        path = f"/admin/{model.replace('.', '/')}/{pk}/change/"
        parser = _FormFields(f"{model.split('.')[1]}_form")
        parser.feed(self.open(path))
        data = [[name, changes.get(name, value)] for name, value in parser.data]
        page = self.post(path, [*map(tuple, data), ("_save", "Save")])
        if "errornote" in page or "errorlist" in page:
            raise AssertionError(f"the admin refused the change: {_errors(page)}")


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _errors(page: str) -> list[str]:
    return re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', page, re.S)[:5]
