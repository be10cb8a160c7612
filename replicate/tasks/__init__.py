"""Tasks as data: `load_task`, `list_tasks`, `validate_all` over the YAML files in this folder."""

from __future__ import annotations

from ..taskconfig import (
    REQUIRED_COLUMNS,
    HFSource,
    Splits,
    TaskConfig,
    list_tasks,
    load_task,
    load_task_file,
    task_path,
    validate_all,
)

__all__ = ["REQUIRED_COLUMNS", "HFSource", "Splits", "TaskConfig", "list_tasks", "load_task", "load_task_file",
           "task_path", "validate_all"]
