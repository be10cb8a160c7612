"""Papers: sources (arXiv, local PDFs), parsing, the library (folders + SQLite/FTS5), fetch and paper search."""
