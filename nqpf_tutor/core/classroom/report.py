"""The class report: a class across its drills and live games (stored as drills).

``build_report`` reads saved drills and answers (``Store.drills()``, ``Store.all_drill_answers()``)
and gives, for the drills chosen (a class, since a date):

- per student (the same person across drills when the names match ignoring case and spacing, or
  through the class roster's nicknames; named by the roster, else by the spelling used for most
  answers, the latest on a tie): drills taken, answers, right, accuracy (right / answers),
  and the trend: accuracy in the student's latest drill minus their accuracy over the drills
  before it (None with fewer than two drills);
- per question: times asked, times right, the share right (difficulty: 1.0 = everyone right),
  discrimination (top vs bottom 27%: students ranked by total score, the number of right answers,
  then accuracy, then name; the top and bottom ``max(1, round(0.27 * N))`` students; the share of
  the top group's answers to the question that were right minus the bottom group's; None with
  fewer than two students or when a group never answered it), and the wrong option chosen most
  (ties: the one chosen first; time-outs are not a choice);
- per topic tag (the cards' tags in the loaded decks): answers, right, the class's accuracy.

``hardest(k)``: the questions the class finds hardest (lowest share right, then most asked),
to drill again. Nothing here draws, reads files or knows Textual.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

from nqpf_tutor.core.classroom.roster import Roster, name_key
from nqpf_tutor.core.scheduler import ts
from nqpf_tutor.core.text import one_line
from nqpf_tutor.core.text import safe_cell as text_safe_cell
from nqpf_tutor.errors import NqpfError

#: The share of students in each of the top and bottom groups for discrimination.
GROUP_SHARE = 0.27
#: Columns of the report CSV: one row per student, question and tag (``section`` says which).
CSV_COLUMNS = (
    "section", "name", "prompt", "drills", "answers", "right", "accuracy", "trend",
    "discrimination", "most_chosen_wrong", "most_chosen_wrong_count",
)


class ReportError(NqpfError):
    """The report cannot be made (an unknown class, a bad date): one line."""


def parse_since(text: str | None) -> datetime | None:
    """``YYYY-MM-DD`` -> that day's start (UTC); ``ReportError`` for anything else."""
    if text is None:
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise ReportError(f"--since {one_line(text)!r}: give a date as YYYY-MM-DD") from None
    return day.replace(tzinfo=timezone.utc)


def _rate(right: int, total: int) -> float | None:
    return round(right / total, 4) if total else None


@dataclass
class StudentRow:
    name: str
    drills: int = 0
    answers: int = 0
    right: int = 0
    points: float = 0.0
    #: (drill id, started, answers, right) per drill taken, oldest first.
    per_drill: list[tuple[str, datetime | None, int, int]] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return _rate(self.right, self.answers)

    @property
    def trend(self) -> float | None:
        """Accuracy in the latest drill minus accuracy over the earlier ones (None: under 2 drills)."""
        if len(self.per_drill) < 2:
            return None
        *earlier, last = self.per_drill
        before_n = sum(d[2] for d in earlier)
        before_r = sum(d[3] for d in earlier)
        if not before_n or not last[2]:
            return None
        return round(last[3] / last[2] - before_r / before_n, 4)

    def to_dict(self) -> dict[str, Any]:
        return {
            "student": self.name, "drills": self.drills, "answers": self.answers, "right": self.right,
            "accuracy": self.accuracy, "trend": self.trend, "points": round(self.points, 2),
            "per_drill": [
                {"drill_id": d, "started": ts(s) if s else None, "answers": n, "right": r, "accuracy": _rate(r, n)}
                for d, s, n, r in self.per_drill
            ],
        }


@dataclass
class QuestionRow:
    question_id: str
    prompt: str
    right_answer: str
    asked: int = 0
    right: int = 0
    timed_out: int = 0
    discrimination: float | None = None
    wrong_choices: dict[str, int] = field(default_factory=dict)  # chosen text -> times, in first-chosen order
    tags: tuple[str, ...] = ()

    @property
    def share_right(self) -> float | None:
        return _rate(self.right, self.asked)

    @property
    def most_chosen_wrong(self) -> tuple[str, int] | None:
        if not self.wrong_choices:
            return None
        best = max(self.wrong_choices.values())
        return next((c, n) for c, n in self.wrong_choices.items() if n == best)

    def to_dict(self) -> dict[str, Any]:
        wrong = self.most_chosen_wrong
        return {
            "question_id": self.question_id, "prompt": self.prompt, "right_answer": self.right_answer,
            "asked": self.asked, "right": self.right, "timed_out": self.timed_out, "share_right": self.share_right,
            "discrimination": self.discrimination,
            "most_chosen_wrong": None if wrong is None else {"option": wrong[0], "times": wrong[1]},
            "tags": list(self.tags),
        }


@dataclass
class TagRow:
    tag: str
    questions: int = 0
    answers: int = 0
    right: int = 0

    @property
    def accuracy(self) -> float | None:
        return _rate(self.right, self.answers)

    def to_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "questions": self.questions, "answers": self.answers, "right": self.right,
                "accuracy": self.accuracy}


