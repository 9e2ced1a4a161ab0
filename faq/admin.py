"""The editors' admin: articles with sortable sections and citations, FAQs, citations.

Publishing is a reviewer's decision: without the publish permission the status field offers
no "Published" choice, the publish action is hidden, and a published page keeps its status
while an editor corrects it.
"""
from adminsortable2.admin import (
    CustomInlineFormSet,
    SortableAdminBase,
    SortableStackedInline,
    SortableTabularInline,
)
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from . import drafts, promoted_admin, review_dashboard, views  # noqa: F401 (registers)
from .admin_filters import FAQArticleFilter, ReviewDueFilter
from .drafts_admin import DraftAdmin, LiveParentInline
from .models import (
    FAQ,
    Article,
    ArticleCitation,
    Citation,
    FAQCitation,
    Section,
    SectionCitation,
    Status,
)
from .publish_checks import article_problems
from .revisions_admin import RevisionAdmin
from .signoff_admin import (
    NO_PROFILE,
    REVIEW_FIELDS,
    SIGN_OFF_FIELDS,
    reviewer_of,
    signing_off_form,
)

# Sources are https today; a bare "example.org" typed by an editor should become https too.
URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class SectionInlineFormSet(CustomInlineFormSet):
    """Sections of an article as submitted; a published article must keep at least one."""

    def clean(self):
        super().clean()
        # The parent form has already copied the submitted status onto self.instance.
        if self.instance.status != Status.PUBLISHED:
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        # Same rule as Article.publish_problems(): sections, or FAQs standing in for them.
        if not kept and not (self.instance.pk and self.instance.faqs.exists()):
            raise ValidationError(
                "A published article needs at least one section. Add a section, or set the "
                "status to Draft or In review."
            )
        # The checks read the sections as submitted, each form's instance holding its data.
        problems = article_problems(self.instance, [f.instance for f in kept])
        if problems:
            raise ValidationError(
                ["This article cannot be published as it stands:", *problems]
            )


class SectionInline(LiveParentInline, SortableStackedInline):
    model = Section
    formset = SectionInlineFormSet
    ordering = ["order"]  # names the sort field; the model's ordering starts with "article"
    fields = ["heading", "slug", "kind", "body"]
    prepopulated_fields = {"slug": ["heading"]}
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        # A new article starts with one blank section; existing ones are long enough already.
        return 1 if obj is None else 0


class ArticleCitationInline(LiveParentInline, SortableTabularInline):
    model = ArticleCitation
    ordering = ["order"]
    autocomplete_fields = ["citation"]
    extra = 0
    verbose_name = "reference"
    verbose_name_plural = "references (in the order the page lists them)"


class SectionCitationInline(ArticleCitationInline):
    model = SectionCitation


class FAQCitationInline(ArticleCitationInline):
    model = FAQCitation


