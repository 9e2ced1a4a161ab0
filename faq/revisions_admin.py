"""Revisions in the admin: a reason on every save, the History page, compare and restore.

django-simple-history's admin lists each revision with who saved it, when and why, and its
"revert" form saves an old version through the ordinary form: the save sends its signals, so a
restore reaches the search index like any other change.
"""
from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .revisions import field_changes

REASON_FIELD = "change_reason"


def with_reason_field(form_class):
    """The form class with an optional "reason for this change" field added."""
    reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Optional; shown in the History page beside your name.",
    )
    return type(form_class.__name__, (form_class,), {REASON_FIELD: reason})


class RevisionAdmin(SimpleHistoryAdmin):
    """An admin whose every save is a revision with who, when and an optional reason."""

    object_history_template = "admin/faq/object_history.html"
    # simple-history's own list has an inline style, which the Content Security Policy refuses.
    object_history_list_template = "admin/faq/object_history_list.html"
    history_list_display = ["compare"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = with_reason_field(kwargs.get("form") or self.form)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        named = {name for _, options in fieldsets for name in options.get("fields", [])}
        if REASON_FIELD in named:
            return fieldsets
        return [*fieldsets, ("Revision", {"fields": [REASON_FIELD]})]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get(REASON_FIELD, "")
        if not reason and request.resolver_match.url_name.endswith("_simple_history"):
            reason = "Restored an earlier revision"
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def get_urls(self):
        opts = self.model._meta
        compare = path(
            "<path:object_id>/history/<int:history_id>/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_compare",
        )
        return [compare, *super().get_urls()]

    def compare_url(self, record, against=""):
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
            args=[record.instance.pk, record.history_id],
        )
        return f"{url}?against={against}" if against else url

    def compare(self, record):
        """History column: links comparing a revision with the previous one and the live one."""
        return format_html(
            '<a href="{}">with previous</a> · <a href="{}">with live version</a>',
            self.compare_url(record, "previous"),
            self.compare_url(record),
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history checks only view permission; restoring is a change like any other.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # Django's own log stays beside the revisions: actions such as "Published" are there.
        admin_log = LogEntry.objects.filter(
            object_id=unquote(object_id),
            content_type=ContentType.objects.get_for_model(self.model),
        ).select_related("user").order_by("-action_time")
        return super().history_view(
            request, object_id, {"admin_log": admin_log, **(extra_context or {})}
        )

    def compare_view(self, request, object_id, history_id):
        """A revision beside the live version (or the revision before it), field by field."""
        live = self.get_object(request, unquote(object_id))
        if live is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this ID.")
        if not self.has_view_or_change_permission(request, live):
            raise PermissionDenied
        record = get_object_or_404(self.model.history.model, pk=history_id, id=live.pk)
        if request.GET.get("against") == "previous":
            previous = record.prev_record
            old, new = (previous.instance if previous else None), record.instance
            title = f"Revision of {record.history_date:%d %b %Y %H:%M} against the one before"
        else:
            old, new = record.instance, live
            title = f"Revision of {record.history_date:%d %b %Y %H:%M} against the live version"
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": opts,
            "object": live,
            "record": record,
            "changes": field_changes(old, new) if old is not None else None,
            "history_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[live.pk],
            ),
            "restore_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_simple_history",
                args=[live.pk, record.history_id],
            ),
            "can_restore": not self.revert_disabled(request, live),
        }
        return TemplateResponse(request, "admin/faq/revision_compare.html", context)
