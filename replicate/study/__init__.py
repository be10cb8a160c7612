"""The question's analysis: seed-level statistics (seed_level), the bootstrap and curve fits (statistics,
curve_fits), volume sweeps from results (sweeps), language covariates, the design checks of a volume study (design)
and the X-STILTs headline against the published baseline (headline). Depends on experiments/, data/ and pipeline/."""
