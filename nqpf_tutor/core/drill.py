"""Classroom drills: timed multiple-choice and true/false questions, taken in turns, scored.

Headless and clock-injectable: a screen (or a test) drives a ``Drill`` with
``start_question()``, ``remaining()``, ``answer(i)`` / ``expire()`` and reads ``scores()``,
``leaderboard()``, ``most_missed()``. Nothing here draws or waits.

Rules
- Questions: multiple choice and true/false only (``make_mcq``); a card that cannot be asked
  that way is skipped, and two cards asking the same thing (a table cell gives a flip and an
  mcq card with one prompt and answer) count once. Questions and options are shuffled from
  the seed: the same cards and seed give the same drill. Without a seed one is picked and
  recorded (``drill.seed``), so the drill can be run again.
- Turns: with several students (or teams), question ``i`` goes to ``students[i % len]``.
- Timer: ``seconds`` per question (0: none). An answer after the limit, ``expire()`` or
  ``answer(None)`` is a miss: chosen ``""``, 0 points.
- Points: 1 per right answer. Speed bonus (off by default): a right answer also earns the
  share of its time left, ``round(left / seconds, 2)`` (answering at once: +1; with half the
  time left: +0.5; none without a timer). Streak bonus (off by default): +1 for each 3rd right
  answer in a row of the same student (their 3rd, 6th, 9th...; a miss starts the count again).
- Saving: with a store, the drill is recorded when its first question starts and every answer
  is committed as it is given (one transaction each), so a drill cut short keeps what was
  answered; the last answer marks it finished. Drills never touch card states or the review log.
  When the store cannot take a write (locked, disk full, read-only), the drill goes on: the
  write waits in the store's outbox, in order, and is written as soon as the store can take it.
"""

from __future__ import annotations

import os
import random
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.decks.selection import balanced_questions
from nqpf_tutor.core.learning.journal import drill_answer_record, drill_record, replay
from nqpf_tutor.core.questions import Question
from nqpf_tutor.core.scheduler import ts, utc_now
from nqpf_tutor.core.text import csv_text, json_text
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.files import is_special, write_outputs

#: Columns of the results CSV, in order.
CSV_COLUMNS = (
    "drill_id", "time", "student", "question_id", "prompt", "chosen", "right_answer", "correct", "seconds", "points",
)
DEFAULT_STUDENT = "Class"
STREAK_LENGTH = 3
MAX_NAME = 40


class DrillError(NqpfError):
    """A drill cannot be set up, run or written: one line for the user."""


# --- set-up --------------------------------------------------------------------------------------


def _clean_name(name: Any) -> str:
    if not isinstance(name, str):
        raise DrillError(f"bad student name {name!r}")
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise DrillError(f"bad student name {name!r}: use 1 to {MAX_NAME} printable characters")
    return cleaned


