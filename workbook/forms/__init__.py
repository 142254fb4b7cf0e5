"""ipywidgets forms over the workbook. Building a form never calls ``display()``."""
