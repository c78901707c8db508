"""How much work does the scheduling save? Simulated learners under four schedulers.

The same simulated learner studies the same cards (``new_per_day`` new cards a day, every card
shown whenever its scheduler says so, no daily review limit) for ``days`` days under:

- ``fsrs``: FSRS-6 with py-fsrs' default parameters at the desired retention;
- ``fsrs_fitted``: FSRS with default parameters for a first period (a third of the days), then
  parameters fitted to the reviews of that period (``optimize.fit``, the fsrs-rs optimizer);
- ``sm2``: Anki's classic SM-2 with Anki's defaults (steps 1m 10m, graduating 1 day, easy 4
  days, starting ease 250%, hard 1.2, easy bonus 1.3, lapses to 1 day);
- ``leitner``: five boxes reviewed after 1, 2, 4, 8 and 16 days; right moves a card up a box,
  wrong back to box 1.

Every showing counts as a review (learning and relearning steps included). Minutes come from a
cost per showing (``COSTS``). "Memorized" at the end is the sum over cards of the learner's
*true* chance of recall on the last day.

Matched knowledge: a lower target "saves" reviews by knowing less, so FSRS at the desired
retention is the reference and each other scheduler's one knob (SM-2's interval modifier,
Leitner's interval scale, fitted FSRS's desired retention) is searched on a grid until its
memorized total is within 1% of the reference. Only then are reviews per memorized card compared.

Learners:

- ``fsrs``: the FSRS-6 memory model (as Anki's simulator and the FSRS papers use), with this
  learner's own parameters: the defaults with some terms scaled by random factors per seed.
  This favours FSRS, hence the second model.
- ``other``: exponential forgetting ``p = exp(-t / tau)`` with a per-card difficulty; a recall
  multiplies ``tau`` by ``1 + G (1 - p) / difficulty`` (the spacing effect: a recall that was
  harder helps more, and a recall minutes after the last one helps almost nothing); a lapse
  halves ``tau`` (seeing the answer again keeps at least the memory of a first showing graded
  Hard). Its constants were set once, before any comparison, and are not tuned.

Both learners grade a first showing with Anki's simulator's default odds for a new card, and a
recall as Hard, Good or Easy with its default odds. Randomness comes from per-card streams
(common random numbers): the k-th showing of a card draws the same numbers under every scheduler.
Deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from nqpf_tutor.core.learning.fsrs_model import DEFAULT, FSRSModel

SCHEDULERS = ("fsrs", "fsrs_fitted", "sm2", "leitner")
LEARNERS = ("fsrs", "other")

#: Odds of Again, Hard, Good, Easy on a card's first showing (Anki's simulator defaults).
FIRST_GRADE_ODDS = (0.24, 0.094, 0.495, 0.171)
#: Odds of Hard, Good, Easy when a card is recalled (Anki's simulator defaults).
RECALL_GRADE_ODDS = (0.224, 0.632, 0.144)
#: Seconds per showing: a new card's first, a learning or relearning step, a recalled review, a lapse.
COSTS = {"first": 20.0, "step": 10.0, "recall": 8.0, "lapse": 20.0}

MINUTE = 1 / 1440
LEARNING_STEPS = (1 * MINUTE, 10 * MINUTE)  # py-fsrs' and Anki's defaults
RELEARNING_STEPS = (10 * MINUTE,)
LEITNER_BOXES = (1, 2, 4, 8, 16)
SM2 = {"graduating": 1, "easy": 4, "ease": 2.5, "min_ease": 1.3, "hard": 1.2, "easy_bonus": 1.3}

# "other" learner: initial time constant (days) by first grade, recall gain, lapse factor.
OTHER_TAU0 = (0.2, 1.0, 2.5, 8.0)
OTHER_GAIN = 10.0
OTHER_LAPSE = 0.5

_DRAWS = 128  # random numbers kept per card (the k-th showing uses number k mod this)
_MAX_ROUNDS = 40  # showings of one card in one day before the rest waits for tomorrow


class SimulationError(ValueError):
    """Bad simulation arguments (one line for the user)."""


def learner_parameters(seed: int) -> tuple[float, ...]:
    """The FSRS learner's own parameters: the defaults, some terms scaled by random factors."""
    rng = np.random.default_rng([seed, 1])
    w = DEFAULT.w.copy()
    w[0:4] *= np.exp(rng.normal(0, 0.4, 4))
    w[0:4] = np.sort(w[0:4])  # an easier first grade never means a weaker memory
    w[8] += rng.normal(0, 0.15)
    w[11] *= np.exp(rng.normal(0, 0.2))
    w[4] = np.clip(w[4] + rng.normal(0, 0.5), 1.5, 9.5)
    return tuple(float(x) for x in w)


