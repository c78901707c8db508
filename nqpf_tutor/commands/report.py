"""``nqpf-tutor report [--class NAME] [--since DATE] [--roster FILE] [--json] [--out FILE.csv]
[--drill [--hardest N]]``: a class across its drills (and live games).

Per student: drills taken, answers, accuracy, trend; per question: times asked, share right,
discrimination, the wrong option chosen most; per tag: the class's accuracy. ``--out`` writes
the report as CSV (formula-safe cells); ``--drill`` starts a drill of the hardest questions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nqpf_tutor.errors import NqpfError

PROMPT_WIDTH = 44


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        out = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)]
        return "  ".join(out).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _disc(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


def report_lines(report) -> list[str]:
    """The report as text lines (deck and student text cleaned to one line each)."""
    from nqpf_tutor.core.classroom.report import percent, signed_points
    from nqpf_tutor.core.text import one_line as p

    who = f"class {p(report.class_name)}" if report.class_name else "every class"
    since = f" since {report.since.date().isoformat()}" if report.since else ""
    n = len(report.drills)
    out = [f"Class report: {who}{since}: {n} drill{'s' * (n != 1)}, {report.answers} answers, "
           f"{percent(report.accuracy)} right"]
    if report.drills:
        first, last = report.drills[0].started, report.drills[-1].started
        out.append(f"drills from {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC)")
    if not report.answers:
        out.append("")
        out.append("No answers yet. Run a drill or a live game: nqpf-tutor drill (or live) --class NAME")
        if not report.students:
            return out
    out += ["", "Students"]
    rows = [[p(s.name), str(s.drills), str(s.answers), str(s.right), percent(s.accuracy), signed_points(s.trend)]
            for s in report.students]
    out += ["  " + line for line in _table(["student", "drills", "answers", "right", "accuracy", "trend (% pts)"], rows,
                                            {1, 2, 3, 4, 5})]
    if report.questions:
        group = (f"top vs bottom 27%: {report.group_size} student{'s' * (report.group_size != 1)} each"
                 if report.group_size else "needs 2 or more students")
        out += ["", f"Questions (hardest first; discrimination {group})"]
        rows = []
        for q in report.questions:
            wrong = q.most_chosen_wrong
            rows.append([p(q.question_id), _clip(p(q.prompt), PROMPT_WIDTH), str(q.asked), str(q.right),
                         percent(q.share_right), _disc(q.discrimination),
                         f"{_clip(p(wrong[0]), 30)} ({wrong[1]})" if wrong else "-"])
        out += ["  " + line for line in _table(
            ["question", "prompt", "asked", "right", "right %", "discr.", "most chosen wrong"], rows, {2, 3, 4, 5})]
    if report.tags:
        out += ["", "Tags"]
        rows = [[p(t.tag), str(t.questions), str(t.answers), str(t.right), percent(t.accuracy)] for t in report.tags]
        out += ["  " + line for line in _table(["tag", "questions", "answers", "right", "accuracy"], rows, {1, 2, 3, 4})]
    hard = report.hardest(10)
    if hard:
        out += ["", f"Drill the {len(hard)} hardest again: nqpf-tutor drill --from-report"
                + (f" --class {_quote(report.class_name)}" if report.class_name else "")]
    return out


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def build(args, loc):
    """The report for the command's options (``ReportError``/``RosterError``: one line)."""
    from nqpf_tutor.core.classroom.report import parse_since, report_from_store
    from nqpf_tutor.core.classroom.roster import load_roster
    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.core.store import Store

    since = parse_since(args.since)
    roster = load_roster(args.roster) if getattr(args, "roster", None) else None
    catalog = load_catalog(loc)
    for w in catalog.warnings:
        print(f"nqpf-tutor: warning: {w}", file=sys.stderr)
    tags_of = {c.uid: c.tags for c in catalog.all_cards()}
    with Store.open(loc, profile=args.profile or "default") as store:
        if store.notice:
            print(f"nqpf-tutor: {store.notice}", file=sys.stderr)
        report = report_from_store(store, class_name=args.class_name, since=since, classes_dir=loc.classes_dir,
                                   roster=roster, tags_of=tags_of)
    return report, catalog


def run(args, loc) -> int:
    if args.hardest < 1:
        raise NqpfError("--hardest must be at least 1")
    report, catalog = build(args, loc)
    if args.out:
        from nqpf_tutor.files import write_output

        write_output(args.out, report.csv(), force=bool(getattr(args, "force", False)))
        print(f"wrote {args.out}", file=sys.stderr)
    if args.drill:
        return _drill(args, loc, report, catalog)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in report_lines(report):
            print(line)
    return 0


def _drill(args, loc, report, catalog) -> int:
    """Start the app on a drill of the hardest questions (the same as ``drill --from-report``)."""
    from nqpf_tutor.commands.app import launch

    cards = {c.uid for c in catalog.all_cards()}
    ids = [q.question_id for q in report.hardest(len(report.questions)) if q.question_id in cards][: args.hardest]
    if not ids:
        raise NqpfError("no missed questions in the report: nothing to drill again")
    args.deck, args.tag, args.n, args.seed = [], [], len(ids), None
    options = {"n": len(ids), "seconds": 20, "seed": None, "students": [], "speed_bonus": False, "streaks": False,
               "leaderboard": True, "out": None, "class_name": report.class_name, "question_ids": ids}
    return launch(args, loc, "drill", drill_options=options)
