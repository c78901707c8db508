"""The optimizer (fsrs-rs) recovers known parameters from reviews made with them, predicts held-out
reviews better than the defaults, and a profile keeps fitted parameters only when they are better."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from nqpf_tutor.cli import main
from nqpf_tutor.core.learning import simulate as sim
from nqpf_tutor.core.learning.fsrs_model import DEFAULT, FSRSModel
from nqpf_tutor.core.learning.optimize import (
    MIN_ITEMS, count_items, evaluate, fit_items, items_from_histories, optimize_profile,
)
from nqpf_tutor.core.learning.profile import fitted_parameters
from nqpf_tutor.core.scheduler import CardState
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.store import Store

TRUE = DEFAULT.w.copy()
TRUE[0:4] = [1.0, 3.0, 8.0, 20.0]  # far from the defaults (0.21, 1.29, 2.31, 8.30)
TRUE[8] = 1.5


def histories_made_with(params, cards=600, days=200, seed=5):
    """Reviews of a simulated learner whose memory follows FSRS with ``params``."""
    learner = sim._make_learner("fsrs", cards, seed)
    learner.model = FSRSModel(params)
    state = sim._Cards(cards, 1, np.full(cards, 0.9))
    totals = sim._Totals(np.zeros(1, dtype=np.int64), np.zeros(1), log=[])
    sim._run(state, learner, sim._scheduler("fsrs"), range(days), 20, totals)
    card, t, grade = sim._log_arrays(totals.log)
    order = np.lexsort((t, card))
    out: dict[int, list[tuple[float, int]]] = {}
    for c, ti, g in zip(card[order].tolist(), t[order].tolist(), grade[order].tolist()):
        out.setdefault(c, []).append((ti, g))
    return out


@pytest.fixture(scope="module")
def made():
    return histories_made_with(TRUE)


def as_days(hist):
    return [[(int(np.floor(t)), g) for t, g in h] for h in hist]


def test_fitting_recovers_the_parameters_that_made_the_reviews(made):
    train = as_days([h for c, h in made.items() if c % 5])
    test = as_days([h for c, h in made.items() if c % 5 == 0])
    fitted = np.array(fit_items(items_from_histories(train)))
    held_out = items_from_histories(test)
    # closer to the truth than the defaults are: the initial stabilities, in log terms
    dist_fit = np.abs(np.log(fitted[0:4] / TRUE[0:4])).sum()
    dist_default = np.abs(np.log(DEFAULT.w[0:4] / TRUE[0:4])).sum()
    assert dist_fit < dist_default / 2
    # and it predicts held-out reviews better than the defaults
    assert evaluate(fitted, held_out).log_loss < evaluate(DEFAULT.parameters, held_out).log_loss
    assert evaluate(fitted, held_out).rmse < evaluate(DEFAULT.parameters, held_out).rmse


def fill_store(store, histories, start=datetime(2026, 1, 1, 9, tzinfo=timezone.utc)):
    with store.transaction():
        for c, hist in histories.items():
            before = None
            for t, g in hist:
                when = start + timedelta(days=t)
                after = CardState("deck", f"c{c}", reps=(before.reps + 1) if before else 1, stability=1.0,
                                  difficulty=5.0, state=2, last_review=when, due=when + timedelta(days=1))
                store.log_answer(before, after, g, "study", 8000, when)
                store.put(after)
                before = after


def day_of(dt):
    return dt.date()


def test_too_few_reviews_says_how_many_more(tmp_path):
    with Store.open(tmp_path / "p.sqlite3") as store:
        fill_store(store, {1: [(0.0, 3), (2.0, 3), (9.0, 3)], 2: [(0.0, 1), (0.01, 3), (1.0, 3)]})
        result = optimize_profile(store, day_of)
        assert result.status == "too_few"
        assert result.items == 3 and result.needed == MIN_ITEMS - 3
        assert f"{MIN_ITEMS - 3} more needed" in result.message()
        assert fitted_parameters(store) is None


def test_profile_keeps_better_parameters_and_study_uses_them(tmp_path, made):
    with Store.open(tmp_path / "p.sqlite3") as store:
        fill_store(store, made)
        stages = []
        result = optimize_profile(store, day_of, progress=lambda s, f: stages.append(f))
        assert result.status == "kept", result.message()
        assert result.after.log_loss < result.before.log_loss
        assert stages[0] < stages[-1] == 1.0
        kept = fitted_parameters(store)
        assert kept is not None and kept != tuple(DEFAULT.parameters)
        assert kept == pytest.approx(result.parameters_after, abs=1e-9)
        session = StudySession([], store)
        assert session.scheduler.fsrs.parameters == pytest.approx(kept)
        # a second run starts from the fitted parameters: not better again, so nothing changes
        again = optimize_profile(store, day_of)
        assert again.parameters_before == pytest.approx(list(kept))
        if again.status == "not_better":
            assert fitted_parameters(store) == kept
    with Store.open(tmp_path / "p.sqlite3", profile="other") as store:
        assert fitted_parameters(store) is None  # per profile


def test_optimize_command(tmp_path, capsys, made):
    from nqpf_tutor.locations import Locations

    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    with Store.open(loc) as store:
        fill_store(store, {c: h for c, h in made.items() if c < 4})
    assert main(["--data-dir", str(tmp_path / "data"), "optimize"]) == 0
    out = capsys.readouterr().out
    assert "more needed" in out and "Parameters in use (FSRS defaults)" in out
    with Store.open(loc) as store:
        fill_store(store, {c: h for c, h in made.items() if c >= 4})
    assert main(["--data-dir", str(tmp_path / "data"), "optimize", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] in ("kept", "not_better")
    assert data["before"]["log_loss"] > 0 and data["after"]["log_loss"] > 0
    assert len(data["parameters_in_use"]) == 21
    assert main(["--data-dir", str(tmp_path / "data"), "optimize", "--reset"]) == 0
    assert "defaults" in capsys.readouterr().out
    with Store.open(loc) as store:
        assert fitted_parameters(store) is None


def test_count_items_counts_answers_on_a_later_day():
    assert count_items([[(0, 3), (0, 3), (2, 3), (2, 1), (5, 3)]]) == 2
    assert len(items_from_histories([[(0, 3), (0, 3), (2, 3), (2, 1), (5, 3)]])) == 2
