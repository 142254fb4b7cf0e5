"""How to ask: request messages, the follow-up cadence and the calendar of conversations."""
