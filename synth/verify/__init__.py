"""Verification: evidence search, checks (numbers, entities, tables, versions), calibration, replication verdicts."""
