"""Promoted results in the admin: editors pin them as drafts, reviewers put them live."""
from django.contrib import admin, messages
from django.utils import timezone

from .models import PromotedResult, Status
from .revisions_admin import RevisionAdmin
from .signoff_admin import NO_PROFILE, reviewer_of, signing_off_form


@admin.register(PromotedResult)
class PromotedResultAdmin(RevisionAdmin):
    list_display = ["query", "target_name", "status", "starts_on", "ends_on", "signed_off_by"]
    list_filter = ["status"]
    search_fields = ["query"]
    autocomplete_fields = ["article", "section", "faq"]
    readonly_fields = ["signed_off_by", "signed_off_at"]
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["query"]}),
        ("Pinned page (one of)", {"fields": ["article", "section", "faq"]}),
        ("When", {"fields": ["starts_on", "ends_on"]}),
        ("Sign-off", {"fields": ["status", "signed_off_by", "signed_off_at"]}),
    ]

    @admin.display(description="Pinned page")
    def target_name(self, obj):
        return str(obj.target)

    def has_publish_permission(self, request):
        return request.user.has_perm("faq.publish_promotedresult")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.has_publish_permission(request):
            return signing_off_form(form, request.user)
        status = form.base_fields.get("status")
        if status is not None:
            status.choices = [c for c in status.choices if c[0] != Status.PUBLISHED]
            status.help_text = "A reviewer puts a promotion live."
        return form

    def save_model(self, request, obj, form, change):
        if self.has_publish_permission(request):
            if obj.is_published and form.has_changed():
                obj.signed_off_by, obj.signed_off_at = reviewer_of(request.user), timezone.now()
        elif obj.is_published:
            # An editor's change to a live promotion takes it off until a reviewer approves it.
            obj.status = Status.IN_REVIEW
            self.message_user(
                request, "The promotion is off until a reviewer publishes your change.",
                messages.WARNING,
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish_selected(self, request, queryset):
        reviewer = reviewer_of(request.user)
        if reviewer is None:
            self.message_user(request, NO_PROFILE, messages.ERROR)
            return
        published = 0
        for obj in queryset.exclude(status=Status.PUBLISHED):
            if not obj.target_is_public():
                self.message_user(request, f"{obj} was not published: pin a published page.",
                                  messages.ERROR)
                continue
            obj.status, obj.signed_off_by = Status.PUBLISHED, reviewer
            obj.signed_off_at = timezone.now()
            obj._change_reason = "Published"
            obj.save()
            self.log_change(request, obj, f"Published, signed off by {reviewer}.")
            published += 1
        if published:
            self.message_user(request, f"Published {published} promotion(s).", messages.SUCCESS)
