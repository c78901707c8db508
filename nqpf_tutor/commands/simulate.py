"""``nqpf-tutor simulate [--days D] [--cards N] [--retention R] [--seed S] [--learner fsrs|other] [--json]``."""

from __future__ import annotations

import json
import sys

from nqpf_tutor.errors import NqpfError


def _int(name: str, text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise NqpfError(f"{name} must be a whole number, not {text!r}") from None


def _progress(stage: str, fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%} {stage:<40}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)


def run(args, loc) -> int:
    from nqpf_tutor.core.learning.simulate import SimulationError, format_text, simulate

    days, cards, seed = _int("--days", args.days), _int("--cards", args.cards), _int("--seed", args.seed)
    try:
        retention = float(args.retention)
    except ValueError:
        raise NqpfError(f"--retention must be a number from 0.7 to 0.99, not {args.retention!r}") from None
    try:
        result = simulate(days=days, cards=cards, retention=retention, seed=seed, learner=args.learner,
                          progress=None if args.json else _progress)
    except SimulationError as e:
        raise NqpfError(str(e)) from None
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_text(result, chart=True))
    return 0
