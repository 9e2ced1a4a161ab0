"""The kinds of document the index holds: one per published Section and per published FAQ."""
SECTION = "section"
FAQ = "faq"
