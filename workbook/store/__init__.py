"""The store: one SQLite file per workbook, its schema, field rules, reads, backups and exports."""

from .workbook import Workbook, open_workbook

__all__ = ["Workbook", "open_workbook"]
