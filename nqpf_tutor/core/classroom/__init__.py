"""Classroom play: live games (``live``). Drills still live in ``nqpf_tutor.core.drill``."""
