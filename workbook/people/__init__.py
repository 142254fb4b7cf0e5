"""Who to ask: LinkedIn import, matching people to target organisations, coverage per option."""
