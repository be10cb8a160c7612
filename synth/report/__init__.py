"""The study report: context from claims, library and results; figures; Jinja2 templates → reports/."""
