"""Make Whoosh's parallel writer (MpWriter) safe to cancel and to kill.

MpWriter forks helper processes. A forked child inherits the parent's lock files, and an flock
stays held while any copy of its descriptor is open, so a helper outliving a killed parent
would hold the index lock forever; MpWriter.cancel() also leaves its helpers waiting on a
queue for ever. Here every forked helper drops the inherited lock descriptors and exits when
its parent dies, and a cancelled writer's helpers are stopped.
"""
import logging
import os
import threading
import time
from multiprocessing import util

logger = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 0.5


class _InheritedLocks:
    """The lock descriptors a forked helper must close (a weak-referenceable holder)."""

    def __init__(self) -> None:
        self.fds: set[int] = set()


_inherited = _InheritedLocks()


def _after_fork(locks: _InheritedLocks) -> None:
    for fd in list(locks.fds):
        try:
            os.close(fd)  # close only: unlocking would release the parent's lock too
        except OSError:
            pass
    locks.fds.clear()
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


util.register_after_fork(_inherited, _after_fork)


def hold_in_parent_only(fd: int | None) -> None:
    """Mark a lock descriptor that forked writer helpers must not keep."""
    if fd is not None:
        _inherited.fds.add(fd)


def release_from_children(fd: int | None) -> None:
    """The descriptor is closed in the parent; nothing for children to drop any more."""
    _inherited.fds.discard(fd)


def stop_helpers(writer) -> None:
    """Terminate the helper processes of a cancelled MpWriter (a no-op for other writers)."""
    for task in getattr(writer, "tasks", []):
        if task.is_alive():
            task.terminate()
        task.join(timeout=5)
