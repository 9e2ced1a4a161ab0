"""What the search log must not keep: e-mail addresses, phone numbers and long digit runs.

Readers sometimes type who they are into a search box ("my NHS number is 943 476 5919"); the
log is for finding what content is missing, so these are replaced before a row is written.

>>> redact("rash jane.doe@example.org 07700 900123 nhs 9434765919 age 45")
'rash [email] [phone] nhs [number] age 45'
"""
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Seven or more digits written with the separators phone numbers use: +44 (0)20 7946-0958.
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d(?=\b)")
LONG_DIGITS = re.compile(r"\d{6,}")  # account, record or card numbers; doses and ages are short


def _phone_or_keep(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if digits < 7:
        return text
    # One unbroken run is an identifier ("[number]"), a spaced or punctuated one a phone.
    return "[number]" if text.isdigit() else "[phone]"


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers and digit runs of six or more replaced."""
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub(_phone_or_keep, text)
    return LONG_DIGITS.sub("[number]", text)
