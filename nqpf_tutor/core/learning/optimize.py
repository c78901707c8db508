"""FSRS parameters fitted to one learner's review log, as Anki's "Optimize" does.

The fitting is done by the FSRS project's own optimizer in Rust, ``fsrs-rs-python`` (the code
Anki itself runs), not by code of ours. Why that one: its wheel is about 0.6 MB and it fits
10,000 reviews in a second or two; py-fsrs' ``Optimizer`` needs ``fsrs[optimizer]``, which pulls
in PyTorch (hundreds of MB to download, seconds just to import). Both fit the same FSRS-6 model.

- The log becomes FSRS items as fsrs-rs expects: per card, the answers in order with the whole
  study days since the previous one (0 for the same day); every answer on a later day than the
  card's previous one is one item to predict.
- Cards are split by a hash of their id: four fifths to fit, one fifth held out. The held-out
  items are predicted with the parameters in use and with the new ones (log loss, and RMSE over
  bins as fsrs-rs reports it); the new parameters are kept only if their log loss is lower.
- Below ``MIN_ITEMS`` items the optimizer is not run: the result says how many more reviews
  (answers on a later day) are needed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from nqpf_tutor.core.learning.fsrs_model import DEFAULT
from nqpf_tutor.errors import NqpfError

#: Items (answers on a later day than the card's previous answer) needed before fitting.
#: Anki asks for a few hundred reviews before it optimizes; fewer over-fit.
MIN_ITEMS = 400


class OptimizerMissing(NqpfError):
    """The optimizer package is not installed."""


def _fsrs_rs():
    try:
        import fsrs_rs_python
    except ImportError:
        raise OptimizerMissing(
            "the FSRS optimizer is not installed: pip install fsrs-rs-python (or reinstall nqpf-tutor)"
        ) from None
    return fsrs_rs_python


# --- items ---------------------------------------------------------------------------------------


History = Sequence[tuple[int, int]]  # (study day number, grade 1-4), oldest first


def items_from_histories(histories: Iterable[History]):
    """fsrs-rs items: for each answer on a later day than the card's previous one, the card's
    history up to and including it."""
    rs = _fsrs_rs()
    items = []
    for history in histories:
        reviews = []
        prev = None
        for day, grade in history:
            delta = 0 if prev is None else int(day - prev)
            reviews.append(rs.FSRSReview(int(grade), max(0, delta)))
            prev = day
            if len(reviews) > 1 and delta > 0:
                items.append(rs.FSRSItem(list(reviews)))
    return items


def count_items(histories: Iterable[History]) -> int:
    """How many items ``items_from_histories`` would make (without building them)."""
    n = 0
    for history in histories:
        days = [d for d, _ in history]
        n += sum(1 for a, b in zip(days, days[1:]) if b > a)
    return n


def held_out(key: str) -> bool:
    """One card in five, chosen by a hash of its id, is held out of the fitting."""
    return hashlib.sha256(key.encode()).digest()[0] % 5 == 0


@dataclass(frozen=True)
class Evaluation:
    log_loss: float
    rmse: float


def evaluate(parameters: Sequence[float], items) -> Evaluation:
    rs = _fsrs_rs()
    ev = rs.FSRS(list(parameters)).evaluate(items)
    return Evaluation(float(ev.log_loss), float(ev.rmse_bins))


def fit_items(items, seed: int = 2023) -> list[float]:
    """Parameters fitted to ``items`` by fsrs-rs (starting from the defaults)."""
    rs = _fsrs_rs()
    config = rs.TrainingConfig(seed=int(seed) % (2**31))
    params = rs.FSRS(list(DEFAULT.parameters)).compute_parameters(items, training_config=config)
    return [float(x) for x in params]


def fit_log(card: np.ndarray, t: np.ndarray, grade: np.ndarray, seed: int = 0) -> list[float]:
    """Fit to a simulated log (card index, time in days, grade): used by the simulation."""
    order = np.lexsort((t, card))
    card, day, grade = card[order], np.floor(t[order]).astype(int), grade[order]
    histories: dict[int, list[tuple[int, int]]] = {}
    for c, d, g in zip(card.tolist(), day.tolist(), grade.tolist()):
        histories.setdefault(c, []).append((d, g))
    n = count_items(histories.values())
    if n < MIN_ITEMS:
        raise ValueError(f"too few reviews to fit ({n} of {MIN_ITEMS} needed)")
    return fit_items(items_from_histories(histories.values()), seed=seed)


# --- a profile's log ---------------------------------------------------------------------------


def histories_from_log(entries, day_of: Callable[[datetime], Any]) -> dict[str, list[tuple[int, int]]]:
    """Per card uid, (study day number, grade) of every answer that counts, oldest first."""
    out: dict[str, list[tuple[int, int]]] = {}
    for e in entries:
        if e.grade is None:
            continue
        day = day_of(e.ts).toordinal()
        out.setdefault(f"{e.deck_id}/{e.card_id}", []).append((day, int(e.grade)))
    return out


@dataclass
class OptimizeResult:
    status: str  # "kept" (new parameters saved), "not_better", "too_few"
    reviews: int  # answers in the log
    items: int  # answers on a later day (what the optimizer learns from)
    needed: int  # more such answers needed (0 when enough)
    parameters_before: list[float]
    parameters_after: list[float] | None = None
    before: Evaluation | None = None
    after: Evaluation | None = None
    train_items: int = 0
    test_items: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d

    def message(self) -> str:
        if self.status == "too_few":
            return (f"Not enough reviews to fit yet: {self.items} answers on a later day than the card's "
                    f"previous one; {self.needed} more needed ({MIN_ITEMS} in all).")
        assert self.before is not None and self.after is not None
        change = f"held-out log loss {self.before.log_loss:.4f} -> {self.after.log_loss:.4f}, " \
                 f"RMSE {self.before.rmse:.4f} -> {self.after.rmse:.4f}"
        if self.status == "kept":
            return f"New parameters kept: they predict better ({change})."
        return f"Parameters unchanged: the fitted ones do not predict better ({change})."


def stored_parameters(store) -> list[float] | None:
    """The profile's fitted parameters, or None (the defaults are in use)."""
    from nqpf_tutor.core.learning.profile import fitted_parameters

    params = fitted_parameters(store)
    return None if params is None else list(params)


