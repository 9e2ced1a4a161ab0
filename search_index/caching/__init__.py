"""Process-wide memory with one owner: the result cache shared by workers (results), its
file backend (file_cache), values rebuilt when their rows change (rechecked), and a registry
whose reset_all() forgets everything (registry)."""
