"""Whoosh's files read as numpy arrays: the packed postings codec (codec), each segment's
lexicon in memory (lexicon), BM25F ranking a posting list at a time (ranking)."""