# --- the state of many (variant, card) pairs -----------------------------------------------------------


@dataclass
class _Cards:
    """Flat arrays over ``variants * cards``; card ``i % cards`` of variant ``i // cards``."""

    n: int
    variants: int
    knob: np.ndarray
    # schedule: phase 0 new, 1 learning, 2 review, 3 relearning
    due: np.ndarray = field(init=False)
    phase: np.ndarray = field(init=False)
    step: np.ndarray = field(init=False)
    shows: np.ndarray = field(init=False)
    last: np.ndarray = field(init=False)  # time of the last showing (days)
    # the scheduler's own memory estimate (FSRS) or interval and ease (SM-2) or box (Leitner)
    s: np.ndarray = field(init=False)
    d: np.ndarray = field(init=False)
    ivl: np.ndarray = field(init=False)
    ease: np.ndarray = field(init=False)
    # the learner's true memory
    ls: np.ndarray = field(init=False)
    ld: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        m = self.n * self.variants
        self.due = np.full(m, np.inf)
        self.phase = np.zeros(m, dtype=np.int8)
        self.step = np.zeros(m, dtype=np.int8)
        self.shows = np.zeros(m, dtype=np.int64)
        self.last = np.zeros(m)
        self.s = np.ones(m)
        self.d = np.full(m, 5.0)
        self.ivl = np.zeros(m)
        self.ease = np.full(m, SM2["ease"])
        self.ls = np.ones(m)
        self.ld = np.full(m, 5.0)

    def tiled(self, variants: int, knob: np.ndarray) -> "_Cards":
        """This one-variant state copied for ``variants`` variants with their own knobs."""
        out = _Cards(self.n, variants, np.repeat(np.asarray(knob, dtype=float), self.n))
        for name in ("due", "phase", "step", "shows", "last", "s", "d", "ivl", "ease", "ls", "ld"):
            setattr(out, name, np.tile(getattr(self, name), variants))
        return out


