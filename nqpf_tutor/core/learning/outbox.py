"""Progress the store cannot take now is kept, in order, and written as soon as it can.

An answer is never lost because another program holds the database longer than the busy
timeout, the disk is full or the file became read-only. Every write of progress (an answer, an
undo, a suspension, a reset, a drill answer) is a function of the store that runs in one
transaction. ``Outbox.submit`` runs it at once when nothing is waiting, else queues it behind
what is waiting, so order is kept (an undo never overtakes the answer it takes back).
``flush()`` (the app calls it every second or so, and ``submit`` before each new write) writes
what waits, oldest first, and stops at the first write the store still cannot take. In the app
no write waits long for another program's lock (``first_timeout``, then ``retry_timeout``): the
screen never freezes for the store's busy timeout.

Only ``StoreUnavailable`` (locked, full, read-only, I/O error, damaged) keeps a write waiting.
A write refused for good (another ``StoreError``, say an undo of a card another window changed
since) is dropped and kept in ``refused`` for the UI to report. Each write is one transaction,
committed or rolled back whole, so a write that is retried lands on disk exactly once.

One outbox per store (``Store.writes``), so every screen's writes share one order. Not
thread-safe: the UI uses it from its event loop.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from nqpf_tutor.core.store import Store, StoreError, StoreUnavailable

#: Kinds of write that are a learner's answers (counted in "N answers not saved").
ANSWER_KINDS = ("answer", "drill answer")
#: Seconds a retry waits for another program's lock (short: the UI must not freeze).
RETRY_TIMEOUT = 0.05
#: Seconds a new write waits for another program's lock when the UI writes (``first_timeout``):
#: a write of another copy of the app takes milliseconds; a lock held longer keeps the write
#: waiting here instead of freezing the screen for the store's whole busy timeout.
UI_FIRST_TIMEOUT = 0.2


@dataclass(eq=False)
class Ticket:
    """One write: ``saved`` once it is on disk, ``result`` what the write returned."""

    what: str
    write: Callable[[Store], Any] = field(repr=False)
    key: tuple[str, str] | None = None  # the card whose state this write changes
    expected: Any = field(default=None, repr=False)  # its state once written (None: no state)
    note: Any = field(default=None, repr=False)  # what the writer wants to know of it while it waits
    #: What the journal keeps of it while it waits (``core.learning.journal``): a record, a
    #: function giving one when asked (None: not kept), or None.
    record: Any = field(default=None, repr=False)
    saved: bool = False
    result: Any = None
    error: StoreError | None = None  # set when the write was refused for good


class Outbox:
    def __init__(self, store: Store, *, retry_timeout: float = RETRY_TIMEOUT,
                 first_timeout: float | None = None) -> None:
        self.store = store
        self.retry_timeout = retry_timeout
        #: Seconds a new write waits for a lock when nothing waits (None: the store's busy
        #: timeout, as the command line wants; the app sets ``UI_FIRST_TIMEOUT``).
        self.first_timeout = first_timeout
        self._queue: deque[Ticket] = deque()
        #: Why the oldest waiting write could not be written (None when nothing waits).
        self.error: StoreUnavailable | None = None
        #: Writes refused for good since the UI last took them (``take_refused``).
        self.refused: list[Ticket] = []
        #: Called after a submit or flush that changed what waits (the app's one error path).
        self.on_change: Callable[["Outbox", int], None] | None = None
        #: Card key -> (its state once what waits is written, the last write waiting for it):
        #: what sessions read instead of the store for those cards.
        self._unsaved: dict[tuple[str, str], tuple[Any, Ticket]] = {}
        #: Keeps what waits on disk (``core.learning.journal.Journal``; the app sets one).
        self.journal: Any = None
        self._journaled = False

    # --- what waits ---------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Writes waiting."""
        return len(self._queue)

    @property
    def pending_answers(self) -> int:
        """Answers waiting (an undo or a suspension waiting is not counted)."""
        return sum(1 for t in self._queue if t.what in ANSWER_KINDS)

    def waiting(self) -> list[Ticket]:
        return list(self._queue)

    def unsaved_state(self, key: tuple[str, str]) -> tuple[bool, Any]:
        """(True, state) when writes for this card wait (state None: it will have none)."""
        found = self._unsaved.get(key)
        return (False, None) if found is None else (True, found[0])

    def unsaved_keys(self) -> set[tuple[str, str]]:
        return set(self._unsaved)

    def take_refused(self) -> list[Ticket]:
        out, self.refused = self.refused, []
        return out

    # --- writing ------------------------------------------------------------------------------

    def _run(self, t: Ticket) -> None:
        result = t.write(self.store)
        t.saved, t.result = True, result
        self._done(t)

    def _done(self, t: Ticket) -> None:
        if t.key is not None and self._unsaved.get(t.key, (None, None))[1] is t:
            del self._unsaved[t.key]

    def _wait(self, t: Ticket) -> None:
        self._queue.append(t)
        if t.key is not None:
            self._unsaved[t.key] = (t.expected, t)

    def submit(self, what: str, write: Callable[[Store], Any], *, key: tuple[str, str] | None = None,
               expected: Any = None, note: Any = None, record: Any = None) -> Ticket:
        """Write now, or keep the write (in order) when the store cannot take it.

        Raises ``StoreError`` only for a write refused for good when nothing was waiting
        (nothing is then kept); a store that cannot take it now keeps it (``ticket.saved`` False).
        """
        t = Ticket(what, write, key, expected, note, record)
        if not self._queue:
            try:
                if self.first_timeout is None:
                    self._run(t)
                else:
                    with self.store.busy_timeout(self.first_timeout):
                        self._run(t)
            except StoreUnavailable as e:
                self._wait(t)
                self.error = e
                self._keep()
                self._changed(0)
            return t
        self._wait(t)
        saved = self.flush(notify=False)
        if not saved:
            self._keep()  # (a flush that saved some has kept what is left)
        self._changed(saved)
        return t

    def flush(self, timeout: float | None = None, *, notify: bool = True) -> int:
        """Write what waits, oldest first; stop at the first the store still cannot take.
        Returns how many writes were saved."""
        if not self._queue:
            return 0
        saved = 0
        with self.store.busy_timeout(self.retry_timeout if timeout is None else timeout):
            while self._queue:
                t = self._queue[0]
                try:
                    self._run(t)
                except StoreUnavailable as e:
                    self.error = e
                    break
                except StoreError as e:  # refused for good: it would block every later write
                    self._queue.popleft()
                    t.error = e
                    self.refused.append(t)
                    self._done(t)
                    continue
                self._queue.popleft()
                saved += 1
        if not self._queue:
            self.error = None
        if saved or self.refused:
            self._keep()
        if notify and (saved or self.refused):
            self._changed(saved)
        return saved

    def _keep(self) -> None:
        """What waits now, to the journal (when there is one): an undo waiting behind the answer
        it takes back cancels it (neither is kept)."""
        if self.journal is None or (not self._queue and not self._journaled):
            return
        records: list[dict] = []
        by_ticket: dict[int, dict] = {}
        for t in self._queue:
            r = t.record() if callable(t.record) else t.record
            if r is None:
                continue
            if r.get("kind") == "cancel":
                gone = by_ticket.pop(id(r["ticket"]), None)
                if gone is not None:
                    records.remove(gone)
                continue
            records.append(r)
            by_ticket[id(t)] = r
        self.journal.save(records)
        self._journaled = bool(records)

    def _changed(self, saved: int) -> None:
        if self.on_change is not None:
            self.on_change(self, saved)