def clean_class_name(name: Any) -> str | None:
    """A class's name as kept (spaces collapsed), None for none; ``DrillError`` when unusable."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise DrillError(f"bad class name {name!r}")
    cleaned = " ".join(name.split())
    if not cleaned:
        return None
    if len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise DrillError(f"bad class name {name!r}: use 1 to {MAX_NAME} printable characters")
    return cleaned


@dataclass(frozen=True)
class DrillConfig:
    """How a drill is run. ``students``: names in turn order (default one, "Class")."""

    n: int = 10
    seconds: int = 20
    seed: int | None = None
    students: tuple[str, ...] = (DEFAULT_STUDENT,)
    speed_bonus: bool = False
    streaks: bool = False
    leaderboard: bool = True
    deck_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: For a second round: the drill whose missed questions it asks again.
    second_round_of: str | None = None
    #: The class the drill is run with (``--class``), kept with the results for the class report.
    class_name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise DrillError(f"number of questions must be 1 or more, not {self.n!r}")
        if not isinstance(self.seconds, (int, float)) or isinstance(self.seconds, bool) or self.seconds < 0:
            raise DrillError(f"seconds per question must be 0 (no timer) or more, not {self.seconds!r}")
        if self.seed is not None and (not isinstance(self.seed, int) or isinstance(self.seed, bool)):
            raise DrillError(f"seed must be a whole number, not {self.seed!r}")
        students = tuple(_clean_name(s) for s in (self.students or (DEFAULT_STUDENT,)))
        seen: set[str] = set()
        for s in students:
            if s.casefold() in seen:
                raise DrillError(f"student '{s}' is named twice")
            seen.add(s.casefold())
        object.__setattr__(self, "students", students)
        object.__setattr__(self, "class_name", clean_class_name(self.class_name))
        object.__setattr__(self, "deck_ids", tuple(self.deck_ids))
        object.__setattr__(self, "tags", tuple(self.tags))

    def with_seed(self) -> "DrillConfig":
        """This config with a seed: its own, or a new random one."""
        return self if self.seed is not None else replace(self, seed=new_seed())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("students", "deck_ids", "tags"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DrillConfig":
        known = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in d.items() if k in known}
        for k in ("students", "deck_ids", "tags"):
            if k in kw:
                kw[k] = tuple(kw[k] or ())
        return cls(**kw)


def new_seed() -> int:
    """A random seed short enough to read out to a class (6 digits)."""
    return 100000 + secrets.randbelow(900000)


def build_questions(cards: Iterable[Card], n: int, seed: int | None,
                    progress: Callable[[int, int], None] | None = None) -> list[Question]:
    """Up to ``n`` multiple-choice and true/false questions from ``cards``, shuffled by ``seed``.

    Deterministic: the same cards (in any order) and seed give the same questions, in the same
    order, with options in the same order. ``seed=None`` uses a fresh random seed (prefer
    ``DrillConfig.with_seed()`` so it can be recorded). Raises ``DrillError`` when no card can
    be asked as multiple choice or true/false. ``progress`` as ``balanced_questions``.
    """
    if seed is None:
        seed = new_seed()
    questions = balanced_questions(cards, max(1, n), seed, salt="drill", order=f"drill|{seed}", progress=progress)
    if not questions:
        raise DrillError("no multiple-choice or true/false questions among the chosen cards")
    return questions


def reshuffle(questions: list[Question], seed: str) -> list[Question]:
    """The same questions, each with its options in another order than before (as far as it
    can: two options can only swap); true/false keeps True before False. Deterministic."""
    rng = random.Random(seed)
    out = []
    for q in questions:
        options = list(q.options)
        if q.card.type != "truefalse" and len(options) > 1:
            before = list(options)
            rng.shuffle(options)
            if options == before:  # a shuffle may give the same order back: turn it by one
                options = options[1:] + options[:1]
        out.append(Question(q.card, q.prompt, tuple(options), options.index(q.answer)))
    return out


# --- answers and scores -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillAnswer:
    """One answer given in a drill (as saved and exported)."""

    drill_id: str
    seq: int  # 1, 2, ... in the order given
    time: datetime
    student: str
    question_id: str  # the card's uid: deck_id/card_id
    prompt: str
    chosen: str  # the option chosen; "" when none (time ran out)
    right_answer: str
    correct: bool
    seconds: float  # time taken, to 0.01 s
    points: float
    timed_out: bool = False
    chosen_index: int | None = None  # into the question's options (None: no answer); not stored

    def row(self) -> dict[str, Any]:
        """The CSV/JSON row: ``CSV_COLUMNS`` plus ``timed_out``."""
        return {
            "drill_id": self.drill_id, "time": ts(self.time), "student": self.student,
            "question_id": self.question_id, "prompt": self.prompt, "chosen": self.chosen,
            "right_answer": self.right_answer, "correct": self.correct, "seconds": _num(self.seconds),
            "points": _num(self.points), "timed_out": self.timed_out,
        }

    @classmethod
    def from_store(cls, d: dict[str, Any]) -> "DrillAnswer":
        return cls(
            drill_id=d["drill_id"], seq=int(d["seq"]), time=d["time"], student=d["student"],
            question_id=d["question_id"], prompt=d["prompt"], chosen=d["chosen"], right_answer=d["right_answer"],
            correct=bool(d["correct"]), seconds=float(d["seconds"]), points=float(d["points"]),
            timed_out=bool(d.get("timed_out", False)),
        )


@dataclass(frozen=True)
class StudentScore:
    student: str
    points: float = 0.0
    right: int = 0
    answered: int = 0  # questions put to this student so far (misses included)
    rank: int = 0  # 1 = first; equal points share a rank (1, 1, 3)

    @property
    def missed(self) -> int:
        return self.answered - self.right

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "student": self.student, "points": _num(self.points),
                "right": self.right, "answered": self.answered, "missed": self.missed}


def _num(x: float) -> float | int:
    """2 decimals; whole numbers as ints (1, not 1.0)."""
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


def score_answers(answers: Iterable[DrillAnswer], students: Sequence[str]) -> list[StudentScore]:
    """Scores per student, leaderboard order: most points first, ties by name; ranked."""
    totals: dict[str, list[float]] = {s: [0.0, 0, 0] for s in students}
    for a in answers:
        t = totals.setdefault(a.student, [0.0, 0, 0])
        t[0] += a.points
        t[1] += int(a.correct)
        t[2] += 1
    board = sorted(totals.items(), key=lambda kv: (-round(kv[1][0], 2), kv[0].casefold(), kv[0]))
    out: list[StudentScore] = []
    for i, (name, (points, right, answered)) in enumerate(board):
        points = round(points, 2)
        rank = out[-1].rank if out and out[-1].points == points else i + 1
        out.append(StudentScore(name, points, int(right), int(answered), rank))
    return out


def missed_counts(answers: Iterable[DrillAnswer]) -> list[tuple[str, str, int, int]]:
    """(question id, prompt, times missed, times asked) for questions missed at least once,
    most missed first (then in the order first asked)."""
    stats: dict[str, list[Any]] = {}
    for a in answers:
        s = stats.setdefault(a.question_id, [a.prompt, 0, 0])
        s[1] += int(not a.correct)
        s[2] += 1
    items = [(qid, p, m, n) for qid, (p, m, n) in stats.items() if m]
    return sorted(items, key=lambda t: -t[2])


def answer_points(config: "DrillConfig", correct: bool, seconds: float, streak: int) -> tuple[float, int]:
    """The points an answer earns and the student's run of right answers after it, given the
    run before it (``streak``): the scoring rules of drills and live games alike."""
    if not correct:
        return 0.0, 0
    points = 1.0
    if config.speed_bonus and config.seconds:
        points += round(max(0.0, config.seconds - seconds) / config.seconds, 2)
    streak += 1
    if config.streaks and streak % STREAK_LENGTH == 0:
        points += 1.0
    return round(points, 2), streak


# --- the drill ------------------------------------------------------------------------------------


def new_drill_id(now: datetime) -> str:
    """``YYYYMMDD-HHMMSS-xxxx`` (UTC time and 4 random hex digits): sorts by time, unique."""
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


class Drill:
    """One run of a drill. Not thread-safe; the UI calls it from its event loop.

    ``clock``: seconds, monotonic (for timing answers); ``now``: aware datetimes (for records).
    """

    def __init__(
        self,
        config: DrillConfig,
        questions: Sequence[Question],
        store: Any = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        drill_id: str | None = None,
    ) -> None:
        if not questions:
            raise DrillError("a drill needs at least one question")
        self.config = config.with_seed()
        self.questions: list[Question] = list(questions)
        self.store = store
        self.clock = clock
        self.now = now
        self.id = drill_id or new_drill_id(now())
        self.answers: list[DrillAnswer] = []
        self.started: datetime | None = None  # when the first question started
        self.finished: datetime | None = None
        self._q_start: float | None = None  # clock() when the current question started
        self._streak: dict[str, int] = {s: 0 for s in self.config.students}

    @classmethod
    def create(
        cls,
        config: DrillConfig,
        cards: Iterable[Card],
        store: Any = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> "Drill":
        """Pick the seed (if none), build the questions from ``cards`` and make the drill."""
        config = config.with_seed()
        return cls(config, build_questions(cards, config.n, config.seed), store, clock, now)

    # --- where we are --------------------------------------------------------------------------

    @property
    def seed(self) -> int:
        return self.config.seed  # type: ignore[return-value]

    @property
    def students(self) -> tuple[str, ...]:
        return self.config.students

    @property
    def index(self) -> int:
        """How many questions have been answered (the current question's index)."""
        return len(self.answers)

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def done(self) -> bool:
        """Every question answered."""
        return self.index >= self.total

    @property
    def current(self) -> Question | None:
        return None if self.done else self.questions[self.index]

    @property
    def current_student(self) -> str | None:
        return None if self.done else self.student_for(self.index)

    def student_for(self, i: int) -> str:
        """Whose turn question ``i`` (0-based) is."""
        return self.students[i % len(self.students)]

    # --- the timer -------------------------------------------------------------------------------

    def start_question(self) -> None:
        """Start the current question's timer (again calling it does not restart it). The first
        call records the drill in the store."""
        if self.done:
            raise DrillError("the drill is over: no question to start")
        if self.started is None:
            self.started = self.now()
            if self.store is not None:
                record = drill_record(self.id, self.started, self.record_config(), self.seed, self.config.class_name)
                self.store.writes.submit("drill", replay(record), record=record)
        if self._q_start is None:
            self._q_start = self.clock()

    def elapsed(self) -> float:
        """Seconds since the current question started (0 before)."""
        return 0.0 if self._q_start is None else max(0.0, self.clock() - self._q_start)

    def remaining(self) -> float | None:
        """Seconds left for the current question (never below 0); None without a timer."""
        if not self.config.seconds:
            return None
        return max(0.0, self.config.seconds - self.elapsed())

    def expired(self) -> bool:
        """The current question's time is up."""
        return bool(self.config.seconds) and self.elapsed() > self.config.seconds

    # --- answering ---------------------------------------------------------------------------------

    def answer(self, choice: int | None) -> DrillAnswer:
        """Answer the current question with option ``choice`` (0-based; None: no answer).

        Starts the question first if needed. After the time limit the answer is a miss, whatever
        was chosen. Saved to the store (committed) before this returns; when the store cannot
        take it now the answer counts all the same and waits in the store's outbox, in order.
        ``ValueError`` for an option the question does not have.
        """
        q = self.current
        if q is None:
            raise DrillError("the drill is over: every question has been answered")
        if choice is not None and not (isinstance(choice, int) and 0 <= choice < len(q.options)):
            raise ValueError(f"choice must be 0 to {len(q.options) - 1} or None, not {choice!r}")
        self.start_question()
        timed_out = self.expired()
        return self._record(q, None if timed_out else choice, timed_out)

    def expire(self) -> DrillAnswer:
        """The current question ran out of time (or the teacher moved on): a miss, 0 points."""
        q = self.current
        if q is None:
            raise DrillError("the drill is over: every question has been answered")
        self.start_question()
        return self._record(q, None, True)

    def _points(self, student: str, correct: bool, seconds: float) -> tuple[float, int]:
        """(points, the student's run of right answers after this one)."""
        return answer_points(self.config, correct, seconds, self._streak.get(student, 0))

    def _record(self, q: Question, choice: int | None, timed_out: bool) -> DrillAnswer:
        student = self.student_for(self.index)
        seconds = self.elapsed()
        if self.config.seconds:
            seconds = min(seconds, float(self.config.seconds))
        seconds = round(seconds, 2)
        correct = choice is not None and q.is_correct(choice)
        points, streak = self._points(student, correct, seconds)
        when = self.now()
        a = DrillAnswer(
            drill_id=self.id, seq=self.index + 1, time=when, student=student, question_id=q.card.uid,
            prompt=q.prompt, chosen="" if choice is None else q.options[choice], right_answer=q.answer,
            correct=correct, seconds=seconds, points=points, timed_out=timed_out, chosen_index=choice,
        )
        last = self.index + 1 >= self.total
        if self.store is not None:
            finished = when if last else None
            record = drill_answer_record(a, finished)
            self.store.writes.submit("drill answer", replay(record), record=record)
        self.answers.append(a)
        self._streak[student] = streak
        self._q_start = None
        if last:
            self.finished = when
        return a

    # --- results ------------------------------------------------------------------------------------

    def scores(self) -> dict[str, StudentScore]:
        """Each student's score so far (every student, in turn order)."""
        by_name = {s.student: s for s in score_answers(self.answers, self.students)}
        return {name: by_name[name] for name in self.students}

    def leaderboard(self) -> list[StudentScore]:
        """Most points first; ties by name (and sharing a rank)."""
        return score_answers(self.answers, self.students)

    def streak(self, student: str) -> int:
        """Right answers in a row of ``student`` up to now."""
        return self._streak.get(student, 0)

    def missed_questions(self) -> list[Question]:
        """The questions answered wrongly or not in time, in the order asked."""
        return [self.questions[a.seq - 1] for a in self.answers if not a.correct]

    def most_missed(self, k: int = 5) -> list[tuple[Question, int]]:
        """Up to ``k`` missed questions with how often each was missed, most missed first."""
        by_uid = {q.card.uid: q for q in self.questions}
        return [(by_uid[qid], m) for qid, _, m, _ in missed_counts(self.answers)][:k]

    def second_round(self) -> "Drill":
        """A new drill (new id, same students and rules) of this one's missed questions."""
        missed = self.missed_questions()
        if not missed:
            raise DrillError("no missed questions for a second round")
        config = replace(self.config, n=len(missed), second_round_of=self.id)
        return Drill(config, reshuffle(missed, f"round|{self.id}"), self.store, self.clock, self.now)

    def record_config(self) -> dict[str, Any]:
        """The config as saved with the drill: settings plus the questions asked."""
        d = self.config.to_dict()
        d["questions"] = len(self.questions)
        d["question_ids"] = [q.card.uid for q in self.questions]
        return d

    def record(self) -> "DrillRecord":
        return DrillRecord(
            id=self.id, started=self.started, finished=self.finished, seed=self.seed,
            config=self.record_config(), answers=list(self.answers),
        )


@dataclass(frozen=True)
class DrillRecord:
    """A drill's saved results (from a ``Drill``, or read back with ``load_drill``)."""

    id: str
    started: datetime | None
    finished: datetime | None
    seed: int | None
    config: dict[str, Any]
    answers: list[DrillAnswer] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        students = [s for s in self.config.get("students") or [] if isinstance(s, str)]
        for a in self.answers:
            if a.student not in students:
                students.append(a.student)
        return students

    @property
    def questions(self) -> int:
        q = self.config.get("questions")
        return q if isinstance(q, int) else len(self.answers)

    @property
    def cut_short(self) -> bool:
        return self.finished is None

    def leaderboard(self) -> list[StudentScore]:
        return score_answers(self.answers, self.students)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": ts(self.started) if self.started else None,
            "finished": ts(self.finished) if self.finished else None,
            "cut_short": self.cut_short,
            "seed": self.seed,
            "students": self.students,
            "questions": self.questions,
            "answers": len(self.answers),
            "right": sum(a.correct for a in self.answers),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "drill": self.summary(),
            "config": self.config,
            "scores": [s.to_dict() for s in self.leaderboard()],
            "most_missed": [
                {"question_id": qid, "prompt": p, "missed": m, "asked": n}
                for qid, p, m, n in missed_counts(self.answers)
            ],
            "answers": [a.row() for a in self.answers],
        }


