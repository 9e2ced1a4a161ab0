"""The editors' workbench on the admin index: links with the counts that need attention."""
from django import template

from faq import review_dashboard

register = template.Library()


@register.simple_tag
def overdue_review_count() -> int:
    """Published articles and FAQs whose clinical review is overdue."""
    return review_dashboard.overdue_count()


@register.simple_tag
def waiting_draft_count() -> int:
    """Editors' drafts of live pages waiting for a reviewer."""
    return review_dashboard.Draft.objects.count()