@dataclass
class Report:
    class_name: str | None
    since: datetime | None
    drills: list[Any]  # the DrillRows taken into account, oldest first
    students: list[StudentRow]
    questions: list[QuestionRow]  # hardest first
    tags: list[TagRow]
    group_size: int = 0  # students in each of the top and bottom groups

    @property
    def answers(self) -> int:
        return sum(s.answers for s in self.students)

    @property
    def right(self) -> int:
        return sum(s.right for s in self.students)

    @property
    def accuracy(self) -> float | None:
        return _rate(self.right, self.answers)

    def hardest(self, k: int = 10) -> list[QuestionRow]:
        """Up to ``k`` questions the class got wrong at least once, hardest first."""
        return [q for q in self.questions if q.asked and q.right < q.asked][: max(0, k)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "since": ts(self.since) if self.since else None,
            "drills": [{"id": d.id, "started": ts(d.started) if d.started else None, "class": d.class_name,
                        "answers": d.answers, "finished": d.finished is not None} for d in self.drills],
            "answers": self.answers, "right": self.right, "accuracy": self.accuracy,
            "group_size": self.group_size,
            "students": [s.to_dict() for s in self.students],
            "questions": [q.to_dict() for q in self.questions],
            "tags": [t.to_dict() for t in self.tags],
        }

    def csv(self, cell: Callable[[Any], Any] | None = None) -> str:
        """The report as one CSV table (``CSV_COLUMNS``): student rows, then question rows (name =
        question id), then tag rows. Text cells go through ``cell`` (formula-safe by default)."""
        cell = cell or safe_cell
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for s in self.students:
            w.writerow([cell(v) for v in ("student", s.name, "", s.drills, s.answers, s.right,
                                          _blank(s.accuracy), _blank(s.trend), "", "", "")])
        for q in self.questions:
            wrong = q.most_chosen_wrong
            w.writerow([cell(v) for v in ("question", q.question_id, q.prompt, "", q.asked, q.right,
                                          _blank(q.share_right), "", _blank(q.discrimination),
                                          wrong[0] if wrong else "", wrong[1] if wrong else "")])
        for t in self.tags:
            w.writerow([cell(v) for v in ("tag", t.tag, "", "", t.answers, t.right, _blank(t.accuracy), "", "", "", "")])
        return buf.getvalue()


def _blank(x: float | None) -> Any:
    return "" if x is None else x


