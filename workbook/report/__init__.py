"""The shareable HTML report (and the prep sheet page), built from the workbook's data."""

from .build import build_report, write_report

__all__ = ["build_report", "write_report"]
