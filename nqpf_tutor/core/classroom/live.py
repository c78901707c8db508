"""Live classroom game: the question is projected, every student answers at once on a device.

The rules only: no network, no drawing, a clock that is passed in. The server
(``nqpf_tutor.live``) turns students' messages into calls here and sends back the messages
built here; the host screen calls ``open_next()``, ``skip()``, ``pause()``, ``end()``,
``remove()`` and reads the counts and the leaderboard.

Rules
- Joining: with the game's code and a nickname, in the lobby or at any time before the end.
  Nicknames are cleaned (``clean_nickname``: one line, no escape codes, no bidi or zero-width
  characters, no markup tags, at most ``MAX_NICK`` characters) and unique in the game (case and
  width do not matter). Join attempts are rate-limited per client and in total, failed ones
  (a wrong code) more strictly; at most ``max_students`` play (default 200). A student who
  joins while a question is open waits for the next one.
- Reconnecting: the token given at joining brings the student back, with the same score.
- Questions: drawn as drills draw them (``build_questions``: the same cards and seed give the
  same questions and option orders). A question is open until everyone expected has answered
  (at least one answer, every student who was there when it opened, except those away for
  ``AWAY_GRACE`` seconds: a reload or a phone waking up is not being away) or its time is up,
  timed on the server's clock; pauses do not count. The teacher may skip (close it now).
- Answers: one per student per question, only while it is open and not paused; a later one is
  refused. Scoring is the drill's (``answer_points``: 1 a right answer, the speed bonus, the
  streak bonus). A student expected who did not answer gets a missed answer at the close.
- The right answer (and the explanation) is in no message to students before the reveal:
  ``question_message`` carries the prompt and the options only, and an answer's ack says only
  that it is locked.
- Saving: the game is a drill whose turns are "everyone" (``config['turns'] == 'everyone'``),
  recorded when its first question opens; every answer is committed as it is received (a batch
  received together in one transaction), before it is acknowledged; misses at the close. So
  ``results`` lists live games, and a crash loses no answer given. The game's class
  (``DrillConfig.class_name``, ``live --class``) is kept with its drill row, so the class report
  counts it with the class's drills (each nickname a student, matched to names as drills' are).
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from nqpf_tutor.core.drill import (
    DrillAnswer, DrillConfig, DrillRecord, StudentScore, answer_points, build_questions, missed_counts,
    new_drill_id, score_answers,
)
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.questions import Question
from nqpf_tutor.core.scheduler import utc_now
from nqpf_tutor.core.text import one_line
from nqpf_tutor.errors import NqpfError

MAX_NICK = 20
DEFAULT_MAX_STUDENTS = 200
CODE_DIGITS = 6
EVERYONE = "everyone"
#: Seconds a student may be disconnected (a reload, a phone asleep) and still be waited for.
AWAY_GRACE = 10.0
#: How many names the leaderboard sent to students (and drawn on the host screen) shows.
BOARD_SIZE = 5

LOBBY, QUESTION, REVEAL, ENDED = "lobby", "question", "reveal", "ended"


class LiveError(NqpfError):
    """A join, answer or command refused: ``reason`` for programs, the message for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- nicknames --------------------------------------------------------------------------------------

_TAG = re.compile(r"\[/?[^\[\]\n]{0,40}\]|<[^<>\n]{0,80}>")
_MARKUP_CHARS = str.maketrans("", "", "[]<>{}`\\")


def clean_nickname(raw: Any) -> str:
    """A nickname fit to show anywhere: one line of printable text, no escape codes, no bidi or
    zero-width characters (Unicode format characters), no markup tags or markup characters,
    1 to ``MAX_NICK`` characters. ``LiveError('bad_name')`` when nothing usable is left."""
    if not isinstance(raw, str):
        raise LiveError("bad_name", "a nickname must be text")
    text = one_line(raw[:500])
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Co", "Cs", "Cn"))
    text = _TAG.sub("", text).translate(_MARKUP_CHARS)
    text = " ".join(text.split())
    if not text:
        raise LiveError("bad_name", "choose a nickname (letters or digits)")
    if len(text) > MAX_NICK:
        text = text[:MAX_NICK].rstrip()
    return text


