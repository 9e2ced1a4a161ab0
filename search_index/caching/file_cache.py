"""The default shared search cache: Django's file cache, its directory listed less often,
small entries written uncompressed, and only in a directory private to this user.

Django's FileBasedCache lists its whole directory on every write to decide whether to cull:
measured here, a write took 2 ms with 100 entries and 19 ms with 3,000, more than the search
it saves. Culling on one write in CULL_EVERY keeps a write near a third of a millisecond;
the directory may run past MAX_ENTRIES by a few hundred files between culls. The settings
put the directory in /dev/shm when the machine has room there (faqsite/settings/base.py).
"""
import itertools
import os
import pickle
import stat
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured

CULL_EVERY = 200
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
COMPRESS_FROM = 16_384  # bytes of an entry's pickle


class SearchFileCache(FileBasedCache):
    """FileBasedCache that looks at its size on one write in CULL_EVERY, in a directory
    only this user can write to."""

    def __init__(self, location, params):
        super().__init__(location, params)
        self._writes = itertools.count()
        self._names = itertools.count()  # of temporary files, with the process id
        # Made (or found) now, before anything in it is read: in sticky /dev/shm nobody else
        # can then swap it for theirs.
        self._createdir()
        _check_private(self._dir)

    def _write_content(self, file, timeout, value):
        # As Django writes an entry, but a search's page (about 6 KB, the usual entry) is
        # stored without compressing: zlib took 110 to 185 us of its 130 to 200 us to write.
        # Anything larger is compressed at level 1. FileBasedCache.get reads either.
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        data = pickle.dumps(value, self.pickle_protocol)
        packer = zlib.compressobj(0 if len(data) < COMPRESS_FROM else 1)
        file.write(packer.compress(data) + packer.flush())

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # As Django writes an entry (a temporary file renamed over the entry), in four system
        # calls instead of nine: no directory check, random name or same-file test first. A
        # write took 0.45 ms of a new query's first page.
        fname = self._key_to_file(key, version)
        self._cull()
        temporary = f"{fname}.{os.getpid()}-{next(self._names)}.tmp"
        try:
            fd = os.open(temporary, _NEW_FILE, 0o600)
        except FileNotFoundError:  # the directory was deleted meanwhile
            self._createdir()
            _check_private(self._dir)
            fd = os.open(temporary, _NEW_FILE, 0o600)
        try:
            with open(fd, "wb") as file:
                self._write_content(file, timeout, value)
            os.replace(temporary, fname)
        except BaseException:
            _remove_quietly(temporary)
            raise

    def _cull(self):
        if next(self._writes) % CULL_EVERY == 0:
            super()._cull()


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _check_private(path: str) -> None:
    """Refuse a cache directory that is not this user's own: its files are unpickled, and a
    directory in shared memory (/dev/shm) could have been made by anybody."""
    found = os.lstat(path)
    if (
        not stat.S_ISDIR(found.st_mode)
        or found.st_uid != os.getuid()
        or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        raise ImproperlyConfigured(
            f"Search cache directory {path} is not a directory only this user can write to"
        )
