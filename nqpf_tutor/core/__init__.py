"""The headless core: decks, questions, scheduling, storage. Never imports Textual."""
