from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Health content"

    def ready(self) -> None:
        # Every process that saves content (admin, importer, shell, queue worker) must tell
        # the others' page caches, not only processes that have imported the views.
        from . import page_cache  # noqa: F401
