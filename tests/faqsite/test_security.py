"""Security headers, the Content Security Policy, login throttling, CSRF and production settings."""
import json
import os
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.conf import global_settings, settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from faq.models import ArticleCitation, FAQCitation, SectionCitation
from tests.faq.test_admin import make_article, make_citation, make_faq, make_section, make_user
from tests.faqsite.test_error_pages import assert_no_leak

PASSWORD = "lantern-orchard-meadow-57"
LOGIN_URL = "/admin/login/"
SAME_ORIGIN_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP_DIRECTIVES = [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'",
]
# Script types a browser never runs, so CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCodeFinder(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would block."""

    def __init__(self):
        super().__init__()
        self.blocked = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            if values.get("type") not in DATA_SCRIPT_TYPES:
                self.blocked.append(f"inline <script> {values}")
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...> event handler")
            elif name == "style":
                self.blocked.append(f"<{tag} style={value!r}>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.blocked.append(f"<{tag} {name}={value!r}>")


def blocked_by_csp(response):
    """Inline code in the page that the site's policy would stop a browser from running."""
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    return finder.blocked


def assert_security_headers(response):
    for header, value in SAME_ORIGIN_HEADERS.items():
        assert response.get(header) == value, header
    policy = response.get("Content-Security-Policy", "")
    for directive in CSP_DIRECTIVES:
        assert directive in policy, directive
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def public_pages():
    article = make_article(status="published", published_date=timezone.localdate())
    make_section(article)
    faq = make_faq(article=article, status="published")
    call_command("rebuild_index", verbosity=0)
    return [
        "/", "/topics/", "/faqs/", "/search/?q=numb+feet", article.get_absolute_url(),
        faq.get_absolute_url(), "/no-such-page/",
    ]


# --- Headers and the Content Security Policy ---------------------------------------------

@pytest.mark.django_db
def test_public_pages_send_security_headers_and_need_no_inline_code(client):
    for url in public_pages():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_security_headers(response)
        assert blocked_by_csp(response) == [], url


@pytest.mark.django_db
def test_admin_login_sends_security_headers_and_needs_no_inline_code(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert_security_headers(response)
    assert blocked_by_csp(response) == []


@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize("path", ["/test-errors/boom/", "/test-errors/forbidden/",
                                  "/test-errors/suspicious/", "/no-such-page/"])
def test_error_pages_send_security_headers_and_need_no_inline_code(path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code in (400, 403, 404, 500)
    assert_security_headers(response)
    assert blocked_by_csp(response) == [], path


def test_no_hsts_outside_production(client):
    # A developer's plain-http localhost must not be pinned to HTTPS for a year.
    assert "Strict-Transport-Security" not in client.get(LOGIN_URL)


def editorial_objects():
    """Objects whose change pages use the sortable inlines and the autocomplete widgets."""
    article = make_article()
    section = make_section(article)
    faq = make_faq(article=article, section=section)
    citation = make_citation()
    ArticleCitation.objects.create(article=article, citation=citation, order=1)
    SectionCitation.objects.create(section=section, citation=citation, order=1)
    FAQCitation.objects.create(faq=faq, citation=citation, order=1)
    return [article, section, faq, citation]


@pytest.mark.django_db
def test_admin_pages_work_under_the_policy(client):
    user = make_user("superuser")
    client.force_login(user)
    objects = editorial_objects()
    urls = [
        reverse("admin:index"),
        reverse("admin:auth_user_change", args=[user.pk]),
        reverse("admin:faq_article_preview", args=[objects[0].pk]),
    ]
    for obj in objects:
        name = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
        urls += [
            reverse(f"{name}_changelist"),
            reverse(f"{name}_add"),
            reverse(f"{name}_change", args=[obj.pk]),
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert blocked_by_csp(response) == [], url


def test_the_inline_code_finder_can_fail():
    page = type("Page", (), {"content": (
        b'<script>alert(1)</script><script type="application/json">{}</script>'
        b'<p style="color:red" onclick="x()"><a href=" JavaScript:go()">x</a></p><style></style>'
    )})
    assert len(blocked_by_csp(page)) == 5


# --- Login throttling (django-axes) --------------------------------------------------------

def sign_in(client, username, password, address="203.0.113.7"):
    """Post the admin login form from a given client address."""
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(LOGIN_URL, data, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def editor(db):
    user = make_user("editor")
    user.set_password(PASSWORD)
    user.save()
    return user


def lock_out(client, user):
    """Five wrong passwords; the fifth answer is already the lockout page."""
    for attempt in range(1, 5):
        response = sign_in(client, user.username, f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert "Please enter the correct username and password" in response.content.decode()
    response = sign_in(client, user.username, "wrong-5")
    assert response.status_code == 429
    return response


def test_five_failed_logins_lock_the_account_even_for_the_right_password(client, editor):
    lock_out(client, editor)
    response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert_no_leak(response.content.decode())
    assert not signed_in(client)


def test_lockout_is_per_username_and_address(client, editor):
    lock_out(client, editor)
    # The same editor elsewhere is not locked out by a bot guessing from one address.
    assert sign_in(client, editor.username, PASSWORD, address="198.51.100.20").status_code == 302
    assert signed_in(client)


def test_an_administrator_can_lift_a_lockout(client, editor):
    lock_out(client, editor)
    call_command("axes_reset_username", editor.username, verbosity=0)
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(("minutes_ago", "status"), [(14, 429), (16, 302)])
def test_lockout_lasts_fifteen_minutes(client, editor, minutes_ago, status):
    lock_out(client, editor)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes_ago))
    assert sign_in(client, editor.username, PASSWORD).status_code == status


def test_a_successful_login_resets_the_failure_count(client, editor):
    for attempt in range(4):
        assert sign_in(client, editor.username, f"wrong-{attempt}").status_code == 200
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
    client.logout()
    # Without the reset these four would make eight failures and lock the account.
    for attempt in range(4):
        assert sign_in(client, editor.username, f"again-{attempt}").status_code == 200
    assert sign_in(client, editor.username, PASSWORD).status_code == 302


# --- CSRF and methods ----------------------------------------------------------------------

@pytest.mark.django_db
def test_admin_login_without_csrf_token_gets_the_friendly_403(editor):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your form could not be sent" in body
    assert "CSRF" not in body
    assert_no_leak(body)
    assert not signed_in(client)


@pytest.mark.django_db
def test_every_admin_add_form_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("superuser"))
    models = list(admin.site._registry)
    before = {model: model.objects.count() for model in models}
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        assert client.post(url, {}).status_code == 403, url
    assert {model: model.objects.count() for model in models} == before


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/search/", "/api/search", "/api/suggest"])
def test_search_answers_get_only(client, url):
    make_article(status="published", published_date=timezone.localdate())
    call_command("rebuild_index", verbosity=0)
    assert client.post(url, {"q": "numb feet"}).status_code == 405
    assert client.get(url, {"q": "numb feet"}).status_code == 200


# --- Production settings -------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "faqsite.settings.prod",
    "DJANGO_SECRET_KEY": "k3v9-not-real-but-long-enough-for-the-check-0f7c2a91d84e6b35a7c1",
    "DJANGO_ALLOWED_HOSTS": "symptoms.example.org,testserver",
    "DATABASE_URL": "sqlite:////tmp/symptom-search-prod-check.sqlite3",
}


def run_with(env_vars, *args, code=None):
    """Run manage.py (or python -c code) with only the given environment, as a deploy would."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    env.update(env_vars)
    command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_environment(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    done = run_with(env, "check")
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {missing} must be set in production." in done.stderr


def test_production_refuses_a_short_secret_key():
    done = run_with({**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"}, "check")
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be a long random string." in done.stderr


def test_production_settings_pass_the_deploy_check():
    done = run_with(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/admin/", secure=True)
print(json.dumps({"hashers": settings.PASSWORD_HASHERS, "headers": dict(response.headers)}))
"""


def test_production_sends_hsts_and_keeps_default_password_hashing():
    done = run_with(PRODUCTION_ENV, code=PRODUCTION_PROBE)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["hashers"] == global_settings.PASSWORD_HASHERS
    assert probe["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")
    for header, value in SAME_ORIGIN_HEADERS.items():
        assert probe["headers"][header] == value


def test_base_settings_leave_password_hashing_to_django():
    from faqsite.settings import base

    # Only the test settings may trade strength for speed.
    assert not hasattr(base, "PASSWORD_HASHERS")
    assert global_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")


# --- Behind the HTTPS proxy ------------------------------------------------------------------

PROXY = "10.0.0.5"


def sign_in_via(client, username, password, client_address, peer=PROXY):
    """Post the login form as the proxy does: from its address, naming the client."""
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(LOGIN_URL, data, REMOTE_ADDR=peer,
                       HTTP_X_FORWARDED_FOR=f"198.18.0.9, {client_address}")


def test_behind_a_trusted_proxy_a_stranger_cannot_lock_an_editor_out(client, editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for attempt in range(5):
        sign_in_via(client, editor.username, f"wrong-{attempt}", "192.0.2.66")
    assert sign_in_via(client, editor.username, PASSWORD, "192.0.2.66").status_code == 429
    # The editor at their own address, through the same proxy, still gets in.
    assert sign_in_via(client, editor.username, PASSWORD, "198.51.100.20").status_code == 302
    assert signed_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.66"}


def test_the_forwarded_header_is_ignored_from_an_untrusted_sender(client, editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    # A client talking to the server directly names whatever address it likes: not believed.
    for attempt in range(5):
        sign_in_via(client, editor.username, f"wrong-{attempt}", "198.51.100.20",
                    peer="203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert sign_in_via(client, editor.username, PASSWORD, "198.51.100.20").status_code == 302


def test_without_a_trusted_proxy_the_header_means_nothing(client, editor, settings):
    settings.TRUSTED_PROXIES = []
    sign_in_via(client, editor.username, "wrong", "198.51.100.20")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_a_malformed_forwarded_header_falls_back_to_the_proxy(client, editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    response = sign_in_via(client, editor.username, "wrong", "<script>")
    assert response.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
