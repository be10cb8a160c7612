"""Paper sources: arXiv (ids, metadata, search), local PDFs, robust HTTP download, a loopback arXiv mirror."""
