"""System checks: the configured search backend loads, or the site says why at start-up."""
from django.conf import settings
from django.core.checks import Error, register


@register()
def search_backend_loads(app_configs=None, **kwargs) -> list[Error]:
    """An error naming SEARCH_INDEX["BACKEND"] when it cannot be imported or is no backend."""
    from search_index.backends import DEFAULT_BACKEND, get_backend

    path = settings.SEARCH_INDEX.get("BACKEND", DEFAULT_BACKEND)
    try:
        get_backend()
    except (ImportError, TypeError) as exc:
        return [Error(
            f"SEARCH_INDEX['BACKEND'] = {path!r} cannot be loaded: {exc}",
            hint="Name a SearchBackend subclass, e.g. "
                 f"{DEFAULT_BACKEND!r} (search_index/backends/base.py).",
            id="search_index.E001",
        )]
    return []
