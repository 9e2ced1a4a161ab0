from django.apps import AppConfig


class SearchIndexConfig(AppConfig):
    name = "search_index"
    verbose_name = "Search"

    def ready(self) -> None:
        from search_index.backends import checks  # noqa: F401 - registers the backend check
        from search_index.sync import abbreviations, signals

        signals.connect()
        abbreviations.connect()
