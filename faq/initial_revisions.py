"""First revisions for rows written without save signals (fixtures, bulk imports)."""
from django.apps import apps


def tracked_models():
    """Every model whose changes django-simple-history records."""
    return [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]


def record_initial_revisions(reason: str) -> int:
    """Give each tracked row that has no revision yet one of its current state."""
    created = 0
    for model in tracked_models():
        history = getattr(model, model._meta.simple_history_manager_attribute)
        recorded = history.values_list("id", flat=True).distinct()
        missing = list(model._default_manager.exclude(pk__in=recorded))
        if missing:
            history.bulk_history_create(missing, default_change_reason=reason)
            created += len(missing)
    return created
