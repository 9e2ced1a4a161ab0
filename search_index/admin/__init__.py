"""Editors' tools for search: the lay glossary, urgent-care rules, the index queue, and
the search-terms report built from the query log."""
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.db.models import Avg, Count, Max, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import Truncator

from faq.revisions_admin import RevisionAdmin
from search_index.admin.fixes import report_days, with_fix_its
from search_index.analytics import log as query_log
from search_index.models import (
    IndexChange,
    IndexNode,
    SearchQueryLog,
    Synonym,
    UrgentCareRule,
    lines,
)
from search_index.query.glossary import analyse
from search_index.query.triage.rules import pattern_errors

REPORT_ROWS = 50


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["phrase", "terms", "active"]

    def save(self, commit=True):
        # A found abbreviation an editor corrects is theirs from now on: the content scan
        # leaves it alone. Switching one off keeps it found (and off).
        if {"phrase", "terms"} & set(self.changed_data):
            self.instance.origin = Synonym.Origin.EDITOR
        return super().save(commit)

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"]
        if not analyse(phrase):
            raise forms.ValidationError(
                "This phrase has only very common words (such as 'the' or 'my'), which search "
                "ignores, so it could never match. Add a word that carries meaning."
            )
        return phrase

    def clean_terms(self):
        terms = self.cleaned_data["terms"]
        if not any(analyse(line) for line in terms.splitlines()):
            raise forms.ValidationError("Give at least one searchable clinical term.")
        return terms


class UrgentCareRuleForm(forms.ModelForm):
    class Meta:
        model = UrgentCareRule
        fields = [
            "name", "kind", "active", "patterns", "unless", "message", "results_query",
            "pinned_article", "pinned_faq", "source_name", "source_url",
        ]

    def clean_patterns(self):
        patterns = self.cleaned_data["patterns"]
        if not lines(patterns):
            raise forms.ValidationError("Give at least one pattern line to match.")
        return self._checked(patterns)

    def clean_unless(self):
        return self._checked(self.cleaned_data["unless"])

    def _checked(self, text: str) -> str:
        """A field of pattern lines, refused here when a line could not be matched."""
        errors = pattern_errors(text)
        if errors:
            raise forms.ValidationError(errors)
        return text

    def clean(self):
        cleaned = super().clean()
        for field in ("pinned_article", "pinned_faq"):
            item = cleaned.get(field)
            if item is not None and not item.is_published:
                self.add_error(field, "Pin a published page: readers cannot open a draft.")
        return cleaned


@admin.register(Synonym)
class SynonymAdmin(RevisionAdmin):
    form = SynonymForm
    list_display = ["phrase", "terms_preview", "origin", "active", "updated_at"]
    list_filter = ["active", "origin"]
    list_editable = ["active"]
    search_fields = ["phrase", "terms"]
    ordering = ["phrase"]
    readonly_fields = ["origin"]

    @admin.display(description="Clinical terms")
    def terms_preview(self, obj: Synonym) -> str:
        return Truncator(", ".join(obj.term_list())).chars(80)


@admin.register(UrgentCareRule)
class UrgentCareRuleAdmin(RevisionAdmin):
    form = UrgentCareRuleForm
    list_display = ["name", "kind", "pattern_count", "source_name", "active", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "patterns", "message"]
    autocomplete_fields = ["pinned_article", "pinned_faq"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "active"]}),
        ("Matching", {"fields": ["patterns", "unless"], "description": (
            "Words are matched after stemming ('drooping' matches 'droop') and after "
            "likely misspellings are recognised ('numbnes'), in any order, within a few "
            "words of each other. A word preceded, within three words, by 'no', 'not', "
            "'without' and similar does not count, so 'no slurred speech' does not match "
            "'slurred speech', unless the pattern itself names the negation ('not breathing')."
        )}),
        ("Banner", {"fields": ["message"], "description": (
            "The phone numbers for the rule's kind are added from the site's settings."
        )}),
        ("Results under the banner", {"fields": ["results_query", "pinned_article",
                                                  "pinned_faq"]}),
        ("Source", {"fields": ["source_name", "source_url"]}),
    ]

    @admin.display(description="Patterns")
    def pattern_count(self, obj: UrgentCareRule) -> int:
        return len(obj.pattern_list())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system writes: editors may look, never add, change or delete."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IndexChange)
class IndexChangeAdmin(ReadOnlyAdmin):
    """The indexing queue, for diagnosis only: the indexer alone writes it."""

    list_display = ["__str__", "created_at", "applied_at", "attempts", "short_error"]
    list_filter = ["model", ("applied_at", admin.EmptyFieldListFilter)]
    search_fields = ["model", "object_id", "last_error"]
    date_hierarchy = "created_at"

    @admin.display(description="Last error")
    def short_error(self, obj: IndexChange) -> str:
        return Truncator(obj.last_error).chars(80)


@admin.register(IndexNode)
class IndexNodeAdmin(ReadOnlyAdmin):
    """Each web node's index and how far it has applied the change log (read-only)."""

    list_display = ["name", "position", "behind", "applied_at", "seen_at", "rebuilt_at",
                    "needs_rebuild", "short_error"]

    @admin.display(description="Changes behind")
    def behind(self, obj: IndexNode) -> int:
        return IndexChange.objects.filter(pk__gt=obj.position).count()

    @admin.display(description="Last error")
    def short_error(self, obj: IndexNode) -> str:
        return Truncator(obj.last_error).chars(80)


@admin.register(SearchQueryLog)
class SearchTermsAdmin(ReadOnlyAdmin):
    """Shows the search-terms report instead of a list of single log rows."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        query_log.flush()  # this process's latest searches, at least, are in the report
        days = report_days(request.GET)
        since = timezone.now() - timedelta(days=days)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Search terms",
            "days": days,
            **with_fix_its(search_terms_report(since), since),
        }
        return TemplateResponse(request, "admin/search_index/search_terms.html", context)


def search_terms_report(since) -> dict:
    """Most frequent and zero-result queries since a time, how often each kind of
    urgent-care banner was shown, and overall figures."""
    logs = SearchQueryLog.objects.filter(created_at__gte=since)

    def by_query(rows):
        return (
            rows.values("query")
            .annotate(
                n=Count("pk"),
                most_results=Max("results"),
                avg_ms=Avg("took_ms"),
                last=Max("created_at"),
            )
            .order_by("-n", "query")[:REPORT_ROWS]
        )

    fired = dict(
        logs.exclude(urgent_kind="").values_list("urgent_kind").annotate(n=Count("pk"))
    )
    return {
        "urgent_kinds": [
            {"kind": kind, "label": label, "n": fired.get(kind, 0)}
            for kind, label in UrgentCareRule.Kind.choices
        ],
        "frequent": by_query(logs),
        "zero_results": by_query(logs.filter(results=0)),
        "totals": logs.aggregate(
            searches=Count("pk"), zero=Count("pk", filter=Q(results=0)), avg_ms=Avg("took_ms")
        ),
    }
