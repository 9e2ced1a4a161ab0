"""Apply this node's unapplied index changes once, or keep doing so as a worker (--watch).

One worker per node (per SEARCH_INDEX_DIR): it catches up on start, then wakes when a save
commits anywhere (PostgreSQL LISTEN/NOTIFY) or every --interval seconds, rebuilds an index
that is missing, damaged or left behind by the change log, and prunes the entries every live
node has applied.
"""
import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from search_index.backends import IndexUnavailable, get_backend
from search_index.sync import nodes
from search_index.sync.rebuild import apply_pending, rebuild, remove_index_leftovers

logger = logging.getLogger("search_index.worker")

REPAIR_INTERVAL = 60.0  # seconds to wait after a failed rebuild before trying again
PRUNE_INTERVAL = 300.0  # seconds between prunings of the change log


class Command(BaseCommand):
    help = "Apply pending search index changes; with --watch, keep applying until SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="Keep running as a worker.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls with --watch."
        )
        parser.add_argument(
            "--timeout", type=float, default=30.0, help="Seconds to wait for the writer lock."
        )

    def handle(self, *args, **options):
        self.stopping = False
        self.next_repair = 0.0
        self.next_prune = 0.0
        remove_index_leftovers()  # a writer killed before this start left them
        if not options["watch"]:
            self._report(self._apply(options["timeout"]), options["verbosity"])
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self.stopping:
                self._listen()
                self._report(self._apply(options["timeout"]), options["verbosity"], quiet=True)
                self._repair_if_unavailable()
                self._upkeep()
                self._wait(options["interval"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if options["verbosity"] >= 1:
            self.stdout.write("Stopped.")

    def _apply(self, timeout: float) -> int:
        """One drain; a broken database or index is logged and retried, never fatal."""
        try:
            # A worker is not inside a request, so it may rebuild a missing index of any size.
            return apply_pending(timeout=timeout, rebuild_limit=None)
        except Exception:
            logger.exception("applying search index changes failed; retrying later")
            return 0

    def _listen(self) -> None:
        try:
            close_old_connections()
            nodes.listen()
        except Exception:
            logger.exception("cannot listen for new index changes; polling")

    def _upkeep(self) -> None:
        """Say this node is alive; now and then prune the log."""
        try:
            nodes.seen()
            if time.monotonic() >= self.next_prune:
                self.next_prune = time.monotonic() + PRUNE_INTERVAL
                pruned = nodes.prune()
                if pruned:
                    logger.info("pruned %d change-log entries every node has applied", pruned)
        except Exception:
            logger.exception("change-log upkeep failed; retrying later")

    def _wait(self, seconds: float) -> None:
        """Until a save commits or `seconds` pass, in short steps so SIGTERM stops us."""
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            try:
                if nodes.wait_for_entries(min(0.25, max(end - time.monotonic(), 0))):
                    return
            except Exception:
                logger.warning("waiting for index changes failed; polling", exc_info=True)
                self._sleep(end - time.monotonic())
                return

    def _repair_if_unavailable(self) -> None:
        """Rebuild an index that cannot be read: the database holds everything it needs."""
        try:
            get_backend().reader()
            return
        except IndexUnavailable as exc:
            if time.monotonic() < self.next_repair:
                return
            logger.warning("search index unavailable (%s); rebuilding it", exc)
        try:
            stats = rebuild()
            logger.warning("search index rebuilt: %d documents", stats.total)
        except Exception:
            # A full disk, say: try again later rather than rebuilding in a tight loop.
            self.next_repair = time.monotonic() + REPAIR_INTERVAL
            logger.exception("rebuilding the search index failed; retrying later")

    def _report(self, applied: int, verbosity: int, quiet: bool = False) -> None:
        if verbosity >= 1 and (applied or not quiet):
            self.stdout.write(f"Applied {applied} index changes.")

    def _sleep(self, seconds: float) -> None:
        """Sleep in short steps so SIGTERM stops the worker promptly."""
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.1, max(end - time.monotonic(), 0)))

    def _stop(self, signum, frame) -> None:
        # Finish the current drain (its commit is atomic) and exit at the next check.
        self.stopping = True
