"""The search-terms log, written in batches (log), behind the editors' search-terms report."""
