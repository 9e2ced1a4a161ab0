"""Text analysis shared by indexing and querying and by any engine, in plain Python: words,
folding (NFKC, case, accents) and the Snowball stemmer (analysis, folding, stemming); the
spelling vocabulary rules (vocabulary); snippets of a stored body with the searched words
marked (snippets)."""
