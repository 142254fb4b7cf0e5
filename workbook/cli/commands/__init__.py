"""CLI commands, one module per concern; each registers itself on ``workbook.cli.cli``."""
