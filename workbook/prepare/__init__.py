"""Before a conversation: the question bank and the prep sheet."""