def load_drill(store: Any, drill_id: str) -> DrillRecord:
    """A saved drill of the store's profile; ``DrillError`` when there is none with that id."""
    row = store.drill(drill_id)
    if row is None:
        raise DrillError(f"no drill '{drill_id}' (nqpf-tutor results lists them)")
    return DrillRecord(row.id, row.started, row.finished, row.seed, row.config,
                       [DrillAnswer.from_store(d) for d in store.drill_answers(row.id)])


# --- writing results ----------------------------------------------------------------------------------


def json_path_for(path: str | os.PathLike) -> Path:
    """Where the JSON goes beside the CSV ``path``: same name, ``.json`` suffix."""
    p = Path(path)
    j = p.with_suffix(".json")
    return j if j != p else p.with_name(p.name + ".json")


def _csv_cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def results_csv(record: DrillRecord) -> str:
    """One row per answer; cells cleaned and formulas neutralised (``core.text.csv_text``)."""
    rows = []
    for a in record.answers:
        row = a.row()
        rows.append([_csv_cell(row[c]) for c in CSV_COLUMNS])
    return csv_text(CSV_COLUMNS, rows)


def results_files(drill: "Drill | DrillRecord", path: str | os.PathLike) -> list[tuple[Path, str]]:
    """The CSV at ``path`` and the JSON beside it (``json_path_for``), with their text; only
    the CSV when ``path`` is a device or a FIFO (``/dev/null``, ``/dev/stdout``)."""
    record = drill.record() if isinstance(drill, Drill) else drill
    csv_path = Path(path).expanduser()
    files = [(csv_path, results_csv(record))]
    if not is_special(csv_path):
        files.append((json_path_for(csv_path), json_text(record.to_dict()) + "\n"))
    return files


def write_results(drill: "Drill | DrillRecord", path: str | os.PathLike, *, force: bool = False,
                  hint: str | None = None) -> tuple[Path, Path | None]:
    """Write the answers as CSV to ``path`` and everything (answers, config, scores, most
    missed) as JSON beside it (``json_path_for``), both or neither (``nqpf_tutor.files``).
    Returns both paths (the JSON's None when ``path`` is a device or FIFO). Existing regular
    files are replaced only with ``force``; a one-line ``OutputError`` names them all, and any
    file that cannot be written."""
    written = write_outputs(results_files(drill, path), force=force, hint=hint)
    return written[0], (written[1] if len(written) > 1 else None)


__all__ = [
    "CSV_COLUMNS", "Drill", "answer_points", "DrillAnswer", "DrillConfig", "DrillError", "DrillRecord", "StudentScore",
    "build_questions", "json_path_for", "load_drill", "missed_counts", "new_drill_id", "new_seed",
    "results_csv", "results_files", "score_answers", "write_results",
]
