"""The FSRS-6 memory model over numpy arrays: the same formulas py-fsrs uses, vectorised.

py-fsrs reviews one card at a time (about 0.1 ms each); a plan projects every card over many
days and a simulation shows hundreds of thousands of cards, so both use these functions. A test
(tests/test_learning_sim.py) checks that they agree with ``fsrs.Scheduler.review_card`` on a
sample of reviews.

Grades are 1 (Again) to 4 (Easy). Times are in days.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from fsrs.scheduler import DEFAULT_PARAMETERS

STABILITY_MIN = 0.001
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0


class FSRSModel:
    """FSRS-6 with parameters ``w`` (21 numbers; py-fsrs' defaults when None)."""

    def __init__(self, parameters: Sequence[float] | None = None) -> None:
        w = np.asarray(DEFAULT_PARAMETERS if parameters is None else parameters, dtype=float)
        if w.shape != (21,):
            raise ValueError(f"FSRS-6 takes 21 parameters, not {w.size}")
        self.w = w
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(float(x) for x in self.w)

    # --- memory --------------------------------------------------------------------------------

    def retrievability(self, elapsed, stability):
        """Chance of recall ``elapsed`` days after the last review."""
        return (1 + self.factor * np.maximum(elapsed, 0) / stability) ** self.decay

    def init_stability(self, grade):
        return np.maximum(self.w[np.asarray(grade) - 1], STABILITY_MIN)

    def _init_difficulty_raw(self, grade):
        return self.w[4] - np.exp(self.w[5] * (np.asarray(grade) - 1)) + 1

    def init_difficulty(self, grade):
        return np.clip(self._init_difficulty_raw(grade), MIN_DIFFICULTY, MAX_DIFFICULTY)

    def next_difficulty(self, d, grade):
        w = self.w
        delta = -(w[6] * (np.asarray(grade) - 3))
        damped = d + (10.0 - d) * delta / 9.0
        out = w[7] * self._init_difficulty_raw(4) + (1 - w[7]) * damped
        return np.clip(out, MIN_DIFFICULTY, MAX_DIFFICULTY)

    def short_term_stability(self, s, grade):
        w = self.w
        grade = np.asarray(grade)
        inc = np.exp(w[17] * (grade - 3 + w[18])) * s ** (-w[19])
        inc = np.where(grade >= 2, np.maximum(inc, 1.0), inc)
        return np.maximum(s * inc, STABILITY_MIN)

    def next_stability(self, d, s, r, grade):
        """Stability after a review on a later day (recall or lapse), ``r`` the retrievability then."""
        w = self.w
        grade = np.asarray(grade)
        hard = np.where(grade == 2, w[15], 1.0)
        easy = np.where(grade == 4, w[16], 1.0)
        recall = s * (1 + np.exp(w[8]) * (11 - d) * s ** (-w[9]) * (np.exp((1 - r) * w[10]) - 1) * hard * easy)
        forget_long = w[11] * d ** (-w[12]) * ((s + 1) ** w[13] - 1) * np.exp((1 - r) * w[14])
        forget = np.minimum(forget_long, s / np.exp(w[17] * w[18]))
        return np.maximum(np.where(grade == 1, forget, recall), STABILITY_MIN)

    def interval(self, s, retention, maximum: int = 36500):
        """Whole days until the retrievability falls to ``retention`` (at least 1)."""
        ivl = s / self.factor * (np.asarray(retention) ** (1 / self.decay) - 1)
        return np.clip(np.round(ivl), 1, maximum)

    def review(self, s, d, elapsed_days, grade):
        """(stability, difficulty) after a review ``elapsed_days`` (whole days, as py-fsrs counts)
        after the last one; same-day reviews use the short-term formula."""
        elapsed_days = np.asarray(elapsed_days)
        same_day = elapsed_days < 1
        r = self.retrievability(elapsed_days, s)
        s_long = self.next_stability(d, s, r, grade)
        s_short = self.short_term_stability(s, grade)
        return np.where(same_day, s_short, s_long), self.next_difficulty(d, grade)


DEFAULT = FSRSModel()
