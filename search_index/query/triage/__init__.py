"""Red-flag triage: which rule a query matches (rules), the help lines to show (contacts),
the site's support pages a crisis rule pins (support), the rules the site ships (shipped) and
how common an English word is, so a real word is never taken for a misspelling (english)."""
