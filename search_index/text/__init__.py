"""Text analysis shared by indexing and querying (analysis), the spelling vocabulary rules
(vocabulary) and snippets of a stored body with the searched words marked (snippets)."""