@dataclass
class _Learner:
    kind: str
    model: FSRSModel | None  # the FSRS learner's true model
    difficulty: np.ndarray  # per card ("other" learner)
    u_recall: np.ndarray  # (cards, _DRAWS)
    u_grade: np.ndarray

    def recall(self, c: _Cards, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        elapsed = t - c.last[idx]
        if self.model is not None:
            return self.model.retrievability(elapsed, c.ls[idx])
        return np.exp(-elapsed / c.ls[idx])

    def first(self, c: _Cards, idx: np.ndarray, grade: np.ndarray) -> None:
        if self.model is not None:
            c.ls[idx] = self.model.init_stability(grade)
            c.ld[idx] = self.model.init_difficulty(grade)
        else:
            c.ls[idx] = np.asarray(OTHER_TAU0)[grade - 1] / self.difficulty[idx % c.n]

    def update(self, c: _Cards, idx: np.ndarray, t: np.ndarray, p: np.ndarray, grade: np.ndarray) -> None:
        if self.model is not None:
            elapsed = t - c.last[idx]
            same_day = elapsed < 1
            s_short = self.model.short_term_stability(c.ls[idx], grade)
            s_long = self.model.next_stability(c.ld[idx], c.ls[idx], p, grade)
            c.ls[idx] = np.where(same_day, s_short, s_long)
            c.ld[idx] = self.model.next_difficulty(c.ld[idx], grade)
        else:
            diff = self.difficulty[idx % c.n]
            tau = c.ls[idx]
            grown = tau * (1 + OTHER_GAIN * (1 - p) / diff)
            lapsed = np.maximum(tau * OTHER_LAPSE, OTHER_TAU0[1] / diff)
            c.ls[idx] = np.where(grade == 1, lapsed, grown)

    def memorized(self, c: _Cards, t: float) -> np.ndarray:
        """Sum of true recall chances at ``t`` per variant (cards never shown count 0)."""
        seen = c.shows > 0
        p = np.zeros(c.n * c.variants)
        idx = np.nonzero(seen)[0]
        p[idx] = self.recall(c, idx, np.full(idx.size, float(t)))
        return p.reshape(c.variants, c.n).sum(axis=1)


def _make_learner(kind: str, cards: int, seed: int) -> _Learner:
    rng = np.random.default_rng([seed, 2])
    u_recall = rng.random((cards, _DRAWS))
    u_grade = rng.random((cards, _DRAWS))
    difficulty = np.exp(rng.normal(0, 0.4, cards))
    model = FSRSModel(learner_parameters(seed)) if kind == "fsrs" else None
    return _Learner(kind, model, difficulty, u_recall, u_grade)


def _grade_from(u: np.ndarray, odds: Sequence[float], first: int) -> np.ndarray:
    edges = np.cumsum(odds)[:-1]
    return first + np.searchsorted(edges, u, side="right")


# --- schedulers: each sets phase/step/due for the cards just shown -------------------------------------------


def _step_transition(c: _Cards, idx: np.ndarray, t: np.ndarray, grade: np.ndarray, steps: tuple[float, ...],
                     graduate: Callable[[np.ndarray, np.ndarray, np.ndarray], None]) -> None:
    """Anki's and py-fsrs' learning (or relearning) steps; ``graduate(sub_idx, t, grade)`` sets review due."""
    step = c.step[idx].astype(int)
    n = len(steps)
    again, hard, good, easy = (grade == g for g in (1, 2, 3, 4))
    to_review = easy | (good & (step + 1 >= n)) | ((hard | good) & (step >= n))
    nxt = np.where(again, 0, np.where(good & ~to_review, step + 1, step))
    hard_wait = np.where(step == 0, (steps[0] * 1.5) if n == 1 else (steps[0] + steps[min(1, n - 1)]) / 2,
                         np.asarray(steps)[np.minimum(step, n - 1)])
    wait = np.where(again, steps[0], np.where(hard, hard_wait, np.asarray(steps)[np.minimum(nxt, n - 1)]))
    stay = ~to_review
    s_idx = idx[stay]
    c.step[s_idx] = nxt[stay]
    c.due[s_idx] = t[stay] + wait[stay]
    if to_review.any():
        g_idx = idx[to_review]
        c.phase[g_idx] = 2
        c.step[g_idx] = 0
        graduate(g_idx, t[to_review], grade[to_review])


class _FSRSScheduler:
    def __init__(self, model: FSRSModel) -> None:
        self.model = model

    def show(self, c: _Cards, idx: np.ndarray, t: np.ndarray, grade: np.ndarray) -> None:
        m = self.model
        phase = c.phase[idx]
        new = phase == 0
        elapsed = np.floor(t) - np.floor(c.last[idx])  # whole days, as py-fsrs counts them
        s, d = m.review(c.s[idx], c.d[idx], elapsed, grade)
        s = np.where(new, m.init_stability(grade), s)
        d = np.where(new, m.init_difficulty(grade), d)
        c.s[idx], c.d[idx] = s, d

        def graduate(g_idx, g_t, _grade):
            c.due[g_idx] = np.floor(g_t) + m.interval(c.s[g_idx], c.knob[g_idx])

        learning = (phase == 0) | (phase == 1)
        if learning.any():
            c.phase[idx[learning & new]] = 1
            _step_transition(c, idx[learning], t[learning], grade[learning], LEARNING_STEPS, graduate)
        review = phase == 2
        if review.any():
            r_idx, r_t, r_g = idx[review], t[review], grade[review]
            lapse = r_g == 1
            c.phase[r_idx[lapse]] = 3
            c.step[r_idx[lapse]] = 0
            c.due[r_idx[lapse]] = r_t[lapse] + RELEARNING_STEPS[0]
            graduate(r_idx[~lapse], r_t[~lapse], r_g[~lapse])
        relearn = phase == 3
        if relearn.any():
            _step_transition(c, idx[relearn], t[relearn], grade[relearn], RELEARNING_STEPS, graduate)


class _SM2Scheduler:
    """Anki's SM-2 with its default options; the knob is Anki's interval modifier."""

    def show(self, c: _Cards, idx: np.ndarray, t: np.ndarray, grade: np.ndarray) -> None:
        phase = c.phase[idx]

        def graduate_new(g_idx, g_t, g_grade):
            c.ivl[g_idx] = np.where(g_grade == 4, SM2["easy"], SM2["graduating"])
            c.due[g_idx] = np.floor(g_t) + c.ivl[g_idx]

        def graduate_relearn(g_idx, g_t, g_grade):
            c.ivl[g_idx] = np.where(g_grade == 4, c.ivl[g_idx] + 1, c.ivl[g_idx])
            c.due[g_idx] = np.floor(g_t) + c.ivl[g_idx]

        learning = phase <= 1
        if learning.any():
            c.phase[idx[learning & (phase == 0)]] = 1
            _step_transition(c, idx[learning], t[learning], grade[learning], LEARNING_STEPS, graduate_new)
        review = phase == 2
        if review.any():
            r_idx, r_t, r_g = idx[review], t[review], grade[review]
            ivl, ease, mod = c.ivl[r_idx], c.ease[r_idx], c.knob[r_idx]
            delay = np.maximum(0, np.floor(r_t) - np.floor(c.last[r_idx]) - ivl)
            hard = np.maximum(ivl + 1, ivl * SM2["hard"] * mod)
            good = np.maximum(hard + 1, (ivl + delay / 2) * ease * mod)
            easy = np.maximum(good + 1, (ivl + delay) * ease * SM2["easy_bonus"] * mod)
            new_ivl = np.select([r_g == 2, r_g == 3, r_g == 4], [hard, good, easy], 1.0)
            new_ivl = np.clip(np.round(new_ivl), 1, 36500)
            c.ease[r_idx] = np.maximum(SM2["min_ease"], ease + np.select([r_g == 1, r_g == 2, r_g == 4], [-0.2, -0.15, 0.15], 0.0))
            c.ivl[r_idx] = new_ivl
            lapse = r_g == 1
            c.phase[r_idx[lapse]] = 3
            c.step[r_idx[lapse]] = 0
            c.due[r_idx[lapse]] = r_t[lapse] + RELEARNING_STEPS[0]
            c.due[r_idx[~lapse]] = np.floor(r_t[~lapse]) + new_ivl[~lapse]
        relearn = phase == 3
        if relearn.any():
            _step_transition(c, idx[relearn], t[relearn], grade[relearn], RELEARNING_STEPS, graduate_relearn)


class _LeitnerScheduler:
    """Five boxes, 1-2-4-8-16 days (times the knob); no same-day steps. ``ivl`` holds the box."""

    def show(self, c: _Cards, idx: np.ndarray, t: np.ndarray, grade: np.ndarray) -> None:
        first = c.phase[idx] == 0
        box = np.where(first | (grade == 1), 0, np.minimum(c.ivl[idx] + 1, len(LEITNER_BOXES) - 1)).astype(int)
        c.ivl[idx] = box
        c.phase[idx] = 2
        wait = np.maximum(1, np.round(np.asarray(LEITNER_BOXES)[box] * c.knob[idx]))
        c.due[idx] = np.floor(t) + wait


# --- running ---------------------------------------------------------------------------------------------


@dataclass
class _Totals:
    reviews: np.ndarray
    seconds: np.ndarray
    log: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None  # (card, time, grade) per round


def _run(c: _Cards, learner: _Learner, scheduler, days: range, new_per_day: int, totals: _Totals) -> None:
    n = c.n
    card_of = np.arange(n * c.variants) % n
    variant_of = np.arange(n * c.variants) // n
    for day in days:
        first, stop = day * new_per_day, min(n, (day + 1) * new_per_day)
        if first < stop:
            new = (np.arange(c.variants)[:, None] * n + np.arange(first, stop)[None, :]).ravel()
            c.due[new] = float(day)
        end = day + 1.0
        for _ in range(_MAX_ROUNDS):
            idx = np.nonzero(c.due < end)[0]
            if idx.size == 0:
                break
            t = np.maximum(c.due[idx], float(day))
            card = card_of[idx]
            k = c.shows[idx] % _DRAWS
            u_r, u_g = learner.u_recall[card, k], learner.u_grade[card, k]
            is_first = c.phase[idx] == 0
            p = learner.recall(c, idx, t)
            recalled = u_r < p
            grade = np.where(recalled, _grade_from(u_g, RECALL_GRADE_ODDS, 2), 1)
            grade = np.where(is_first, _grade_from(u_g, FIRST_GRADE_ODDS, 1), grade)
            in_review = c.phase[idx] == 2
            cost = np.where(is_first, COSTS["first"],
                            np.where(in_review, np.where(recalled, COSTS["recall"], COSTS["lapse"]), COSTS["step"]))
            v = variant_of[idx]
            totals.reviews += np.bincount(v, minlength=c.variants)
            totals.seconds += np.bincount(v, weights=cost, minlength=c.variants)
            if totals.log is not None:
                totals.log.append((card, t, grade))
            # the learner's memory changes with the showing, then the scheduler decides the next one
            if is_first.any():
                learner.first(c, idx[is_first], grade[is_first])
            later = ~is_first
            if later.any():
                learner.update(c, idx[later], t[later], p[later], grade[later])
            scheduler.show(c, idx, t, grade)
            c.last[idx] = t
            c.shows[idx] += 1
        else:  # a card still stepping after many rounds: tomorrow
            late = c.due < end
            c.due[late] = end


def _scheduler(name: str, model: FSRSModel | None = None):
    if name == "sm2":
        return _SM2Scheduler()
    if name == "leitner":
        return _LeitnerScheduler()
    return _FSRSScheduler(model or DEFAULT)


@dataclass(frozen=True)
class Outcome:
    reviews: int
    minutes: float
    memorized: float

    @property
    def reviews_per_memorized(self) -> float:
        return self.reviews / self.memorized if self.memorized > 0 else float("inf")

    def to_dict(self) -> dict[str, float | int]:
        return {"reviews": int(self.reviews), "minutes": round(self.minutes, 1),
                "memorized": round(self.memorized, 2),
                "reviews_per_memorized": round(self.reviews_per_memorized, 4)}


def _batch(name: str, knobs: Sequence[float], learner: _Learner, cards: int, days: int, new_per_day: int,
           model: FSRSModel | None = None, start: _Cards | None = None, start_day: int = 0,
           start_totals: tuple[float, float] = (0, 0)) -> list[Outcome]:
    knobs = np.asarray(knobs, dtype=float)
    v = knobs.size
    c = start.tiled(v, knobs) if start is not None else _Cards(cards, v, np.repeat(knobs, cards))
    totals = _Totals(np.full(v, start_totals[0], dtype=np.int64), np.full(v, float(start_totals[1])))
    _run(c, learner, _scheduler(name, model), range(start_day, days), new_per_day, totals)
    mem = learner.memorized(c, float(days))
    return [Outcome(int(totals.reviews[i]), float(totals.seconds[i]) / 60, float(mem[i])) for i in range(v)]


def _match(run: Callable[[Sequence[float]], list[Outcome]], lo: float, hi: float, target: float,
           log_scale: bool) -> tuple[float, Outcome]:
    """The knob in [lo, hi] whose memorized total is closest to ``target``: a grid, then a finer
    grid between the two grid points either side of the target."""
    def grid(a: float, b: float, n: int) -> np.ndarray:
        return np.exp(np.linspace(np.log(a), np.log(b), n)) if log_scale else np.linspace(a, b, n)

    best: tuple[float, Outcome] | None = None
    a, b = lo, hi
    for n in (12, 12):
        knobs = grid(a, b, n)
        outs = run(knobs)
        gaps = np.array([o.memorized - target for o in outs])
        i = int(np.argmin(np.abs(gaps)))
        if best is None or abs(gaps[i]) < abs(best[1].memorized - target):
            best = (float(knobs[i]), outs[i])
        if abs(gaps[i]) <= 0.002 * max(target, 1e-9):
            break
        # the neighbours on each side of the closest
        a, b = float(knobs[max(0, i - 1)]), float(knobs[min(n - 1, i + 1)])
    assert best is not None
    return best


@dataclass
class SimulationResult:
    days: int
    cards: int
    retention: float
    learner: str
    seed: int
    new_per_day: int
    outcomes: dict[str, Outcome]
    knobs: dict[str, dict[str, float | bool | str]]
    fit: dict[str, object]

    def to_dict(self) -> dict[str, object]:
        return {
            "days": self.days, "cards": self.cards, "retention": self.retention, "learner": self.learner,
            "seed": self.seed, "new_per_day": self.new_per_day,
            "schedulers": {name: self.outcomes[name].to_dict() for name in SCHEDULERS},
            "matching": self.knobs,
            "fit": self.fit,
        }


def simulate(days: int = 365, cards: int = 1000, retention: float = 0.9, seed: int = 0, learner: str = "fsrs",
             new_per_day: int = 20, progress: Callable[[str, float], None] | None = None,
             fit: Callable[..., object] | None = None) -> SimulationResult:
    """Run the comparison (see the module's doc). ``progress(stage, fraction)`` is told as it goes."""
    if not isinstance(days, int) or not 1 <= days <= 3650:
        raise SimulationError(f"--days must be a whole number from 1 to 3650, not {days!r}")
    if not isinstance(cards, int) or not 1 <= cards <= 100_000:
        raise SimulationError(f"--cards must be a whole number from 1 to 100000, not {cards!r}")
    if not isinstance(retention, (int, float)) or not 0.7 <= retention <= 0.99:
        raise SimulationError(f"--retention must be a number from 0.7 to 0.99, not {retention!r}")
    if learner not in LEARNERS:
        raise SimulationError(f"--learner must be one of {', '.join(LEARNERS)}, not {learner!r}")
    say = progress or (lambda stage, frac: None)
    lrn = _make_learner(learner, cards, seed)

    say("FSRS (default parameters)", 0.0)
    ref = _batch("fsrs", [retention], lrn, cards, days, new_per_day)[0]
    target = ref.memorized
    outcomes: dict[str, Outcome] = {"fsrs": ref}
    knobs: dict[str, dict[str, float | bool | str]] = {"reference": {"scheduler": "fsrs", "memorized": round(target, 2)}}

    def record(name: str, knob_name: str, knob: float, out: Outcome, default_out: Outcome | None = None) -> None:
        outcomes[name] = out
        gap = (out.memorized - target) / target if target else 0.0
        entry: dict[str, float | bool | str] = {"knob": knob_name, "value": round(knob, 4),
                                                "memorized_gap": round(gap, 4), "matched": abs(gap) <= 0.01}
        if default_out is not None:
            entry["unmatched_reviews_per_memorized"] = round(default_out.reviews_per_memorized, 4)
        knobs[name] = entry

    # fitted FSRS: default FSRS for a first period, fit on its reviews, then fitted parameters
    say("FSRS fitted to the learner", 0.2)
    fit_days = max(1, days // 3)
    first = _Cards(cards, 1, np.array([retention] * cards))
    totals = _Totals(np.zeros(1, dtype=np.int64), np.zeros(1), log=[])
    _run(first, lrn, _scheduler("fsrs"), range(0, fit_days), new_per_day, totals)
    fit_info: dict[str, object] = {"days": fit_days, "reviews": int(totals.reviews[0])}
    fitted_model = None
    if fit is None:
        from nqpf_tutor.core.learning.optimize import fit_log as fit
    try:
        result = fit(*_log_arrays(totals.log), seed=seed)
    except Exception as e:  # noqa: BLE001 - too few reviews, or the optimizer failed: say so
        result = None
        fit_info["note"] = str(e)
    if result is not None:
        fitted_model = FSRSModel(result)
        fit_info["parameters"] = [round(x, 4) for x in result]
    fit_info["fitted"] = fitted_model is not None
    start_totals = (int(totals.reviews[0]), float(totals.seconds[0]))
    if fitted_model is not None:
        _refit_state(first, fitted_model, totals.log)

    def run_fitted(ks):
        return _batch("fsrs_fitted", ks, lrn, cards, days, new_per_day, model=fitted_model or DEFAULT,
                      start=first, start_day=fit_days, start_totals=start_totals)

    if fit_days >= days:
        out = run_fitted([retention])[0]
        record("fsrs_fitted", "desired_retention", retention, out)
    else:
        knob, out = _match(run_fitted, 0.70, 0.99, target, log_scale=False)
        record("fsrs_fitted", "desired_retention", knob, out)

    say("SM-2 (Anki defaults)", 0.5)
    sm2_default = _batch("sm2", [1.0], lrn, cards, days, new_per_day)[0]
    knob, out = _match(lambda ks: _batch("sm2", ks, lrn, cards, days, new_per_day), 0.1, 5.0, target, True)
    record("sm2", "interval_modifier", knob, out, sm2_default)

    say("Leitner (5 boxes)", 0.75)
    lt_default = _batch("leitner", [1.0], lrn, cards, days, new_per_day)[0]
    knob, out = _match(lambda ks: _batch("leitner", ks, lrn, cards, days, new_per_day), 0.1, 8.0, target, True)
    record("leitner", "interval_scale", knob, out, lt_default)
    say("done", 1.0)
    return SimulationResult(days, cards, float(retention), learner, seed, new_per_day, outcomes, knobs, fit_info)


def _log_arrays(log) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not log:
        return np.zeros(0, dtype=int), np.zeros(0), np.zeros(0, dtype=int)
    return (np.concatenate([x[0] for x in log]), np.concatenate([x[1] for x in log]),
            np.concatenate([x[2] for x in log]))


def _refit_state(c: _Cards, model: FSRSModel, log) -> None:
    """Recompute the scheduler's memory estimate of every card from its history with ``model``,
    and the review cards' due days from it (as Anki does after optimizing)."""
    card, t, grade = _log_arrays(log)
    order = np.lexsort((t, card))
    card, t, grade = card[order], t[order], grade[order]
    s = np.ones(c.n)
    d = np.full(c.n, 5.0)
    last = np.zeros(c.n)
    seen = np.zeros(c.n, dtype=bool)
    # replay the k-th review of every card together
    starts = np.r_[0, np.nonzero(np.diff(card))[0] + 1]
    counts = np.diff(np.r_[starts, card.size])
    for k in range(int(counts.max()) if counts.size else 0):
        has = counts > k
        pos = starts[has] + k
        cid, tk, gk = card[pos], t[pos], grade[pos]
        first = ~seen[cid]
        s_next, d_next = model.review(s[cid], d[cid], np.floor(tk) - np.floor(last[cid]), gk)
        s[cid] = np.where(first, model.init_stability(gk), s_next)
        d[cid] = np.where(first, model.init_difficulty(gk), d_next)
        last[cid] = tk
        seen[cid] = True
    c.s[:], c.d[:] = s, d
    review = c.phase == 2
    c.due[review] = np.floor(c.last[review]) + model.interval(c.s[review], c.knob[review])


LABELS = {"fsrs": "FSRS", "fsrs_fitted": "FSRS fitted", "sm2": "SM-2", "leitner": "Leitner"}


def saving(better: Outcome, than: Outcome) -> float:
    """The share of reviews per memorized card that ``better`` saves over ``than`` (negative: more)."""
    return 1 - better.reviews_per_memorized / than.reviews_per_memorized


def describe(share: float) -> str:
    """A saving as words: "5.6% fewer" or "3.1% more"."""
    return f"{abs(share):.1%} {'fewer' if share >= 0 else 'more'}"


def chart(result: SimulationResult, width: int = 70, height: int = 12) -> str:
    """Reviews per memorized card as a bar chart in the terminal (plotext), without colours."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    names = [LABELS[n] for n in SCHEDULERS]
    plt.bar(names, [result.outcomes[n].reviews_per_memorized for n in SCHEDULERS], width=0.4)
    plt.title("Reviews per memorized card (lower is better)")
    from nqpf_tutor.core.text import clean

    text = clean(plt.build())  # plotext ends lines with colour codes even in its "clear" theme
    plt.clear_figure()
    return "\n".join(line.rstrip() for line in text.splitlines())


def format_text(result: SimulationResult, chart_too: bool = True, chart: bool | None = None) -> str:
    o = result.outcomes
    lines = [
        f"{result.cards} cards, {result.new_per_day} new a day, {result.days} days, retention {result.retention:g}, "
        f"learner model: {result.learner}, seed {result.seed}",
        "",
        f"{'Scheduler':<13}{'Reviews':>9}{'Minutes':>10}{'Memorized':>11}{'Rev/mem':>9}  knob (matched knowledge)",
    ]
    for name in SCHEDULERS:
        k = result.knobs.get(name, {})
        knob = "reference" if name == "fsrs" else f"{k.get('knob')} {k.get('value')}" + ("" if k.get("matched") else " (NOT matched)")
        lines.append(f"{LABELS[name]:<13}{o[name].reviews:>9}{o[name].minutes:>10.0f}{o[name].memorized:>11.1f}"
                     f"{o[name].reviews_per_memorized:>9.2f}  {knob}")
    lines += [
        "",
        "Reviews per memorized card, at matched knowledge:",
        f"  FSRS: {describe(saving(o['fsrs'], o['sm2']))} than SM-2; fitted FSRS: "
        f"{describe(saving(o['fsrs_fitted'], o['sm2']))} than SM-2",
        f"  FSRS: {describe(saving(o['fsrs'], o['leitner']))} than Leitner; SM-2: "
        f"{describe(saving(o['sm2'], o['leitner']))} than Leitner",
    ]
    if not result.fit.get("fitted"):
        lines.append(f"Fitted FSRS used the defaults: {result.fit.get('note', 'no fit')}")
    draw = chart_too if chart is None else chart
    if draw:
        lines += ["", globals()["chart"](result)]
    return "\n".join(lines)
