"""``nqpf-tutor results [DRILL] [--out FILE] [--json]``: past drills, and one drill's results.

Without DRILL: a table of the profile's drills and live games (with their class, when any has
one; ``"class"`` in the JSON, null for none). With DRILL (its id, or the start of it when
that is unambiguous): per-student scores, the questions most missed and every answer;
``--out FILE`` writes the answers as CSV to FILE and everything as JSON beside it.
"""

from __future__ import annotations

import sys
from typing import Any

from nqpf_tutor.core.text import json_text, one_line

from nqpf_tutor.errors import NqpfError

STUDENTS_WIDTH = 30
CLASS_WIDTH = 16


def _plain(text: Any) -> str:
    """User and deck text as one line (``core.text.one_line``: no escape codes, no control,
    bidi or zero-width characters)."""
    return one_line(text)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt is not None else "-"


def _num(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        out = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)]
        return "  ".join(out).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _find(store, wanted: str):
    """The drill with this id, or the only one whose id starts with it."""
    from nqpf_tutor.core.drill import DrillError, load_drill

    if store.drill(wanted) is not None:
        return load_drill(store, wanted)
    matches = [d.id for d in store.drills() if wanted and d.id.startswith(wanted)]
    if len(matches) == 1:
        return load_drill(store, matches[0])
    if len(matches) > 1:
        raise DrillError(f"drill '{_plain(wanted)}' is ambiguous: {len(matches)} drills start with it")
    raise DrillError(f"no drill '{_plain(wanted)}' (nqpf-tutor results lists them)")


def _students(record, summary) -> str:
    """The students column: a live game's turns are everyone's."""
    if record.config.get("turns") == "everyone" and not summary["students"]:
        return "everyone (live game)"
    return _clip(", ".join(_plain(n) for n in summary["students"]), STUDENTS_WIDTH)


def _list(store, as_json: bool) -> int:
    from nqpf_tutor.core.drill import DrillRecord

    rows_ = store.drills()
    records = [DrillRecord(d.id, d.started, d.finished, d.seed, d.config) for d in rows_]
    summaries = []
    for d, r in zip(rows_, records):
        s = r.summary()
        s["answers"] = d.answers  # counted in the database; the answers themselves are not read
        if r.config.get("turns") == "everyone":
            s["live"] = True  # a live game: everyone answered every question
        s["class"] = _class_of(d.class_name, r.config)
        s.pop("right", None)
        summaries.append(s)
    if as_json:
        print(json_text({"drills": summaries}))
        return 0
    if not summaries:
        print("No drills yet. Start one with: nqpf-tutor drill")
        return 0
    rows = [
        [s["id"], _when(r.started), _students(r, s),
         str(s["questions"]), str(s["answers"]), "cut short" if s["cut_short"] else "finished"]
        for s, r in zip(summaries, records)
    ]
    header, right = ["drill", "started (UTC)", "students", "questions", "answers", "status"], {3, 4}
    if any(s["class"] for s in summaries):  # a class column once any drill or live game has one
        header.insert(2, "class")
        right = {4, 5}
        for row, s in zip(rows, summaries):
            row.insert(2, _clip(_plain(s["class"] or "-"), CLASS_WIDTH))
    for line in _table(header, rows, right):
        print(line)
    print(f"{len(rows)} drill{'s' * (len(rows) != 1)}; show one with: nqpf-tutor results DRILL")
    return 0


def _class_of(column: str | None, config: dict) -> str | None:
    """The class a drill or live game was run with: the drill row's, else its config's."""
    name = column or config.get("class_name")
    return name if isinstance(name, str) and name else None


def _show(record) -> None:
    cfg = record.config
    status = "finished" if not record.cut_short else f"cut short ({len(record.answers)} of {record.questions} answered)"
    kind = "Live game" if cfg.get("turns") == "everyone" else "Drill"
    if kind == "Live game" and record.cut_short:  # many answers a question: count the questions
        asked = len({a.question_id for a in record.answers})
        status = f"cut short ({asked} of {record.questions} questions asked)"
    print(f"{kind} {record.id}  started {_when(record.started)} UTC  {status}")
    timer = f"{_num(cfg['seconds'])} s per question" if cfg.get("seconds") else "no timer"
    onoff = {True: "on", False: "off"}
    extra = f", second round of {record.config['second_round_of']}" if cfg.get("second_round_of") else ""
    if cfg.get("class_name"):
        extra += f", class {_plain(cfg['class_name'])}"
    print(f"seed {record.seed}, {timer}, speed bonus {onoff[bool(cfg.get('speed_bonus'))]}, "
          f"streaks {onoff[bool(cfg.get('streaks'))]}{extra}")
    print()
    rows = [[str(s.rank), _plain(s.student), _num(s.points), str(s.right), str(s.answered)]
            for s in record.leaderboard()]
    for line in _table(["rank", "student", "points", "right", "answered"], rows, {0, 2, 3, 4}):
        print(line)
    from nqpf_tutor.core.drill import missed_counts

    missed = missed_counts(record.answers)
    if missed:
        print()
        print("Most missed:")
        for qid, prompt, m, n in missed[:5]:
            print(f"  {m} of {n}  {_plain(qid)}  {_clip(_plain(prompt), 70)}")
    print()
    if not record.answers:
        print("No answers saved.")
        return
    print("Answers:")
    for a in record.answers:
        verdict = "right" if a.correct else ("time out" if a.timed_out else "wrong")
        print(f"  {a.seq:>3}. {_plain(a.student)}  {verdict}  {_num(a.seconds)} s  {_num(a.points)} pt  {_plain(a.question_id)}")
        print(f"       {_plain(a.prompt)}")
        chosen = _plain(a.chosen) if a.chosen else "(no answer)"
        print(f"       chosen: {chosen}  |  right answer: {_plain(a.right_answer)}")


def run(args, loc) -> int:
    from nqpf_tutor.core.drill import write_results
    from nqpf_tutor.core.store import Store

    if args.out and not args.drill_id:
        raise NqpfError("results --out needs a drill id: nqpf-tutor results DRILL --out FILE")
    with Store.open(loc, profile=args.profile or "default") as store:
        if store.notice:
            print(f"nqpf-tutor: {store.notice}", file=sys.stderr)
        if not args.drill_id:
            return _list(store, args.json)
        record = _find(store, args.drill_id)
    if args.out:
        csv_path, json_path = write_results(record, args.out, force=bool(getattr(args, "force", False)))
        names = f"{csv_path} and {json_path}" if json_path is not None else str(csv_path)
        print(f"wrote {names}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        data = record.to_dict()
        data["drill"]["class"] = _class_of(None, record.config)
        print(json_text(data))
    else:
        _show(record)
    return 0