class EditorialAdmin(DraftAdmin, SortableAdminBase, RevisionAdmin):
    """Publish and review workflow shared by articles and FAQs."""

    publish_permission = ""
    public_template = ""
    formfield_overrides = URL_FIELDS_HTTPS
    actions = ["publish_selected", "mark_reviewed_today"]

    def has_publish_permission(self, request):
        return request.user.has_perm(self.publish_permission)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.has_publish_permission(request):
            # Whatever a publisher saves as published goes live, signed with their profile.
            return signing_off_form(form, request.user)
        status = form.base_fields.get("status")
        if status is not None:
            status.choices = [c for c in status.choices if c[0] != Status.PUBLISHED]
            status.help_text = "A reviewer publishes once the content is ready."
        return form

    def get_readonly_fields(self, request, obj=None):
        # Sign-off and review are recorded by reviewers' actions, never typed in.
        fields = [*super().get_readonly_fields(request, obj), *SIGN_OFF_FIELDS]
        if not self.has_publish_permission(request):
            fields.append("next_review_due")
            # An editor may correct a published page, but only a reviewer may withdraw it.
            if obj is not None and obj.is_published:
                fields.append("status")
        return fields

    def save_model(self, request, obj, form, change):
        # A reviewer saving a published version signs it off; an editor cannot publish.
        reviewer = reviewer_of(request.user) if self.has_publish_permission(request) else None
        if reviewer and obj.is_published and (form.has_changed() or not change):
            was_published = change and form.initial.get("status") == Status.PUBLISHED
            obj.record_sign_off(reviewer, publishing=not was_published)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        reviewer = reviewer_of(request.user) if self.has_publish_permission(request) else None
        # An inline change (a section's text) is a change to the published page too.
        changed_inline = not form.has_changed() and any(f.has_changed() for f in formsets)
        if reviewer and obj.is_published and changed_inline:
            obj.record_sign_off(reviewer, publishing=False)
            obj.save(update_fields=[*SIGN_OFF_FIELDS, "next_review_due", "updated_at"])

    def publish_problems(self, obj):
        """Why obj cannot be published as it stands (empty when it can)."""
        problems = list(obj.publish_problems()) if hasattr(obj, "publish_problems") else []
        if problems:
            return problems
        obj.status = Status.PUBLISHED
        try:
            obj.full_clean()
        except ValidationError as exc:
            return exc.messages
        return []

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish_selected(self, request, queryset):
        reviewer = reviewer_of(request.user)
        if reviewer is None:
            self.message_user(request, NO_PROFILE, messages.ERROR)
            return
        published = 0
        for obj in queryset.exclude(status=Status.PUBLISHED):
            problems = self.publish_problems(obj)
            if problems:
                self.message_user(
                    request, f"“{obj}” was not published: {' '.join(problems)}", messages.ERROR
                )
                continue
            obj.record_sign_off(reviewer, publishing=True)
            obj.save()
            self.log_change(
                request, obj, f"Published with the “Publish selected” action, signed off by "
                f"{reviewer}."
            )
            published += 1
        if published:
            self.message_user(request, f"Published {published} item(s).", messages.SUCCESS)

    @admin.action(description="Mark as reviewed today", permissions=["publish"])
    def mark_reviewed_today(self, request, queryset):
        reviewer = reviewer_of(request.user)
        if reviewer is None:
            self.message_user(request, NO_PROFILE, messages.ERROR)
            return
        today = timezone.localdate()
        count = 0
        for obj in queryset:
            obj.record_review(reviewer, today)
            # Only the review fields: a concurrent edit of the text must not be overwritten.
            obj.save(update_fields=[*REVIEW_FIELDS, "updated_at"])
            self.log_change(
                request, obj, f"Marked as reviewed today by {reviewer} (next review due "
                f"{obj.next_review_due})."
            )
            count += 1
        self.message_user(request, f"Marked {count} item(s) as reviewed today.", messages.SUCCESS)

    def get_urls(self):
        opts = self.model._meta
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name=f"{opts.app_label}_{opts.model_name}_preview",
        )
        return [preview, *super().get_urls()]

    def preview_url(self, obj):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_preview", args=[obj.pk]
        )

    def draft_preview_url(self, obj):
        return self.preview_url(obj)

    def view_on_site(self, obj):
        # The public page shows published content only; drafts open in the staff preview.
        return obj.get_absolute_url() if obj.is_published else self.preview_url(obj)

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html('<a href="{}" target="_blank">Preview</a>', self.preview_url(obj))

    def public_context(self, request, obj):
        """The context the public page of obj is rendered with."""
        raise NotImplementedError

    def preview_view(self, request, object_id):
        """The public page of an object whatever its status, for staff who may see it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this ID.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        # The preview is the page as it will be once the open drafts are published.
        draft = drafts.draft_of(obj)
        if draft is not None:
            drafts.apply_draft(obj, draft)
        opts = self.model._meta
        context = {
            **self.public_context(request, obj),
            "drafted": draft is not None or bool(getattr(obj, "_section_drafts", None)),
            "object": obj,
            "public_template": self.public_template,
            "change_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
            ),
        }
        response = TemplateResponse(request, "admin/faq/preview.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


@admin.register(Article)
class ArticleAdmin(EditorialAdmin):
    publish_permission = "faq.publish_article"
    public_template = "faq/article.html"
    list_display = [
        "title", "status", "last_reviewed", "next_review_due", "review_overdue", "preview_link",
    ]
    list_filter = ["status", ReviewDueFilter]
    search_fields = ["title", "summary", "also_called"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "next_review_due"
    inlines = [SectionInline, ArticleCitationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "also_called"]}),
        ("Publishing", {"fields": ["status", "published_date", "author"]}),
        ("Clinical sign-off", {"fields": [*SIGN_OFF_FIELDS, "next_review_due",
                                          "medical_reviewer"]}),
        (
            "Imported content",
            {"classes": ["collapse"], "fields": ["source_name", "source_url", "attribution"]},
        ),
    ]

    def get_urls(self):
        dashboard = path(
            "review-dashboard/",
            self.admin_site.admin_view(self.review_dashboard_view),
            name="faq_review_dashboard",
        )
        return [dashboard, *super().get_urls()]

    def review_dashboard_view(self, request):
        """Overdue, due soon and recently reviewed content, and drafts waiting for a reviewer."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **review_dashboard.dashboard_context(request.GET),
            "title": "Review dashboard",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/faq/review_dashboard.html", context)

    @admin.display(description="Overdue", boolean=True, ordering="next_review_due")
    def review_overdue(self, obj):
        return obj.next_review_due is not None and obj.next_review_due <= timezone.localdate()

    def public_context(self, request, obj):
        section_drafts = {
            pk: drafts.apply_draft(Section(pk=pk), draft)
            for pk, draft in drafts.section_drafts(obj).items()
        }
        obj._section_drafts = section_drafts
        return views.article_context(request, obj, section_drafts)


