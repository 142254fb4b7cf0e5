"""Charts: functions that take data (and optionally an Axes) and return a matplotlib Figure."""
