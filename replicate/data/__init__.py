"""Tasks and their data: languages, benchmarks, task configs, data sources (local files, pinned Hub revisions),
loading and featurisation, batching. Depends on synth.core only."""
