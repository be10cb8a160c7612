"""The question's analysis: seed-level statistics, curve fits, volume sweeps from results, language covariates.
Depends on data/ and pipeline/ (results documents, per-example scores)."""
