"""Page weight and time to first byte of the main reader pages, from a real server on loopback.

    .venv/bin/python -m benchmarks.page_weight [--requests 30]

Sets up a throwaway site (migrate, seed, index, collectstatic with hashed names), starts
gunicorn on 127.0.0.1, then prints for each page the bytes of HTML + CSS + JS as sent and
gzipped, and the median and 90th-percentile TTFB over repeated requests. Two references are
measured in the same run: robots.txt (a view that does almost nothing) and a static file
served by WhiteNoise, so the page figures can be read as multiples of those.
"""
import argparse
import gzip
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "search": "/search/?q=pins+and+needles+in+my+feet",
    "urgent search": "/search/?q=sudden+numbness+face+slurred+speech",
    "article": "/articles/numb-legs-and-feet/",
    "FAQ": "/faqs/pins-and-needles-in-feet/",
    "404": "/no-such-page/",
}
WARM_UP = 6  # requests per path before timing; each gunicorn worker loads lazily
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(tmp: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.page_weight_settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp / "index"),
        "PAGE_WEIGHT_STATIC_ROOT": str(tmp / "static"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }


def prepare_site(env: dict) -> None:
    """A fresh database with the seed, its index and the collected static files."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate"], ["load_seed"], ["rebuild_index"], ["collectstatic"]):
        quiet = ["--noinput"] if args[0] in {"migrate", "collectstatic"} else []
        subprocess.run([*manage, *args, *quiet, "-v", "0"], env=env, cwd=ROOT, check=True)


@contextmanager
def running_server(env: dict, port: int, log: Path):
    """gunicorn with two workers on loopback, stopped on exit; its log goes to `log`."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "faqsite.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"]
    with log.open("w") as log_file:
        # Django logs every 404 the run asks for; the file keeps them out of the figures.
        server = subprocess.Popen(command, env=env, cwd=ROOT, stderr=log_file)
        try:
            wait_until_up(port, log)
            yield
        finally:
            server.terminate()
            server.wait(timeout=10)


def wait_until_up(port: int, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get(port, "/robots.txt")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start:\n" + log.read_text())


def get(port: int, path: str, gzip_ok: bool = False) -> tuple[float, bytes, dict]:
    """(seconds to the first byte, body, headers) of one GET on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()  # returns once the status line and headers arrived
    ttfb = time.perf_counter() - started
    body = response.read()
    connection.close()
    return ttfb, body, dict(response.getheaders())


def ttfb_ms(port: int, path: str, requests: int) -> tuple[float, float]:
    """Median and 90th-percentile TTFB in milliseconds, after warming up both workers."""
    for _ in range(WARM_UP):
        get(port, path)
    times = sorted(get(port, path)[0] * 1000 for _ in range(requests))
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def weight(port: int, path: str) -> dict:
    """Bytes of the HTML and its CSS and JS, as sent and gzipped (WhiteNoise's .gz files)."""
    _, html, _ = get(port, path)
    sizes = {"html": len(html), "html_gz": len(gzip.compress(html, 6)), "assets": 0,
             "assets_gz": 0}
    for url in ASSET.findall(html.decode()):
        sizes["assets"] += len(get(port, url)[1])
        _, zipped, headers = get(port, url, gzip_ok=True)
        sizes["assets_gz"] += len(zipped)
        if headers.get("Content-Encoding") != "gzip":
            print(f"  note: {url} was not served gzipped")
    return sizes


def report(port: int, requests: int) -> None:
    robots = ttfb_ms(port, "/robots.txt", requests)
    _, home, _ = get(port, "/")
    static_url = ASSET.findall(home.decode())[0]
    static = ttfb_ms(port, static_url, requests)
    print(f"TTFB over {requests} requests (median / p90), gunicorn -w 2 on loopback")
    print(f"  reference robots.txt      {robots[0]:6.1f} / {robots[1]:6.1f} ms")
    print(f"  reference static file     {static[0]:6.1f} / {static[1]:6.1f} ms  ({static_url})")
    print()
    header = f"{'page':<15}{'HTML':>8}{'gz':>7}{'CSS+JS':>8}{'gz':>7}{'total gz':>10}"
    print(header + f"{'TTFB med':>10}{'p90':>8}{'x robots':>10}")
    for name, path in PAGES.items():
        size = weight(port, path)
        median, p90 = ttfb_ms(port, path, requests)
        total_gz = size["html_gz"] + size["assets_gz"]
        print(f"{name:<15}{size['html']:>8}{size['html_gz']:>7}{size['assets']:>8}"
              f"{size['assets_gz']:>7}{total_gz:>10}{median:>8.1f}ms{p90:>6.1f}ms"
              f"{median / robots[0]:>9.1f}x")
    print("\nBytes are bodies only (no headers); CSS and JS are cached for a year after the "
          "first page (hashed names).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        env = site_environment(Path(tmp))
        prepare_site(env)
        port = free_port()
        with running_server(env, port, Path(tmp) / "server.log"):
            report(port, args.requests)


if __name__ == "__main__":
    main()
