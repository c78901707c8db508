"""The FSRS formulas over numpy agree with py-fsrs; the simulation is deterministic and keeps its JSON contract."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from fsrs import Card, Rating, Scheduler, State

from nqpf_tutor.cli import main
from nqpf_tutor.core.learning.fsrs_model import DEFAULT, FSRSModel
from nqpf_tutor.core.learning.simulate import SCHEDULERS, SimulationError, simulate


def test_numpy_fsrs_agrees_with_py_fsrs_on_random_reviews():
    """Random grades at random gaps: stability, difficulty and the interval match py-fsrs."""
    rng = random.Random(7)
    sched = Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())
    model = DEFAULT
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    checked = 0
    for _ in range(60):
        card = Card()
        t = t0
        s = d = None
        last = None
        for _ in range(8):
            grade = rng.randint(1, 4)
            card, _log = sched.review_card(card, Rating(grade), review_datetime=t)
            if s is None:
                s, d = float(model.init_stability(grade)), float(model.init_difficulty(grade))
            else:
                s, d = (float(x) for x in model.review(s, d, (t - last).days, grade))
            assert card.stability == pytest.approx(s, rel=1e-9)
            assert card.difficulty == pytest.approx(d, rel=1e-9)
            assert (card.due - t).days == int(model.interval(s, 0.9))
            last = t
            t = t + timedelta(days=rng.choice([0, 1, 2, 5, 13, 40]), hours=rng.randint(0, 5))
            checked += 1
    assert checked == 480


def test_numpy_fsrs_retrievability_matches_py_fsrs():
    sched = Scheduler(enable_fuzzing=False)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    card = Card(state=State.Review, stability=7.3, difficulty=5.0, last_review=t0, due=t0)
    for days in (0, 1, 3, 10, 100):
        want = sched.get_card_retrievability(card, t0 + timedelta(days=days))
        assert float(DEFAULT.retrievability(days, 7.3)) == pytest.approx(want, rel=1e-12)


def test_model_rejects_a_wrong_number_of_parameters():
    with pytest.raises(ValueError, match="21 parameters"):
        FSRSModel([1.0] * 19)


def test_simulation_is_deterministic_for_a_seed_and_differs_across_seeds():
    a = simulate(days=40, cards=120, seed=3, learner="other").to_dict()
    b = simulate(days=40, cards=120, seed=3, learner="other").to_dict()
    c = simulate(days=40, cards=120, seed=4, learner="other").to_dict()
    assert a == b
    assert a["schedulers"] != c["schedulers"]


def test_simulation_counts_every_showing_and_memorized_is_bounded():
    r = simulate(days=30, cards=100, seed=1)
    for name in SCHEDULERS:
        o = r.outcomes[name]
        assert 0 < o.memorized <= 100
        # every card is shown at least once (its first showing), and SM-2/FSRS add learning steps
        assert o.reviews >= 100
    assert r.outcomes["fsrs"].reviews > 100 * 1.5  # learning steps are counted
    # matched knowledge: each other scheduler within 1% of FSRS's memorized total
    ref = r.outcomes["fsrs"].memorized
    for name in ("sm2", "leitner", "fsrs_fitted"):
        assert r.knobs[name]["matched"] is True
        assert abs(r.outcomes[name].memorized - ref) <= 0.01 * ref


@pytest.mark.parametrize("kwargs, match", [
    ({"days": 0}, "--days"), ({"cards": -1}, "--cards"), ({"retention": 1.5}, "--retention"),
    ({"learner": "ebbinghaus"}, "--learner"),
])
def test_simulation_rejects_bad_arguments(kwargs, match):
    with pytest.raises(SimulationError, match=match):
        simulate(**kwargs)


def test_simulate_json_contract(capsys, tmp_path):
    code = main(["--data-dir", str(tmp_path), "simulate", "--days", "30", "--cards", "60", "--seed", "2",
                 "--learner", "other", "--retention", "0.85", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["days"] == 30 and out["cards"] == 60 and out["retention"] == 0.85 and out["learner"] == "other"
    assert set(out["schedulers"]) == {"fsrs", "fsrs_fitted", "sm2", "leitner"}
    for figures in out["schedulers"].values():
        assert set(figures) == {"reviews", "minutes", "memorized", "reviews_per_memorized"}
        assert isinstance(figures["reviews"], int)
        for key in ("minutes", "memorized", "reviews_per_memorized"):
            assert isinstance(figures[key], float)
        assert figures["reviews_per_memorized"] == pytest.approx(figures["reviews"] / figures["memorized"], rel=1e-2)


def test_simulate_text_has_a_table_and_a_chart_without_escape_codes(capsys, tmp_path):
    assert main(["--data-dir", str(tmp_path), "simulate", "--days", "20", "--cards", "40"]) == 0
    out = capsys.readouterr().out
    assert "Reviews per memorized card" in out and "SM-2" in out and "Leitner" in out
    assert "\x1b" not in out


@pytest.mark.parametrize("argv, message", [
    (["--days", "ten"], "--days must be a whole number"),
    (["--retention", "high"], "--retention must be a number"),
    (["--cards", "0"], "--cards must be"),
    (["--learner", "ebbinghaus"], "--learner must be one of fsrs, other"),
])
def test_simulate_bad_input_is_one_line(capsys, tmp_path, argv, message):
    assert main(["--data-dir", str(tmp_path), "simulate", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
