"""Claims: the claims.yaml document, extraction from parsed papers, review importers, claim ↔ table links."""
