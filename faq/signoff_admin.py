"""Clinical sign-off in the admin: reviewers' profiles, and the rule that publishing needs one."""
from django import forms
from django.contrib import admin

from .models import ReviewerProfile, Status

# Set by reviewers' actions (publishing, "mark reviewed"), never typed into a form.
SIGN_OFF_FIELDS = ["signed_off_by", "signed_off_at", "reviewed_by", "last_reviewed"]
REVIEW_FIELDS = ["reviewed_by", "last_reviewed", "next_review_due"]
NO_PROFILE = (
    "Publishing and reviewing are signed with a reviewer's name and credentials, and your "
    "account has none yet: ask an administrator to add your reviewer profile "
    "(Health content › Reviewer profiles)."
)


def reviewer_of(user) -> ReviewerProfile | None:
    """The reviewer profile of a user, or None."""
    return ReviewerProfile.objects.filter(user_id=user.pk).first()


def signing_off_form(form_class, user):
    """The form, refusing a published version from a user who has no reviewer profile."""

    class SigningOffForm(form_class):
        def clean(self):
            cleaned = super().clean()
            publishing = (cleaned or {}).get("status", self.instance.status) == Status.PUBLISHED
            if publishing and self.has_changed() and reviewer_of(user) is None:
                raise forms.ValidationError(NO_PROFILE)
            return cleaned

    SigningOffForm.__name__ = form_class.__name__
    return SigningOffForm


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "user"]
    search_fields = ["name", "credentials", "user__username"]
    autocomplete_fields = ["user"]
