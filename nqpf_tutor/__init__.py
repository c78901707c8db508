"""nqpf-tutor: learn "new quality productive forces" with flashcards, quizzes and spaced repetition."""

__version__ = "0.1.0"
