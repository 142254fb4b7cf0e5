"""The ``career-workbook`` command line: thin commands over the package."""

from .main import cli, main

__all__ = ["cli", "main"]