def optimize_profile(store, day_of: Callable[[datetime], Any], *, save: bool = True,
                     progress: Callable[[str, float], None] | None = None,
                     now: datetime | None = None) -> OptimizeResult:
    """Fit the profile's parameters; keep them (in the store) only if they predict better."""
    import time

    say = progress or (lambda stage, frac: None)
    started = time.perf_counter()
    say("Reading the review log", 0.05)
    entries = store.reviews()
    histories = histories_from_log(entries, day_of)
    current = stored_parameters(store) or list(DEFAULT.parameters)
    n_items = count_items(histories.values())
    result = OptimizeResult("too_few", len(entries), n_items, max(0, MIN_ITEMS - n_items), current)
    if n_items < MIN_ITEMS:
        return result
    train_h = [h for k, h in histories.items() if not held_out(k)]
    test_h = [h for k, h in histories.items() if held_out(k)]
    train, test = items_from_histories(train_h), items_from_histories(test_h)
    if not test or not train:  # every card on one side of the split: hold out by position instead
        all_items = items_from_histories(histories.values())
        test, train = all_items[::5], [x for i, x in enumerate(all_items) if i % 5]
    result.train_items, result.test_items = len(train), len(test)
    say(f"Fitting to {len(train)} reviews", 0.2)
    fitted = fit_items(train)
    say("Checking on held-out reviews", 0.85)
    result.parameters_after = fitted
    result.before = evaluate(current, test)
    result.after = evaluate(fitted, test)
    better = result.after.log_loss < result.before.log_loss
    result.status = "kept" if better else "not_better"
    result.seconds = time.perf_counter() - started
    if better and save:
        from nqpf_tutor.core.learning.profile import save_fitted
        from nqpf_tutor.core.scheduler import ts, utc_now

        save_fitted(store, {
            "parameters": fitted, "fitted_at": ts(now or utc_now()), "reviews": len(entries),
            "log_loss": result.after.log_loss, "rmse": result.after.rmse,
            "log_loss_before": result.before.log_loss, "rmse_before": result.before.rmse,
        })
    say("done", 1.0)
    return result


def format_parameters(params: Sequence[float]) -> str:
    return " ".join(f"{x:.4g}" for x in params)


__all__ = ["MIN_ITEMS", "OptimizeResult", "OptimizerMissing", "optimize_profile", "stored_parameters",
           "fit_items", "fit_log", "evaluate", "items_from_histories"]
