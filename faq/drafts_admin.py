"""Drafts in the admin: editors' saves of live pages become drafts; reviewers publish them."""
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from . import drafts
from .models import FAQ
from .revisions import field_changes
from .signoff_admin import NO_PROFILE, reviewer_of

DRAFT_SAVED = (
    "Saved as a draft: readers and search keep the published version until a reviewer "
    "publishes your change."
)


class DraftAdmin:
    """Mixin for the admins of articles, sections and FAQs (before ModelAdmin in the bases)."""

    def has_publish_permission(self, request):
        raise NotImplementedError

    def drafts_changes(self, request, obj) -> bool:
        """Whether this user's save of obj is kept as a draft rather than going live."""
        return not self.has_publish_permission(request) and drafts.is_live(obj)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and self.drafts_changes(request, obj):
            # An editor goes on with the open draft, not the live text.
            draft = drafts.draft_of(obj)
            if draft is not None:
                drafts.apply_draft(obj, draft)
        return obj

    def save_model(self, request, obj, form, change):
        if change and self.drafts_changes(request, obj):
            reason = form.cleaned_data.get("change_reason", "")
            drafts.save_draft(obj, request.user, reason)
            request._saved_as_draft = True
            self.message_user(request, DRAFT_SAVED, messages.WARNING)
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_saved_as_draft", False):
            return  # inlines of a live page are read-only to editors (see LiveParentInline)
        super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "_saved_as_draft", False):
            fields = ", ".join(str(form.fields[name].label or name) for name in form.changed_data)
            return f"Saved a draft (not yet published): {fields or 'no fields'} changed."
        return super().construct_change_message(request, form, formsets, add)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self.announce_draft(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def announce_draft(self, request, object_id):
        """A message on the change form naming the open draft and where to review it."""
        obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        draft = drafts.draft_of(obj) if obj is not None else None
        if draft is None:
            return
        who = draft.author.get_username() if draft.author else "someone"
        if self.drafts_changes(request, obj):
            text = "You are editing the unpublished draft (last saved by {} on {})."
        else:
            text = "{} saved an unpublished draft of this page on {}."
        self.message_user(request, format_html(
            text + ' <a href="{}">Compare it with the live version, preview and publish</a>.',
            who, f"{draft.updated_at:%d %b %Y %H:%M}", self.draft_url(obj),
        ), messages.INFO)

    def draft_url(self, obj):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_draft", args=[obj.pk]
        )

    def get_urls(self):
        opts = self.model._meta
        review = path(
            "<path:object_id>/draft/",
            self.admin_site.admin_view(self.draft_view),
            name=f"{opts.app_label}_{opts.model_name}_draft",
        )
        return [review, *super().get_urls()]

    def draft_view(self, request, object_id):
        """The draft beside the live version; reviewers publish it, either role discards it."""
        live = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if live is None or not self.has_view_or_change_permission(request, live):
            raise Http404 if live is None else PermissionDenied
        draft = drafts.draft_of(live)
        if draft is None:
            self.message_user(request, "This page has no unpublished draft.", messages.INFO)
            return HttpResponseRedirect(self.change_url(live))
        if request.method == "POST":
            return self.draft_decision(request, live, draft)
        drafted = drafts.drafted_copy(draft)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Unpublished draft of “{live}”",
            "opts": self.model._meta,
            "object": live,
            "draft": draft,
            "changes": field_changes(live, drafted),
            "problems": drafts.publish_problems(drafted),
            "can_publish": self.has_publish_permission(request),
            "can_discard": self.has_change_permission(request, live),
            "preview_url": self.draft_preview_url(live),
            "change_url": self.change_url(live),
        }
        return TemplateResponse(request, "admin/faq/draft_review.html", context)

    def draft_decision(self, request, live, draft):
        """Publish (reviewers, once the checks pass) or discard the draft."""
        if request.POST.get("decision") == "discard":
            if not self.has_change_permission(request, live):
                raise PermissionDenied
            draft.delete()
            self.log_change(request, live, "Discarded the unpublished draft.")
            self.message_user(request, "The draft was discarded.", messages.SUCCESS)
            return HttpResponseRedirect(self.change_url(live))
        if not self.has_publish_permission(request):
            raise PermissionDenied
        reviewer = reviewer_of(request.user)
        problems = drafts.publish_problems(drafts.drafted_copy(draft))
        if reviewer is None or problems:
            for problem in problems or [NO_PROFILE]:
                self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(self.draft_url(live))
        obj = drafts.publish_draft(draft, reviewer, request.user)
        self.log_change(request, obj, f"Published the draft, signed off by {reviewer}.")
        self.message_user(request, "The draft is published: readers and search now see it.",
                          messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(obj))

    def change_url(self, obj):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
        )

    def draft_preview_url(self, obj):
        """Where the page with this draft can be seen as readers would see it."""
        raise NotImplementedError


class LiveParentInline:
    """An inline that editors may only view while its page is live (their edits are drafts)."""

    def editable_by(self, request, obj) -> bool:
        publish = "faq.publish_faq" if self.parent_model is FAQ else "faq.publish_article"
        return obj is None or request.user.has_perm(publish) or not drafts.is_live(obj)

    def has_add_permission(self, request, obj=None):
        return self.editable_by(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.editable_by(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.editable_by(request, obj) and super().has_delete_permission(request, obj)
