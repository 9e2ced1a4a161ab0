"""The default shared search cache: Django's file cache, its directory listed less often.

Django's FileBasedCache lists its whole directory on every write to decide whether to cull:
measured here, a write took 2 ms with 100 entries and 19 ms with 3,000, more than the search
it saves. Culling on one write in CULL_EVERY keeps a write near a third of a millisecond;
the directory may run past MAX_ENTRIES by a few hundred files between culls.
"""
import itertools

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 200


class SearchFileCache(FileBasedCache):
    """FileBasedCache that looks at its size on one write in CULL_EVERY."""

    def __init__(self, location, params):
        super().__init__(location, params)
        self._writes = itertools.count()

    def _cull(self):
        if next(self._writes) % CULL_EVERY == 0:
            super()._cull()
