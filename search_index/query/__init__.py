"""The reader's words -> a plan: cleaning and the small grammar (grammar), the question's
chatter and type (intent), lay phrases (glossary), did-you-mean (spelling), the pages editors
pinned (promoted), and urgent-care triage (triage/). Nothing here opens an index."""
