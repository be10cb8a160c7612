"""Scoring a model it is given: metrics (official-scorer semantics), forward passes, per-language scores,
official-scorer parity on leaderboard files, task-file validation. Depends on data/."""