@admin.register(Section)
class SectionAdmin(DraftAdmin, SortableAdminBase, RevisionAdmin):
    list_display = ["heading", "article", "kind", "order"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["heading", "body", "article__title"]
    ordering = ["article__title", "order", "pk"]
    autocomplete_fields = ["article"]
    prepopulated_fields = {"slug": ["heading"]}
    fields = ["article", "heading", "slug", "kind", "order", "body"]
    inlines = [SectionCitationInline]

    def has_publish_permission(self, request):
        return request.user.has_perm("faq.publish_article")

    def draft_preview_url(self, obj):
        return reverse(f"{self.admin_site.name}:faq_article_preview", args=[obj.article_id])

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.has_publish_permission(request):
            return form

        class EditorsSectionForm(form):
            def clean(self):
                cleaned = super().clean()
                article = cleaned.get("article")
                if article is not None and article.is_published and not self.instance.pk:
                    raise ValidationError(
                        "This article is published: a reviewer adds its sections. "
                        "Draft the text in an existing section, or ask a reviewer."
                    )
                return cleaned

        return EditorsSectionForm

    def get_deleted_objects(self, objs, request):
        # Listing the article as "protected" makes both the delete page and the bulk action
        # refuse, so a published article cannot lose its last section from this side either.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *self.articles_left_empty(objs)]

    def articles_left_empty(self, sections):
        """Published articles that would have nothing left if these sections went."""
        doomed = {}
        for section in sections:
            doomed.setdefault(section.article, set()).add(section.pk)
        return [
            f"{article} (published; it needs at least one section)"
            for article, pks in doomed.items()
            if article.is_published
            and not article.sections.exclude(pk__in=pks).exists()
            and not article.faqs.exists()
        ]


@admin.register(FAQ)
class FAQAdmin(EditorialAdmin):
    publish_permission = "faq.publish_faq"
    public_template = "faq/faq.html"
    list_display = [
        "question", "article_link", "status", "question_type", "source_name", "preview_link",
    ]
    list_filter = ["status", "question_type", "source_name", FAQArticleFilter]
    list_select_related = ["article"]
    search_fields = ["question", "answer"]
    autocomplete_fields = ["article", "section"]
    prepopulated_fields = {"slug": ["question"]}
    inlines = [FAQCitationInline]
    fieldsets = [
        (None, {"fields": ["question", "slug", "answer"]}),
        ("Where it appears", {"fields": ["article", "section", "order"]}),
        ("Publishing", {"fields": ["status"]}),
        ("Clinical sign-off", {"fields": [*SIGN_OFF_FIELDS, "next_review_due"]}),
        (
            "Source",
            {"fields": ["question_type", "source_name", "source_url", "attribution"]},
        ),
    ]

    def public_context(self, request, obj):
        return views.faq_context(obj)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, obj):
        if obj.article is None:
            return "—"
        changelist = reverse(f"{self.admin_site.name}:faq_faq_changelist")
        url = f"{changelist}?{urlencode({FAQArticleFilter.parameter_name: obj.article_id})}"
        return format_html('<a href="{}" title="FAQs of this article">{}</a>', url, obj.article)


@admin.register(Citation)
class CitationAdmin(RevisionAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ["title", "container_title", "date_published", "doi"]
    list_filter = ["container_title"]
    search_fields = ["title", "authors", "container_title", "publisher", "doi", "url"]
    fieldsets = [
        (None, {"fields": ["authors", "title", "container_title", "publisher"]}),
        ("Dates and links", {"fields": ["date_published", "date_accessed", "url", "doi"]}),
    ]