def safe_cell(value: Any) -> Any:
    """A report's CSV cell: booleans as ``true``/``false``, text on one line, then the shared
    formula-safe cell of ``core.text`` (``=1+1`` is written ``'=1+1``; numbers stay numbers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return text_safe_cell(one_line(value) if isinstance(value, str) else value)


# --- building the report --------------------------------------------------------------------------


def _matches_class(drill: Any, class_name: str | None) -> bool:
    return class_name is None or name_key(drill.class_name or "") == name_key(class_name)


def build_report(
    drills: Sequence[Any],
    answers: Iterable[Mapping[str, Any]],
    *,
    class_name: str | None = None,
    since: datetime | None = None,
    rosters: Mapping[str, Roster] | None = None,
    roster: Roster | None = None,
    tags_of: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    """The report of the ``drills`` (``DrillRow``s) of ``class_name`` (any class: None) started at or
    after ``since``, from their ``answers`` (``Store.all_drill_answers()`` rows).

    ``rosters``: ``name_key(class) -> Roster`` (each drill's answers use its class's roster);
    ``roster``: one roster for every drill (``--roster``). ``tags_of``: question id -> the card's tags.
    """
    rosters = rosters or {}
    tags_of = tags_of or {}
    chosen = [d for d in drills if _matches_class(d, class_name) and (since is None or (d.started and d.started >= since))]
    chosen.sort(key=lambda d: (d.started or datetime.min.replace(tzinfo=timezone.utc)))
    by_id = {d.id: d for d in chosen}
    order = {d.id: i for i, d in enumerate(chosen)}

    students: dict[str, StudentRow] = {}
    questions: dict[str, QuestionRow] = {}
    kept: list[tuple[str, Mapping[str, Any]]] = []  # (student key, answer)
    if roster is not None:
        for name in roster.names:
            students.setdefault(name_key(name), StudentRow(name))
    elif class_name is not None and name_key(class_name) in rosters:
        for name in rosters[name_key(class_name)].names:
            students.setdefault(name_key(name), StudentRow(name))

    rostered = set(students)  # named by a roster: the roster's spelling
    spellings: dict[str, dict[str, tuple[int, int]]] = {}  # key -> spelling -> (answers, last seen)
    rows = sorted((a for a in answers if a["drill_id"] in by_id), key=lambda a: (order[a["drill_id"]], a["seq"]))
    for a in rows:
        drill = by_id[a["drill_id"]]
        r = roster or rosters.get(name_key(drill.class_name or ""))
        raw = one_line(a["student"])
        canonical = r.canonical(raw) if r is not None else None
        name = canonical or raw
        key = name_key(name)
        s = students.setdefault(key, StudentRow(name))
        if canonical is None and key not in rostered:
            seen = spellings.setdefault(key, {})
            seen[raw] = (seen.get(raw, (0, 0))[0] + 1, len(kept))
        correct = bool(a["correct"])
        s.answers += 1
        s.right += int(correct)
        s.points += float(a.get("points") or 0)
        if not s.per_drill or s.per_drill[-1][0] != drill.id:
            s.per_drill.append((drill.id, drill.started, 0, 0))
        d_id, d_started, n, k = s.per_drill[-1]
        s.per_drill[-1] = (d_id, d_started, n + 1, k + int(correct))
        qid = a["question_id"]
        q = questions.get(qid)
        if q is None:
            q = questions[qid] = QuestionRow(qid, one_line(a["prompt"]), one_line(a["right_answer"]),
                                             tags=tuple(tags_of.get(qid, ())))
        q.prompt, q.right_answer = one_line(a["prompt"]), one_line(a["right_answer"])
        q.asked += 1
        q.right += int(correct)
        if a.get("timed_out"):
            q.timed_out += 1
        chosen_text = one_line(a.get("chosen") or "")
        if not correct and chosen_text:
            q.wrong_choices[chosen_text] = q.wrong_choices.get(chosen_text, 0) + 1
        kept.append((key, a))
    for key, seen in spellings.items():  # the spelling used most (ties: the latest) names the student
        students[key].name = max(seen, key=lambda sp: seen[sp])
    for s in students.values():
        s.drills = len(s.per_drill)

    # discrimination: top vs bottom 27% of the students who answered, by total score
    ranked = sorted((s for s in students.values() if s.answers),
                    key=lambda s: (-s.right, -(s.accuracy or 0), s.name.casefold(), s.name))
    group = max(1, round(GROUP_SHARE * len(ranked))) if len(ranked) >= 2 else 0
    if group:
        top = {name_key(s.name) for s in ranked[:group]}
        bottom = {name_key(s.name) for s in ranked[-group:]}
        tally: dict[str, list[int]] = {}  # qid -> [top asked, top right, bottom asked, bottom right]
        for key, a in kept:
            t = tally.setdefault(a["question_id"], [0, 0, 0, 0])
            if key in top:
                t[0] += 1
                t[1] += int(bool(a["correct"]))
            if key in bottom:
                t[2] += 1
                t[3] += int(bool(a["correct"]))
        for qid, (ta, tr, ba, br) in tally.items():
            if ta and ba:
                questions[qid].discrimination = round(tr / ta - br / ba, 4)

    tags: dict[str, TagRow] = {}
    for q in questions.values():
        for tag in q.tags:
            t = tags.setdefault(tag, TagRow(tag))
            t.questions += 1
            t.answers += q.asked
            t.right += q.right

    student_rows = sorted(students.values(), key=lambda s: (s.name.casefold(), s.name))
    question_rows = sorted(questions.values(), key=lambda q: (q.share_right if q.share_right is not None else 2,
                                                              -q.asked, q.question_id))
    tag_rows = sorted(tags.values(), key=lambda t: t.tag)
    return Report(class_name, since, chosen, student_rows, question_rows, tag_rows, group)


def class_names(drills: Iterable[Any]) -> list[str]:
    """The classes drills were run with, each once (first spelling), sorted."""
    seen: dict[str, str] = {}
    for d in drills:
        if d.class_name:
            seen.setdefault(name_key(d.class_name), d.class_name)
    return sorted(seen.values(), key=str.casefold)


def report_from_store(
    store: Any, *, class_name: str | None = None, since: datetime | None = None, classes_dir: Any = None,
    roster: Roster | None = None, tags_of: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    """The report from a store: ``ReportError`` when ``class_name`` has no drill at all. Rosters
    are read from ``classes_dir`` for the classes concerned (``RosterError`` in one line)."""
    from nqpf_tutor.core.classroom.roster import class_rosters

    drills = store.drills()
    names = class_names(drills)
    if class_name is not None and name_key(class_name) not in {name_key(n) for n in names}:
        known = ", ".join(names) if names else "none yet (drill or live --class NAME)"
        raise ReportError(f"no drills of class {one_line(class_name)!r} (classes: {known})")
    wanted = [n for n in names if class_name is None or name_key(n) == name_key(class_name)]
    rosters = class_rosters(classes_dir, wanted) if classes_dir is not None and roster is None else {}
    return build_report(drills, store.all_drill_answers(since), class_name=class_name, since=since,
                        rosters=rosters, roster=roster, tags_of=tags_of)


def percent(x: float | None) -> str:
    return "-" if x is None else f"{round(x * 100):d}%"


def signed_points(x: float | None) -> str:
    """A trend as signed percentage points: ``+25``, ``-10``, ``0``; ``-`` for none."""
    if x is None:
        return "-"
    v = round(x * 100)
    return f"+{v}" if v > 0 else str(v)


__all__ = [
    "CSV_COLUMNS", "GROUP_SHARE", "QuestionRow", "Report", "ReportError", "StudentRow", "TagRow", "build_report",
    "class_names", "parse_since", "percent", "report_from_store", "safe_cell", "signed_points",
]