def name_key(name: str) -> str:
    """Two nicknames are the same when their keys are (case and full-width forms ignored)."""
    return unicodedata.normalize("NFKC", name).casefold().replace(" ", "")


# --- rate limits --------------------------------------------------------------------------------------


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds for each key (a sliding window)."""

    MAX_KEYS = 10_000

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = int(limit), float(window), clock
        self._seen: dict[str, deque[float]] = {}

    def _times(self, key: str) -> deque[float]:
        now = self.clock()
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= self.MAX_KEYS:  # forget the quietest keys rather than grow
                for k in [k for k, v in self._seen.items() if not v or v[-1] < now - self.window]:
                    del self._seen[k]
                if len(self._seen) >= self.MAX_KEYS:
                    self._seen.pop(next(iter(self._seen)))
            times = self._seen[key] = deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, key: str) -> bool:
        """Would one more event for ``key`` be over the limit? (Records nothing.)"""
        return len(self._times(key)) >= self.limit

    def allow(self, key: str) -> bool:
        """Record an event for ``key`` if it is within the limit; False (not recorded) if not."""
        times = self._times(key)
        if len(times) >= self.limit:
            return False
        times.append(self.clock())
        return True


@dataclass(frozen=True)
class LiveLimits:
    """The game's fairness and safety limits (defaults for a classroom)."""

    max_students: int = DEFAULT_MAX_STUDENTS
    joins_per_client: tuple[int, float] = (30, 60.0)  # join attempts per client per window (s)
    failed_joins_per_client: tuple[int, float] = (8, 60.0)  # wrong codes or names per client
    joins_total: tuple[int, float] = (400, 10.0)  # join attempts of everyone together


# --- players and answers ------------------------------------------------------------------------------


@dataclass
class Player:
    id: int
    name: str
    token: str
    first_question: int  # index of the first question put to this student (joined late: later)
    connected: bool = True
    removed: bool = False
    away_since: float = 0.0  # clock() when the last connection closed
    streak: int = 0
    points: float = 0.0
    right: int = 0
    answered: int = 0

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Ack:
    """An answer taken: what the student is told at once (no right or wrong before the reveal)."""

    player: Player
    q: int  # 1-based question number
    choice: int
    answer: DrillAnswer

    def message(self) -> dict[str, Any]:
        return {"type": "ack", "q": self.q, "choice": self.choice}


@dataclass(frozen=True)
class Pending:
    """An answer checked and numbered by ``LiveGame.reserve``, waiting to be saved."""

    slot: int  # its place in the batch
    player: Player
    index: int  # the question's index
    choice: int
    answer: DrillAnswer
    streak: int  # the student's run of right answers once it is taken


def save_answers(store: Any, answers: Sequence[DrillAnswer]) -> None:
    """Write answers to the store in one transaction (committed when this returns)."""
    with store.transaction():
        for a in answers:
            store.log_drill_answer(
                a.drill_id, a.seq, a.time, a.student, a.question_id, a.prompt, a.chosen, a.right_answer,
                a.correct, a.seconds, a.points, timed_out=a.timed_out)


def new_code() -> str:
    """A join code: 6 digits, the first not 0 (read out and typed easily)."""
    return str(10 ** (CODE_DIGITS - 1) + secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)))


def live_config(**kw: Any) -> DrillConfig:
    """A drill config for a live game (turns: everyone)."""
    kw.setdefault("students", (EVERYONE,))
    return DrillConfig(**kw)


# --- the game --------------------------------------------------------------------------------------------


