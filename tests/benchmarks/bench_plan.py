"""Exam plan, optimizer and simulation: speed, and how much work each scheduler takes.

Run: python tests/benchmarks/bench_plan.py [--quick]
Prints each figure as ``name: value unit``.

Targets (issue 15): simulate 1,000 cards x 365 days within 10 s; plan for the bundled decks within
1 s; optimize on 10,000 reviews within 30 s.

Savings: reviews per memorized card at retention 0.9, matched knowledge (see
``core/learning/simulate.py``), seeds 0, 1, 2, mean and spread (min..max) over the seeds. A
positive saving means fewer reviews per memorized card than the scheduler compared with.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from nqpf_tutor.core.learning import simulate as sim
from nqpf_tutor.core.learning.optimize import optimize_profile
from nqpf_tutor.core.learning.plan import plan_for
from nqpf_tutor.core.loader import load_catalog
from nqpf_tutor.core.scheduler import CardState
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store
from nqpf_tutor.locations import Locations

SEEDS = (0, 1, 2)


def say(name: str, value: float, unit: str) -> None:
    print(f"{name}: {value:.3f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}", flush=True)


def bench_plan() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        loc = Locations.resolve(data_dir=Path(tmp), environ={})
        catalog = load_catalog(loc, use_cache=False)
        cards = catalog.all_cards()
        with Store.open(loc) as store:
            now = datetime.now(timezone.utc)
            exam = (now + timedelta(days=60)).date()
            start = time.perf_counter()
            plan = plan_for(store, cards, Settings(), now, exam)
            took = time.perf_counter() - start
    say("plan_bundled_decks_cards", len(cards), "cards")
    say("plan_bundled_decks_60_days", took, "s")
    say("plan_predicted_recall", plan.plan.recall, "share")


def bench_optimize(target_reviews: int = 10_000) -> None:
    learner = sim._make_learner("fsrs", 1200, 11)
    state = sim._Cards(1200, 1, np.full(1200, 0.9))
    totals = sim._Totals(np.zeros(1, dtype=np.int64), np.zeros(1), log=[])
    sim._run(state, learner, sim._scheduler("fsrs"), range(400), 20, totals)
    card, t, grade = sim._log_arrays(totals.log)
    order = np.argsort(t, kind="stable")[:target_reviews]
    start_day = datetime(2025, 1, 1, 9, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "p.sqlite3") as store:
            with store.transaction():
                for c, ti, g in zip(card[order].tolist(), t[order].tolist(), grade[order].tolist()):
                    when = start_day + timedelta(days=ti)
                    after = CardState("bench", f"c{c}", state=2, stability=1.0, difficulty=5.0, reps=1,
                                      last_review=when, due=when)
                    store.log_answer(None, after, g, "study", 8000, when)
            start, cpu = time.perf_counter(), time.process_time()
            result = optimize_profile(store, lambda dt: dt.date(), save=False)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
    say("optimize_reviews", result.reviews, "reviews")
    say("optimize_seconds", took, "s")
    say("optimize_cpu_seconds", cpu, "s")
    if result.before and result.after:
        say("optimize_heldout_logloss_defaults", result.before.log_loss, "")
        say("optimize_heldout_logloss_fitted", result.after.log_loss, "")
        say("optimize_heldout_rmse_defaults", result.before.rmse, "")
        say("optimize_heldout_rmse_fitted", result.after.rmse, "")


def bench_simulate(quick: bool) -> None:
    days, cards = (120, 300) if quick else (365, 1000)
    runs: dict[str, list] = {"fsrs": [], "other": []}
    for learner in ("fsrs", "other"):
        for seed in SEEDS:
            start, cpu = time.perf_counter(), time.process_time()
            r = sim.simulate(days=days, cards=cards, retention=0.9, seed=seed, learner=learner)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            say(f"simulate_{cards}x{days}_{learner}_seed{seed}", took, "s")
            say(f"simulate_{cards}x{days}_{learner}_seed{seed}_cpu", cpu, "s")
            runs[learner].append(r)
            for name in sim.SCHEDULERS:
                o = r.outcomes[name]
                k = r.knobs.get(name, {})
                matched = "" if name == "fsrs" else f" ({k.get('knob')}={k.get('value')}, matched={k.get('matched')})"
                print(f"  {learner} seed {seed} {name}: reviews {o.reviews}, memorized {o.memorized:.1f}, "
                      f"reviews/memorized {o.reviews_per_memorized:.3f}{matched}", flush=True)

    def report(name: str, learner: str, a: str, b: str, unmatched: bool = False) -> None:
        values = []
        for r in runs[learner]:
            if unmatched:
                base = r.knobs[b]["unmatched_reviews_per_memorized"]
                values.append(1 - r.outcomes[a].reviews_per_memorized / base)
            else:
                values.append(sim.saving(r.outcomes[a], r.outcomes[b]))
        mean = statistics.mean(values)
        print(f"{name}: {mean:.1%} mean (min {min(values):.1%}, max {max(values):.1%}, "
              f"seeds {', '.join(f'{v:.1%}' for v in values)})", flush=True)

    print("# savings in reviews per memorized card at retention 0.9 (positive: fewer than the second)")
    report("saving_fsrs_vs_sm2_fsrs_learner", "fsrs", "fsrs", "sm2")
    report("saving_fsrs_fitted_vs_sm2_fsrs_learner", "fsrs", "fsrs_fitted", "sm2")
    report("saving_fsrs_vs_sm2_other_learner", "other", "fsrs", "sm2")
    report("saving_fsrs_fitted_vs_sm2_other_learner", "other", "fsrs_fitted", "sm2")
    report("saving_fsrs_vs_leitner_fsrs_learner", "fsrs", "fsrs", "leitner")
    report("saving_fsrs_fitted_vs_leitner_other_learner", "other", "fsrs_fitted", "leitner")
    report("saving_sm2_vs_leitner_fsrs_learner", "fsrs", "sm2", "leitner")
    report("saving_sm2_vs_leitner_other_learner", "other", "sm2", "leitner")
    print("# against Leitner at its default 1-2-4-8-16 days (NOT matched: Leitner then knows more)")
    report("saving_fsrs_vs_leitner_default_fsrs_learner", "fsrs", "fsrs", "leitner", unmatched=True)
    report("saving_fsrs_fitted_vs_leitner_default_other_learner", "other", "fsrs_fitted", "leitner", unmatched=True)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    bench_plan()
    bench_optimize()
    bench_simulate(quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
