"""Speed and relevance measurements that print figures; see benchmarks/README.md."""
