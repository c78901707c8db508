"""Decks: the model, loading, questions and what is made of them (exports)."""
