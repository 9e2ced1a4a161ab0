"""Template filters for the reader pages."""
from django import template

from faq.citations import format_apa, format_mla
from faq.markup import is_web_url

register = template.Library()


@register.filter
def apa(citation):
    """A Citation as an APA reference (safe HTML, URL as a link)."""
    return format_apa(citation, clickable=True)


@register.filter
def mla(citation):
    """A Citation as an MLA reference (safe HTML, URL as a link)."""
    return format_mla(citation, clickable=True)


@register.filter
def letter_anchor(letter):
    """The id of a letter's heading on the home page ('#' is not a usable id)."""
    return "other" if letter == "#" else letter


@register.filter
def web_url(url):
    """True when a stored source address may be shown as a link (http or https)."""
    return is_web_url(url)
