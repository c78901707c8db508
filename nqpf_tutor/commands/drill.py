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
    options = {
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
    if getattr(args, "class_name", None):  # --class: kept with the results
        options["class_name"] = args.class_name
    return options


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
    config = DrillConfig(  # DrillError (one line) for a bad -n, --seconds, --student or --class
        n=options["n"], seconds=options["seconds"], seed=options["seed"],
        students=tuple(options["students"]) or DrillConfig().students,
        speed_bonus=options["speed_bonus"], streaks=options["streaks"], leaderboard=options["leaderboard"],
        class_name=options.get("class_name"),
    )
    if config.class_name:
        options["class_name"] = config.class_name
    _check_out(options["out"], options["force"])
    catalog = load_catalog(loc)
    cards = select_cards(catalog, list(args.deck or []), list(args.tag or []))
    if getattr(args, "from_report", False):
        ids = hardest_question_ids(args, loc, catalog, args.n)
        options["question_ids"] = ids
        cards = [c for c in cards if c.uid in set(ids)]
    if not cards:
        raise NqpfError("no cards in the chosen decks and tags")
    build_questions(cards, config.n, 0)  # no multiple-choice or true/false question: one line now
    return launch(args, loc, "drill", drill_options=options)


def hardest_question_ids(args, loc, catalog, k: int) -> list[str]:
    """The ids of the ``k`` questions the class (``--class``; every drill without it) finds
    hardest, from its report, that the loaded decks still have; one line when there are none."""
    from nqpf_tutor.core.classroom.report import report_from_store
    from nqpf_tutor.core.store import Store

    cards = {c.uid: c for c in catalog.all_cards()}
    with Store.open(loc, profile=args.profile or "default") as store:
        report = report_from_store(store, class_name=getattr(args, "class_name", None), classes_dir=loc.classes_dir,
                                   since=None)
    ids = [q.question_id for q in report.hardest(len(report.questions)) if q.question_id in cards][:k]
    if not ids:
        who = f"class {args.class_name!r}" if getattr(args, "class_name", None) else "the class"
        raise NqpfError(f"no missed questions in the report of {who}: nothing to drill again")
    return ids
