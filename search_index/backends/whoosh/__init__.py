"""The Whoosh engine: the only code that imports whoosh.

storage (open, lock, format), schema, analysis (text/'s pipeline as Whoosh tokenizers),
writing and vocabulary (a rebuild, a batch of changes, the spelling vocabulary's carriers),
searcher (one per process), writer_processes (a safe parallel writer), nearby_words
(spelling candidates) and arrays/: the numpy ranker with the packed postings codec and
lexicon tables it reads, with every private-Whoosh access.
"""
