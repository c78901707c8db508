"""``nqpf-tutor optimize [--json] [--reset]``: fit FSRS parameters to this profile's review log."""

from __future__ import annotations

import json
import sys


def _progress(stage: str, fraction: float) -> None:
    if sys.stderr.isatty():  # a terminal: one line that updates; a pipe or file gets only the result
        print(f"\r{fraction:4.0%} {stage:<40}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)


def run(args, loc) -> int:
    from nqpf_tutor.core.learning.optimize import format_parameters, optimize_profile
    from nqpf_tutor.core.learning.profile import clear_fitted, fitted_record
    from nqpf_tutor.core.scheduler import Scheduler
    from nqpf_tutor.core.settings import load_settings
    from nqpf_tutor.core.store import Store

    settings = load_settings(loc.settings_path)
    with Store.open(loc, profile=args.profile or "default") as store:
        if store.notice:
            print(f"nqpf-tutor: {store.notice}", file=sys.stderr)
        if args.reset:
            clear_fitted(store)
            print("FSRS parameters: back to the defaults.")
            return 0
        result = optimize_profile(store, Scheduler(settings).study_day, progress=None if args.json else _progress)
        record = fitted_record(store)
    if args.json:
        out = result.to_dict()
        out["message"] = result.message()
        out["parameters_in_use"] = list(record["parameters"]) if record else out["parameters_before"]
        out["fitted_in_use"] = record is not None
        print(json.dumps(out, indent=2))
        return 0
    print(result.message())
    if result.status != "too_few":
        print(f"Fitted on {result.train_items} reviews, checked on {result.test_items} held out, "
              f"in {result.seconds:.1f} s.")
    which = "fitted to your reviews" if record else "FSRS defaults"
    params = record["parameters"] if record else result.parameters_before
    print(f"Parameters in use ({which}): {format_parameters(params)}")
    return 0
