"""A quiz: N multiple-choice questions drawn from the chosen cards, a score, the misses.

Flip and typed cards become multiple choice where the deck gives them distractors (every
table cell has the other rows' values). Quiz answers leave the schedule alone unless the
caller passes a session (``nqpf-tutor quiz --schedule``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Sequence

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.decks.selection import balanced_questions
from nqpf_tutor.core.questions import Question


def build_quiz(cards: Sequence[Card], n: int, seed: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[Question]:
    """Up to ``n`` distinct questions, balanced across decks and topics, in an order shuffled
    by ``seed`` (``seed=None``: a new draw each time); ``progress`` as ``balanced_questions``."""
    order = sorted(c.uid for c in cards)
    random.Random(seed).shuffle(order)
    rank = {uid: i for i, uid in enumerate(order)}
    pick = seed if seed is not None else random.randrange(1 << 30)  # no seed: a new draw each time
    questions = balanced_questions(cards, n, f"quiz|{seed}", salt="quiz", pick=pick, progress=progress)
    questions.sort(key=lambda q: rank[q.card.uid])
    return questions


@dataclass
class QuizAnswer:
    question: Question
    picked: int | None
    seconds: float

    @property
    def correct(self) -> bool:
        return self.question.is_correct(self.picked)


@dataclass
class QuizRun:
    questions: list[Question]
    answers: list[QuizAnswer] = field(default_factory=list)

    @property
    def index(self) -> int:
        return len(self.answers)

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.questions)

    def answer(self, picked: int | None, seconds: float = 0.0) -> QuizAnswer:
        q = self.current
        if q is None:
            raise IndexError("the quiz is over")
        a = QuizAnswer(q, picked, seconds)
        self.answers.append(a)
        return a

    @property
    def score(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def percent(self) -> int:
        return round(100 * self.score / len(self.answers)) if self.answers else 0

    def misses(self) -> list[QuizAnswer]:
        return [a for a in self.answers if not a.correct]
