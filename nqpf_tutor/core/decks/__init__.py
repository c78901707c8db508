"""Decks: what is drawn from them (a balanced, seeded selection of questions)."""
