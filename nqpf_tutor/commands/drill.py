"""``nqpf-tutor drill [--deck ...] [--tag ...] [-n N] [--seconds S] [--seed S] [--student NAME ...]
[--out FILE] [--speed-bonus] [--streaks] [--no-leaderboard]``: the app, straight into a drill.

Everything that can be checked before the terminal is taken over is checked here (the options,
the ``--out`` file's folder, whether the chosen cards give any question), each problem one line.
"""

from __future__ import annotations

from pathlib import Path

from nqpf_tutor.errors import NqpfError


def drill_options(args) -> dict:
    """The options the app's drill screen reads (``app.drill_options``)."""
    out = getattr(args, "out", None)
    return {
        "n": args.n,
        "seconds": args.seconds,
        "seed": args.seed,
        "students": list(args.student or []),
        "speed_bonus": bool(args.speed_bonus),
        "streaks": bool(args.streaks),
        "leaderboard": not args.no_leaderboard,
        "out": str(Path(out).expanduser().absolute()) if out else None,
        "force": bool(getattr(args, "force", False)),
    }


def _check_out(out: str | None, force: bool = False) -> None:
    """The CSV and the JSON beside it: a folder, a missing folder, or (without ``--force``)
    files that would be replaced are one line now, before the drill."""
    if not out:
        return
    from nqpf_tutor.core.drill import json_path_for
    from nqpf_tutor.files import check_outputs

    from nqpf_tutor.files import is_special

    check_outputs([out] if is_special(out) else [out, json_path_for(out)], force=force)


def run(args, loc) -> int:
    from nqpf_tutor.commands.app import launch
    from nqpf_tutor.core.drill import DrillConfig, build_questions
    from nqpf_tutor.core.loader import load_catalog, select_cards

    options = drill_options(args)
    config = DrillConfig(  # DrillError (one line) for a bad -n, --seconds or --student
        n=options["n"], seconds=options["seconds"], seed=options["seed"],
        students=tuple(options["students"]) or DrillConfig().students,
        speed_bonus=options["speed_bonus"], streaks=options["streaks"], leaderboard=options["leaderboard"],
    )
    _check_out(options["out"], options["force"])
    catalog = load_catalog(loc)
    cards = select_cards(catalog, list(args.deck or []), list(args.tag or []))
    if not cards:
        raise NqpfError("no cards in the chosen decks and tags")
    build_questions(cards, config.n, 0)  # no multiple-choice or true/false question: one line now
    return launch(args, loc, "drill", drill_options=options)
