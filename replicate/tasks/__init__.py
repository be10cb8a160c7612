"""Tasks as data: one YAML file per task (and per task × language, written by generate_language_tasks.py
from a family's base file); loaded and validated by synth.replicate.data.taskconfig."""