class LiveGame:
    """One live game. Not thread-safe: the server and the host screen call it from one event loop.

    ``clock``: monotonic seconds (question timing, rate limits); ``now``: aware datetimes (records).
    ``cite``: the source text shown with a card's explanation at the reveal.
    """

    def __init__(
        self,
        config: DrillConfig,
        questions: Sequence[Question],
        store: Any = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        *,
        code: str | None = None,
        game_id: str | None = None,
        limits: LiveLimits = LiveLimits(),
        cite: Callable[[Card], str] | None = None,
    ) -> None:
        if not questions:
            raise LiveError("no_questions", "a live game needs at least one question")
        self.config = config.with_seed()
        self.questions: list[Question] = list(questions)
        self.store = store
        self.clock = clock
        self.now = now
        self.code = code or new_code()
        self.id = game_id or new_drill_id(now())
        self.limits = limits
        self.cite = cite or (lambda card: "")
        self.players: dict[int, Player] = {}
        self._by_token: dict[str, Player] = {}
        self._names: dict[str, Player] = {}
        self._next_id = 1
        self.phase = LOBBY
        self.index = -1  # the question open or last shown
        self.paused = False
        self._opened_at = 0.0
        self._paused_at = 0.0
        self._paused_total = 0.0
        self._expected: set[int] = set()
        self.current_answers: dict[int, DrillAnswer] = {}
        self.current_choices: dict[int, int] = {}
        self.answers: list[DrillAnswer] = []
        self._seq = 0  # the last answer's number (answers are numbered when received)
        self._in_flight: set[int] = set()  # players whose answer is being saved
        self.started: datetime | None = None
        self.finished: datetime | None = None
        self.closed_count = 0  # questions closed so far
        self._listeners: list[Callable[[str, dict[str, Any]], None]] = []
        j, f, t = limits.joins_per_client, limits.failed_joins_per_client, limits.joins_total
        self._join_limit = RateLimiter(j[0], j[1], clock)
        self._fail_limit = RateLimiter(f[0], f[1], clock)
        self._total_limit = RateLimiter(t[0], t[1], clock)

    @classmethod
    def create(cls, config: DrillConfig, cards: Iterable[Card], store: Any = None, **kw: Any) -> "LiveGame":
        """Pick the seed (if none) and draw the questions as a drill does."""
        config = config.with_seed()
        return cls(config, build_questions(cards, config.n, config.seed), store, **kw)

    # --- events (the server and the host screen listen) ---------------------------------------------

    def subscribe(self, listener: Callable[[str, dict[str, Any]], None]) -> None:
        """``listener(kind, data)`` after every change: roster, question, answer, pause, reveal,
        removed (data: player), end."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[str, dict[str, Any]], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, kind: str, **data: Any) -> None:
        for listener in list(self._listeners):
            listener(kind, data)

    # --- where we are ------------------------------------------------------------------------------

    @property
    def seed(self) -> int:
        return self.config.seed  # type: ignore[return-value]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if 0 <= self.index < self.total else None

    @property
    def is_last(self) -> bool:
        return self.index >= self.total - 1

    def active_players(self) -> list[Player]:
        """Players still in the game (not removed), in joining order."""
        return [p for p in self.players.values() if not p.removed]

    def expected_count(self) -> int:
        """Students the open question was put to (still in the game)."""
        return sum(1 for pid in self._expected if not self.players[pid].removed)

    def answered_count(self) -> int:
        """Answers given to the open (or last) question by students still in the game."""
        return sum(1 for pid in self.current_choices if not self.players[pid].removed)

    def elapsed(self) -> float:
        if self.phase != QUESTION:
            return 0.0
        end = self._paused_at if self.paused else self.clock()
        return max(0.0, end - self._opened_at - self._paused_total)

    def remaining(self) -> float | None:
        """Seconds left for the open question; None without a timer."""
        if not self.config.seconds:
            return None
        if self.phase != QUESTION:
            return 0.0
        return max(0.0, self.config.seconds - self.elapsed())

    def time_up(self) -> bool:
        return self.phase == QUESTION and bool(self.config.seconds) and self.elapsed() > self.config.seconds

    # --- joining ---------------------------------------------------------------------------------------

    def join(self, code: Any, nickname: Any, client: str = "") -> Player:
        """A student joins with the code and a nickname; ``client`` (an address) for rate limits.
        ``LiveError`` reasons: rate_limited, bad_code, ended, full, bad_name, name_taken."""
        client = str(client)
        if self._fail_limit.blocked(client) or not self._join_limit.allow(client) \
                or not self._total_limit.allow("*"):
            raise LiveError("rate_limited", "too many tries: wait a minute and try again")
        try:
            if not isinstance(code, str) or not hmac.compare_digest(code.strip().encode()[:32], self.code.encode()):
                raise LiveError("bad_code", "that is not this game's code")
            if self.phase == ENDED:
                raise LiveError("ended", "the game is over")
            if len(self.active_players()) >= self.limits.max_students:
                raise LiveError("full", f"the game is full ({self.limits.max_students} students)")
            name = clean_nickname(nickname)
            if name_key(name) in self._names:
                raise LiveError("name_taken", f"'{name}' is taken: choose another nickname")
        except LiveError:
            self._fail_limit.allow(client)
            raise
        # the open question (if any) was put to those there when it opened: a late student waits
        player = Player(self._next_id, name, secrets.token_urlsafe(18), self.index + 1)
        self._next_id += 1
        self.players[player.id] = player
        self._by_token[player.token] = player
        self._names[name_key(name)] = player
        self._emit("roster", player=player)
        return player

    def player_for(self, token: Any) -> Player:
        """The player a token belongs to (reconnecting). ``LiveError``: unknown_token, removed."""
        player = self._by_token.get(token) if isinstance(token, str) else None
        if player is None:
            raise LiveError("unknown_token", "not in this game: join with the code")
        if player.removed:
            raise LiveError("removed", "the teacher removed you from the game")
        return player

    def resume(self, token: Any) -> Player:
        player = self.player_for(token)
        self.set_connected(player, True)
        return player

    def set_connected(self, player: Player, connected: bool) -> None:
        if player.connected != connected:
            player.connected = connected
            if not connected:
                player.away_since = self.clock()
            self._emit("roster", player=player)

    def remove(self, player_id: int) -> Player:
        """The teacher removes a student: out of the roster, the leaderboard and the counts (the
        answers already saved stay saved). The nickname stays taken."""
        player = self.players.get(player_id)
        if player is None or player.removed:
            raise LiveError("unknown_player", "no such student in the game")
        player.removed = True
        self._emit("removed", player=player)
        self._emit("roster", player=player)
        self._maybe_close_early()
        return player

    # --- the teacher's commands ---------------------------------------------------------------------

    def open_next(self) -> Question | None:
        """Start (from the lobby) or go on (after a reveal) to the next question; after the last
        one, end the game (returns None). Records the game in the store on the first question."""
        if self.phase == QUESTION:
            raise LiveError("open", "a question is open: skip or wait for it to close")
        if self.phase == ENDED:
            raise LiveError("ended", "the game is over")
        if self.index + 1 >= self.total:
            self.end()
            return None
        if self.started is None:
            started = self.now()
            if self.store is not None:
                # the class only when there is one (stores that know no class still take a game)
                kw = {"class_name": self.config.class_name} if self.config.class_name else {}
                self.store.start_drill(self.id, started, self.record_config(), self.seed, **kw)
            self.started = started
        self.index += 1
        self.phase = QUESTION
        self.paused = False
        self._paused_total = 0.0
        self._opened_at = self.clock()
        self.current_answers = {}
        self.current_choices = {}
        self._in_flight = set()
        self._expected = {p.id for p in self.active_players() if p.first_question <= self.index}
        self._emit("question", question=self.current)
        return self.current

    def pause(self) -> bool:
        """Pause or go on (the open question's time stands still; no answers while paused).
        Returns whether the game is now paused."""
        if self.phase != QUESTION:
            return False
        if self.paused:
            self._paused_total += self.clock() - self._paused_at
            self.paused = False
        else:
            self._paused_at = self.clock()
            self.paused = True
        self._emit("pause", paused=self.paused)
        return self.paused

    def skip(self) -> None:
        """Close the open question now (those who have not answered miss it)."""
        if self.phase == QUESTION:
            self.close()

    def tick(self) -> bool:
        """Close the open question if its time is up, or if all have answered but students away
        for longer than ``AWAY_GRACE``; True if it closed."""
        if self.phase != QUESTION or self.paused:
            return False
        if self.time_up():
            self.close()
            return True
        self._maybe_close_early()
        return self.phase != QUESTION

    def close(self) -> None:
        """Close the open question and reveal it: every student it was put to who did not answer
        gets a miss (saved, in one transaction)."""
        if self.phase != QUESTION:
            return
        if self.paused:
            self._paused_total += self.clock() - self._paused_at
            self.paused = False
        q = self.current
        assert q is not None
        seconds = float(self.config.seconds) if self.config.seconds else round(self.elapsed(), 2)
        when = self.now()
        last = self.is_last
        # a student whose answer is being saved answered in time: no miss for them
        missing = [self.players[pid] for pid in sorted(self._expected)
                   if pid not in self.current_answers and pid not in self._in_flight
                   and not self.players[pid].removed]
        misses = []
        for p in missing:
            self._seq += 1
            misses.append(DrillAnswer(
                drill_id=self.id, seq=self._seq, time=when, student=p.name, question_id=q.card.uid, prompt=q.prompt,
                chosen="", right_answer=q.answer, correct=False, seconds=round(seconds, 2), points=0.0,
                timed_out=True, chosen_index=None))
        if self.store is not None and (misses or last):
            with self.store.transaction():
                save_answers(self.store, misses)
                if last:
                    self.store.finish_drill(self.id, when)
        for p, a in zip(missing, misses):
            self.answers.append(a)
            self.current_answers[p.id] = a
            p.streak = 0
            p.answered += 1
        self.closed_count += 1
        if last:
            self.finished = when
        self.phase = REVEAL
        self._emit("reveal", question=q)

    def end(self) -> None:
        """End the game (closing an open question first)."""
        if self.phase == ENDED:
            return
        if self.phase == QUESTION:
            self.close()
        self.phase = ENDED
        self._emit("end")

    # --- answering ------------------------------------------------------------------------------------

    def _check(self, player: Player, q_no: Any, choice: Any, pending: set[int]) -> Question:
        if self.phase != QUESTION:
            raise LiveError("closed", "no question is open")
        if not isinstance(q_no, int) or isinstance(q_no, bool) or q_no != self.index + 1:
            raise LiveError("wrong_question", "that question is not the open one")
        if player.id not in self._expected:
            raise LiveError("not_yours", "you joined during this question: wait for the next one")
        if player.id in self.current_choices or player.id in pending:
            raise LiveError("already", "you have answered this question")
        if self.paused:
            raise LiveError("paused", "the game is paused")
        if self.time_up():
            raise LiveError("too_late", "time is up")
        q = self.current
        assert q is not None
        if not isinstance(choice, int) or isinstance(choice, bool) or not 0 <= choice < len(q.options):
            raise LiveError("bad_choice", "no such option")
        return q

    def answer(self, token: Any, q_no: Any, choice: Any) -> Ack:
        """One student's answer (``choice``: 0-based). Saved before it returns."""
        result = self.answer_many([(token, q_no, choice)])[0]
        if isinstance(result, LiveError):
            raise result
        return result

    def answer_many(self, batch: Sequence[tuple[Any, Any, Any]], close: bool = True) -> list["Ack | LiveError"]:
        """Answers received together: each checked, all saved in one transaction, then taken.
        Returns an ``Ack`` or a ``LiveError`` for each, in order. If saving fails, every answer
        of the batch is refused with reason ``not_saved`` and can be given again. ``close``:
        close the question if everyone has now answered (``False``: the caller acknowledges
        the answers first, then calls ``close_if_all_answered``)."""
        results, pending = self.reserve(batch)
        if pending and self.store is not None:
            try:
                save_answers(self.store, [p.answer for p in pending])
            except NqpfError as e:
                self.release(pending, results, e)
                return results
        self.commit(pending, results)
        if pending and close:
            self._maybe_close_early()
        return results

    def reserve(self, batch: Sequence[tuple[Any, Any, Any]]) -> tuple[list[Any], list["Pending"]]:
        """Check and number answers received together, to be saved by the caller (in another
        thread, say) and then taken with ``commit`` (or given back with ``release``). Returns a
        list with a ``LiveError`` for each answer refused (None for the others) and the answers
        to save. Until then the students' answers count as given (a second one is refused)."""
        results: list[Any] = []
        pending: list[Pending] = []
        seen: set[int] = set()
        when = None
        for token, q_no, choice in batch:
            try:
                player = self.player_for(token)
                q = self._check(player, q_no, choice, seen | self._in_flight)
            except LiveError as e:
                results.append(e)
                continue
            if when is None:
                when = self.now()
            seconds = round(self.elapsed(), 2)
            if self.config.seconds:
                seconds = min(seconds, float(self.config.seconds))
            correct = q.is_correct(choice)
            points, streak = answer_points(self.config, correct, seconds, player.streak)
            self._seq += 1
            a = DrillAnswer(
                drill_id=self.id, seq=self._seq, time=when, student=player.name, question_id=q.card.uid,
                prompt=q.prompt, chosen=q.options[choice], right_answer=q.answer, correct=correct,
                seconds=seconds, points=points, timed_out=False, chosen_index=choice)
            seen.add(player.id)
            pending.append(Pending(len(results), player, self.index, choice, a, streak))
            results.append(None)
        self._in_flight |= seen
        return results, pending

    def commit(self, pending: Sequence["Pending"], results: list[Any]) -> None:
        """Take answers ``reserve`` gave once they are saved: scores, counts; an ``Ack`` each in
        ``results``. (An answer saved after its question closed still counts: it was given in time.)"""
        for p in pending:
            self._in_flight.discard(p.player.id)
            player, a = p.player, p.answer
            self.answers.append(a)
            if p.index == self.index:
                self.current_answers[player.id] = a
                self.current_choices[player.id] = p.choice
            player.streak = p.streak
            player.points = round(player.points + a.points, 2)
            player.right += int(a.correct)
            player.answered += 1
            results[p.slot] = Ack(player, p.index + 1, p.choice, a)
        if pending:
            self._emit("answer", count=len(pending))

    def release(self, pending: Sequence["Pending"], results: list[Any], error: Exception) -> None:
        """Answers ``reserve`` gave that could not be saved: refused (``not_saved``), to be given again."""
        err = LiveError("not_saved", f"your answer was not saved ({error}): answer again")
        for p in pending:
            self._in_flight.discard(p.player.id)
            results[p.slot] = err

    def close_if_all_answered(self) -> bool:
        """Close the open question if everyone expected and connected has answered."""
        self._maybe_close_early()
        return self.phase != QUESTION

    def _maybe_close_early(self) -> None:
        """Everyone expected has answered (and somebody has), but those removed or away for
        longer than ``AWAY_GRACE``: close the question."""
        if self.phase != QUESTION or not self.current_choices:
            return
        now = self.clock()
        for pid in self._expected:
            p = self.players[pid]
            away = not p.connected and now - p.away_since >= AWAY_GRACE
            if not p.removed and not away and pid not in self.current_choices:
                return
        self.close()

    # --- scores -----------------------------------------------------------------------------------------

    def leaderboard(self) -> list[StudentScore]:
        """Students in the game, most points first; ties by name, sharing a rank."""
        players = self.active_players()
        names = {p.name for p in players}
        return score_answers([a for a in self.answers if a.student in names], [p.name for p in players])

    def ranks(self) -> dict[str, StudentScore]:
        return {s.student: s for s in self.leaderboard()}

    def option_counts(self) -> list[int]:
        """How many chose each option of the open (or last) question."""
        q = self.current
        counts = [0] * (len(q.options) if q else 0)
        for pid, c in self.current_choices.items():
            if not self.players[pid].removed:
                counts[c] += 1
        return counts

    def missed_questions(self) -> list[Question]:
        """Questions someone got wrong or missed, each once, in the order asked."""
        missed = {a.question_id for a in self.answers if not a.correct}
        return [q for q in self.questions[: self.index + 1] if q.card.uid in missed]

    def most_missed(self, k: int = 5) -> list[tuple[Question, int, int]]:
        """Up to ``k`` questions with (times missed, times asked), most missed first."""
        by_uid = {q.card.uid: q for q in self.questions}
        return [(by_uid[qid], m, n) for qid, _, m, n in missed_counts(self.answers) if qid in by_uid][:k]

    def second_round(self, code: str | None = None) -> "LiveGame":
        """A new game (new id, the same code, students and rules) of the missed questions. The
        students keep their tokens, so their devices follow; scores start again."""
        missed = self.missed_questions()
        if not missed:
            raise LiveError("no_misses", "no missed questions for a second round")
        config = replace(self.config, n=len(missed), second_round_of=self.id)
        game = LiveGame(config, missed, self.store, self.clock, self.now, code=code or self.code,
                        limits=self.limits, cite=self.cite)
        for p in self.active_players():
            q = Player(p.id, p.name, p.token, 0, connected=p.connected)
            game.players[q.id] = q
            game._by_token[q.token] = q
            game._names[name_key(q.name)] = q
        game._next_id = self._next_id
        return game

    # --- records -------------------------------------------------------------------------------------

    def record_config(self) -> dict[str, Any]:
        d = self.config.to_dict()
        d["students"] = []  # everyone: the students are those who answered
        d["turns"] = EVERYONE
        d["mode"] = "live"
        d["questions"] = len(self.questions)
        d["question_ids"] = [q.card.uid for q in self.questions]
        return d

    def record(self) -> DrillRecord:
        return DrillRecord(id=self.id, started=self.started, finished=self.finished, seed=self.seed,
                           config=self.record_config(), answers=list(self.answers))

    # --- messages to students (JSON objects) -------------------------------------------------------------

    def question_message(self) -> dict[str, Any]:
        """The open question as every student gets it: the prompt and options only, never which
        option is right (nor the explanation)."""
        q = self.current
        assert q is not None
        left = self.remaining()
        return {
            "type": "question", "q": self.index + 1, "total": self.total, "prompt": q.prompt,
            "options": list(q.options), "truefalse": q.card.type == "truefalse",
            "seconds": self.config.seconds, "remaining": None if left is None else round(left, 1),
            "paused": self.paused,
        }

    def lobby_message(self, player: Player) -> dict[str, Any]:
        return {"type": "lobby", "name": player.name, "players": len(self.active_players()),
                "total": self.total, "next": self.index + 2, "started": self.index >= 0}

    def you(self, player: Player, ranks: dict[str, StudentScore] | None = None) -> dict[str, Any]:
        ranks = ranks if ranks is not None else self.ranks()
        s = ranks.get(player.name)
        return {"name": player.name, "points": _num(player.points), "right": player.right,
                "answered": player.answered, "rank": s.rank if s else None, "players": len(ranks),
                "streak": player.streak}

    def board(self, ranks: dict[str, StudentScore] | None = None, k: int = BOARD_SIZE) -> list[dict[str, Any]] | None:
        if not self.config.leaderboard:
            return None
        board = list((ranks or self.ranks()).values())[:k]
        return [{"rank": s.rank, "name": s.student, "points": _num(s.points)} for s in board]

    def reveal_message(self, player: Player, ranks: dict[str, StudentScore] | None = None,
                       board: list[dict[str, Any]] | None = None, counts: list[int] | None = None) -> dict[str, Any]:
        """After the close: the right answer, this student's verdict and points, the rank."""
        q = self.current
        assert q is not None
        ranks = ranks if ranks is not None else self.ranks()
        a = self.current_answers.get(player.id)
        mine: dict[str, Any]
        if a is None:
            mine = {"asked": False}
        else:
            mine = {"asked": True, "choice": a.chosen_index, "correct": a.correct, "timed_out": a.timed_out,
                    "points": _num(a.points)}
        return {
            "type": "reveal", "q": self.index + 1, "total": self.total, "prompt": q.prompt,
            "options": list(q.options), "correct": q.correct, "answer": q.answer,
            "explanation": q.card.explanation, "source": self.cite(q.card), "counts": counts if counts is not None else self.option_counts(),
            "answer_of_yours": mine, "you": self.you(player, ranks),
            "leaderboard": board if board is not None else self.board(ranks), "last": self.is_last,
        }

    def end_message(self, player: Player, ranks: dict[str, StudentScore] | None = None) -> dict[str, Any]:
        ranks = ranks if ranks is not None else self.ranks()
        podium = self.board(ranks, 3)
        return {"type": "end", "you": self.you(player, ranks), "podium": podium, "questions": self.closed_count}

    def state_message(self, player: Player) -> dict[str, Any]:
        """Everything a (re)connecting student needs to see where the game is."""
        if self.phase == LOBBY:
            return self.lobby_message(player)
        if self.phase == ENDED:
            return self.end_message(player)
        if self.phase == REVEAL:
            return self.reveal_message(player)
        if player.id not in self._expected:
            msg = self.lobby_message(player)
            msg["late"] = True
            return msg
        msg = self.question_message()
        if player.id in self.current_choices:
            msg["locked"] = self.current_choices[player.id]
        return msg


def _num(x: float) -> float | int:
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


__all__ = [
    "Ack", "ENDED", "Pending", "save_answers", "EVERYONE", "LOBBY", "LiveError", "LiveGame", "LiveLimits", "MAX_NICK", "Player",
    "QUESTION", "REVEAL", "RateLimiter", "clean_nickname", "live_config", "name_key", "new_code",
]
