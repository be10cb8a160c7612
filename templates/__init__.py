"""Jinja2 templates of the report (installed as the data package synth.templates)."""
