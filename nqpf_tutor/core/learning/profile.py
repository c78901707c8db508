"""What a profile keeps for learning over time: its fitted FSRS parameters and its exam plan.

Both live in the store (``Store.profile_value``), per profile, as JSON. This module is light
(no numpy): a study session reads both when it starts.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

PARAMETERS_KEY = "fsrs_parameters"
PLAN_KEY = "exam_plan"


def _clamped(params: list[float]) -> list[float]:
    """Within py-fsrs' bounds (fsrs-rs's are the same or narrower; this only guards rounding)."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return [min(max(p, lo), hi) for p, lo, hi in zip(params, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)]


def fitted_record(store) -> dict[str, Any] | None:
    """The stored record of fitted parameters (``parameters``, ``fitted_at``, errors), or None."""
    text = store.profile_value(PARAMETERS_KEY)
    if not text:
        return None
    try:
        data = json.loads(text)
        params = [float(x) for x in data["parameters"]]
    except (ValueError, KeyError, TypeError):
        return None
    if len(params) != 21 or not all(math.isfinite(p) for p in params):
        return None
    data["parameters"] = _clamped(params)
    return data


def fitted_parameters(store) -> tuple[float, ...] | None:
    """The profile's fitted FSRS parameters, or None when the defaults are in use."""
    record = fitted_record(store)
    return None if record is None else tuple(record["parameters"])


def save_fitted(store, record: dict[str, Any]) -> None:
    record = dict(record, parameters=_clamped([float(x) for x in record["parameters"]]))
    store.set_profile_value(PARAMETERS_KEY, json.dumps(record))


def clear_fitted(store) -> None:
    store.set_profile_value(PARAMETERS_KEY, None)


@dataclass(frozen=True)
class PlanSpec:
    """An exam plan as kept per profile: what to know, by when, and the pace set for it."""

    exam: date
    deck_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    retention: float = 0.9
    set_on: date | None = None
    new_at_start: int = 0  # cards still new when the plan was set
    lead_days: int = 13  # a card introduced this many days before the exam gets two reviews first
    pace: int = 0  # new cards a day when the plan was set
    extra: dict[str, Any] = field(default_factory=dict)

    def selects(self, card) -> bool:
        if self.deck_ids and card.deck_id not in self.deck_ids:
            return False
        return not self.tags or any(t in card.tags for t in self.tags)

    def to_json(self) -> str:
        d = asdict(self)
        d["exam"] = self.exam.isoformat()
        d["set_on"] = self.set_on.isoformat() if self.set_on else None
        d["deck_ids"], d["tags"] = list(self.deck_ids), list(self.tags)
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> "PlanSpec":
        d = json.loads(text)
        return cls(
            exam=date.fromisoformat(d["exam"]), deck_ids=tuple(d.get("deck_ids") or ()),
            tags=tuple(d.get("tags") or ()), retention=float(d.get("retention", 0.9)),
            set_on=date.fromisoformat(d["set_on"]) if d.get("set_on") else None,
            new_at_start=int(d.get("new_at_start", 0)), lead_days=int(d.get("lead_days", 13)),
            pace=int(d.get("pace", 0)), extra=dict(d.get("extra") or {}),
        )


def load_plan(store) -> PlanSpec | None:
    text = store.profile_value(PLAN_KEY)
    if not text:
        return None
    try:
        return PlanSpec.from_json(text)
    except (ValueError, KeyError, TypeError):
        return None


def save_plan(store, spec: PlanSpec | None) -> None:
    store.set_profile_value(PLAN_KEY, None if spec is None else spec.to_json())


def exam_new_limit(spec: PlanSpec, new_left: int, introduced_today: int, today: date) -> int:
    """Exam mode: new cards allowed today so that every card is in by ``lead_days`` before the
    exam (then each has time for two reviews): the cards left, spread over the days left for
    introducing them (all today when there are none)."""
    last_day = date.fromordinal(spec.exam.toordinal() - spec.lead_days)
    days = (last_day - today).days + 1
    total = new_left + introduced_today
    if days <= 1:
        return total
    return -(-total // days)


def parameters_line(store) -> str:
    """One line: which FSRS parameters are in use for this profile."""
    record = fitted_record(store)
    if record is None:
        return "FSRS parameters: the defaults (not fitted to your reviews yet)"
    when = str(record.get("fitted_at") or "")[:10]
    loss, base = record.get("log_loss"), record.get("log_loss_before")
    errors = f"; held-out log loss {base:.3f} -> {loss:.3f}" if isinstance(loss, float) and isinstance(base, float) else ""
    return f"FSRS parameters: fitted to your reviews on {when} ({record.get('reviews', '?')} answers{errors})"
