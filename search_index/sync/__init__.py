"""Keeping the index in step with the database: saves record changes (signals), one writer
applies them (queue), rebuild and reconcile restore the whole (rebuild), and a document-by-
document comparison says what differs (check)."""
