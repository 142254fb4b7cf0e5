"""Career Workbook: decide between career paths with evidence from informational interviews."""

from .errors import NotFoundError, ValidationError, WorkbookError, WorkbookFileError
from .paths import default_workbook_path
from .public import Workbook, open_workbook

__all__ = [
    "NotFoundError",
    "ValidationError",
    "Workbook",
    "WorkbookError",
    "WorkbookFileError",
    "default_workbook_path",
    "open_workbook",
]

__version__ = "0.1.0"
