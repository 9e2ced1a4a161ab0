"""What is indexed: the document types (types) and one builder per model (builders)."""
