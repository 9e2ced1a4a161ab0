"""The Whoosh engine: the only code that imports whoosh.

storage (open, lock, format), schema, searcher (one per process), writer_processes (a safe
parallel writer), nearby_words (spelling candidates) and arrays/: the numpy ranker with
the packed postings codec and lexicon tables it reads, with every private-Whoosh access.
"""
