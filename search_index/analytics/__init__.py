"""The search-terms log, written in batches (log), with contact details redacted (redaction),
and the results readers opened (clicks), behind the editors' search-terms report."""
