"""Browse: every loaded card in a table, a search box, a card's detail, suspend and reset.

Built for 100k cards (issue 17): the table holds one page of the matching cards at a time
(``PAGE`` rows, the next page added as the cursor nears the last row), each row made when it
is first shown (its state read then); the search text of every card is made once, in a worker
thread when there are many cards ("searching…" meanwhile); a search runs a short moment after
the last key, word by word over plain strings; ``is:`` filters are asked of the store in SQL.

Search: words must all appear (any case) in the prompt, answer, options, id, deck or tags;
``deck:ID`` and ``tag:TAG`` keep cards of that deck or with that tag; ``is:new``,
``is:suspended``, ``is:due`` and ``is:leech`` keep cards in that state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Footer, Header, Input, Static

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.text import one_line
from nqpf_tutor.ui.widgets.plain import Plain, cell, plain, styled
from nqpf_tutor.ui.app import StoreErrors

TYPE_SHORT = {"flip": "flip", "mcq": "mcq", "truefalse": "t/f", "typed": "typed", "cloze": "cloze", "order": "order"}
TYPE_LONG = {
    "flip": "flashcard", "mcq": "multiple choice", "truefalse": "true or false", "typed": "typed answer",
    "cloze": "fill in the blanks", "order": "put in order",
}

#: Column key, heading, width (None: the prompt column takes what is left).
COLUMNS: list[tuple[str, str, int | None]] = [
    ("deck", "Deck", 9),
    ("id", "Id", 11),  # ID_WIDTH, more on wide screens
    ("type", "Type", 6),
    ("prompt", "Prompt", None),
    ("tags", "Tags", 11),
    ("due", "Due", 11),
    ("recall", "Recall", 7),
    ("susp", "S", 2),
]
MIN_PROMPT = 16
ID_WIDTH = 11
MAX_ID_EXTRA = 14
DEBOUNCE = 0.15
#: Rows added to the table at a time (the next page when the cursor or the scroll comes near the
#: last row).
PAGE = 50
#: Up to this many cards the search text is made at once on opening; more: in a worker thread.
INDEX_AT_ONCE = 5000


def fit(text: str, width: int) -> Text:
    """A cell cut to ``width - 1`` characters (with an ellipsis), leaving a space before the next column."""
    t = Text(text, no_wrap=True, overflow="ellipsis")
    t.truncate(max(1, width - 1), overflow="ellipsis")
    return t


def prompt_of(card: Card) -> str:
    return card.cloze_text("[...]") if card.type == "cloze" else card.prompt


@dataclass
class Entry:
    """One card with its state and the table row made of it."""

    card: Card
    state: CardState | None = None
    cells: list | None = None  # the table row, made once (again after a change of state or width)

    @property
    def key(self) -> str:
        return self.card.uid


def parse_query(query: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """Words, ``deck:`` values, ``tag:`` values and ``is:`` values of a search (lower case)."""
    words, decks, tags, flags = [], [], [], []
    for token in query.lower().split():
        head, sep, rest = token.partition(":")
        if sep and rest and head in ("deck", "tag", "is"):
            {"deck": decks, "tag": tags, "is": flags}[head].append(rest)
        else:
            words.append(token)
    return words, decks, tags, flags


class CardDetail(ModalScreen[None]):
    """Everything about one card: text, options, explanation, tags, sources, progress."""

    DEFAULT_CSS = """
    CardDetail {
        align: center middle;
    }
    CardDetail #detail-box {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    CardDetail #detail-body {
        height: 1fr;
    }
    CardDetail .detail-label {
        color: $text-accent;
        text-style: bold;
        margin-top: 1;
    }
    CardDetail #detail-prompt {
        text-style: bold;
    }
    CardDetail #detail-keys {
        height: 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="detail-close", tooltip="Back to the card list"),
    ]

    def __init__(self, card: Card, meta: str, lines: list[tuple[str, str]], state_text: Content) -> None:
        super().__init__()
        self.card = card
        self.meta = meta
        self.lines = lines
        self.state_text = state_text

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            with VerticalScroll(id="detail-body"):
                yield Static(styled(self.meta, "dim"), id="detail-meta")
                for i, (label, text) in enumerate(self.lines):
                    if label:
                        yield Static(plain(label), classes="detail-label")
                    yield Plain(text, id="detail-prompt" if i == 0 else f"detail-{i}")
                yield Static(plain("Progress"), classes="detail-label")
                yield Static(self.state_text, id="detail-state")
            yield Static(plain("escape or enter: close"), id="detail-keys")

    def on_mount(self) -> None:
        self.query_one("#detail-box").border_title = plain(f"{self.card.deck_id} / {self.card.id}")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmReset(ModalScreen[bool]):
    """Ask before a card's progress is reset."""

    DEFAULT_CSS = """
    ConfirmReset {
        align: center middle;
    }
    ConfirmReset #confirm-box {
        width: 60;
        max-width: 95%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmReset #confirm-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConfirmReset Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Reset", id="confirm-yes", tooltip="Reset the card's progress"),
        Binding("n,escape", "answer(False)", "Keep", id="confirm-no", tooltip="Keep the card's progress"),
    ]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(
                Content.assemble(
                    ("Reset the progress of ", ""), (self.card.uid, "bold"), ("?\n\n", ""),
                    "The card becomes new: its schedule, repetitions and lapses are cleared. "
                    "The review log keeps every past answer.",
                ),
                id="confirm-text",
            )
            with Horizontal(id="confirm-buttons"):
                yield Button("Reset (y)", id="confirm-reset", variant="warning")
                yield Button("Keep (n)", id="confirm-keep", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-reset")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class BrowseScreen(StoreErrors, Screen):
    """Every loaded card: search, look at one, suspend or reset it."""

    DEFAULT_CSS = """
    BrowseScreen #browse-search {
        margin: 0 0;
    }
    BrowseScreen #browse-table {
        height: 1fr;
    }
    BrowseScreen #browse-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "leave", "Back", id="browse-back", tooltip="Back to the previous screen"),
        Binding("enter", "open", "Details", id="browse-open", show=False),
        Binding("s", "suspend", "Suspend", id="browse-suspend", tooltip="Suspend or unsuspend the highlighted card"),
        Binding("x", "reset", "Reset", id="browse-reset", tooltip="Reset the highlighted card's progress (asks first)"),
        Binding("slash", "search", "Search", id="browse-search", tooltip="Type to filter the cards"),
        Binding("down", "to_table", "Cards", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, Entry] = {}  # made for a card when its row is first shown
        self.shown: list[str] = []  # the matching cards' keys (uids), in catalog order
        self._timer: Timer | None = None
        self._query = ""
        self._pending: str | None = None  # a search waiting for the search text to be made
        self.prompt_width = 30
        self.id_extra = 0
        self._hay: list[str] | None = None  # every card's search text (lower case), by position

    # --- data ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        app = self.app
        self.cards = cards = app.catalog.all_cards()
        self._uids = [c.uid for c in cards]
        self._pos = {uid: i for i, uid in enumerate(self._uids)}
        # The session only reads and writes single cards here (suspend, reset, a state): none of
        # the due queue is made (no set of 100k answered keys).
        self.session = StudySession([], app.store, app.settings, clock=app.clock)
        self.scheduler: Scheduler = self.session.scheduler
        self._titles = {d.id: d.title for d in app.catalog.decks}
        table = self.query_one("#browse-table", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(Text(label, style="bold"), key=key, width=width if width else self.prompt_width)
        self._fit_prompt()
        self.watch(table, "scroll_y", self._scrolled, init=False)
        if len(cards) <= INDEX_AT_ONCE:
            self._hay = self._search_texts(cards)
        else:  # after the first rows are on screen
            self.call_after_refresh(self._index_worker, cards)
        self.apply_filter("")
        self.query_one("#browse-search", Input).focus()

    def _search_texts(self, cards: list[Card]) -> list[str]:
        titles = self._titles
        return [
            one_line(" ".join((prompt_of(c), c.answer, c.id, c.deck_id, titles.get(c.deck_id, ""), " ".join(c.tags),
                               " ".join(c.distractors), " ".join(c.items), " ".join(c.accept)))).lower()
            for c in cards
        ]

    # (a description given: Textual would otherwise write one with the repr of every card)
    @work(thread=True, exclusive=True, exit_on_error=False, group="browse-index", description="search texts")
    def _index_worker(self, cards: list[Card]) -> None:
        """Every card's search text, in a thread (100k cards: under a second; keys work meanwhile)."""
        hay = self._search_texts(cards)
        self.app.call_from_thread(self._indexed, hay)

    def _indexed(self, hay: list[str]) -> None:
        self._hay = hay
        if self._pending is not None and self.is_attached:
            query, self._pending = self._pending, None
            self.apply_filter(query)

    def entry(self, key: str) -> Entry:
        """The card's entry (its state read when first needed)."""
        e = self.entries.get(key)
        if e is None:
            card = self.cards[self._pos[key]]
            e = self.entries[key] = Entry(card, self.session.stored_state(card))
        return e

    def compose(self) -> ComposeResult:
        yield Header()
        search = Input(placeholder="search words; deck:ID tag:TAG is:new is:suspended is:due", id="browse-search")
        search.cursor_blink = self.app.cursor_blink
        yield search
        yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(id="browse-status")
        yield Footer()

    def now(self) -> datetime:
        return self.session.now()

    def _due_text(self, s: CardState | None) -> str:
        if s is None or s.reps == 0 or s.due is None:
            return "new"
        return s.due.astimezone(self.scheduler.tz).date().isoformat()

    def recall(self, s: CardState | None) -> float | None:
        return None if s is None else self.scheduler.retrievability(s, self.now())

    @staticmethod
    def recall_cell(s: CardState | None, r: float | None) -> Text:
        """The recall column: a reviewed card's chance of recall now; ``learn`` for a card in
        (re)learning (FSRS predicts a high recall minutes after any answer, even a wrong one:
        it is not yet remembered); ``-`` for a new card."""
        if s is not None and s.reps > 0 and s.queue == "learning":
            return cell("learn", "red")
        return cell("-" if r is None else f"{r:.0%}", "dim" if r is None else ("green" if r >= 0.9 else ""))

    def row(self, e: Entry) -> list[Text]:
        if e.cells is None:
            e.cells = self._make_row(e)
        return e.cells

    def _make_row(self, e: Entry) -> list[Text]:
        c, s = e.card, e.state
        r = self.recall(s)
        widths = {k: (w or self.prompt_width) for k, _, w in COLUMNS}
        widths["id"] += self.id_extra
        due = self._due_text(s)
        return [
            fit(one_line(c.deck_id), widths["deck"]),
            fit(one_line(c.id), widths["id"]),
            fit(TYPE_SHORT.get(c.type, c.type), widths["type"]),
            fit(one_line(prompt_of(c)), widths["prompt"]),
            fit(one_line(" ".join(c.tags)), widths["tags"]),
            cell(due, "blue" if due == "new" else ""),
            self.recall_cell(s, r),
            cell("S" if s is not None and s.suspended else "", "bold yellow"),
        ]

    def _flagged(self, flag: str) -> set[str] | None:
        """The uids of the cards with ``is:flag`` (``is:new``: the answered ones; writes still
        waiting count as made); None: an unknown flag (it keeps every card, as before)."""
        store, now = self.app.store, self.now()
        name = {"new": "answered"}.get(flag, flag)
        if name not in ("answered", "suspended", "leech", "due"):
            return None
        uids = store.flagged_keys(name, now)
        writes = store.writes
        for deck_id, card_id in writes.unsaved_keys():
            s = writes.unsaved_state((deck_id, card_id))[1]
            on = s is not None and {
                "answered": s.reps > 0,
                "suspended": s.suspended,
                "leech": s.leech,
                "due": s.reps > 0 and s.due is not None and s.due <= now and not s.suspended,
            }[name]
            (uids.add if on else uids.discard)(f"{deck_id}/{card_id}")
        return uids

    def filtered(self, query: str) -> list[str] | None:
        """The keys of the cards matching ``query``, in catalog order (None: the search text is
        still being made)."""
        words, decks, tags, flags = parse_query(query)
        if words and self._hay is None:
            return None
        cards = self.cards
        idx: list[int] | range = range(len(cards))
        if decks:
            idx = [i for i in idx if cards[i].deck_id.lower() in decks]
        if tags:
            want = set(tags)
            idx = [i for i in idx if want.issubset(x.lower() for x in cards[i].tags)]
        uids = self._uids
        for f in flags:
            keys = self._flagged(f)
            if keys is None:
                continue
            if f == "new":
                idx = [i for i in idx if uids[i] not in keys]
            else:
                idx = [i for i in idx if uids[i] in keys]
        if words:
            hay = self._hay
            assert hay is not None
            for w in words:  # word by word: each pass a plain test over strings
                idx = [i for i in idx if w in hay[i]]
        return uids[:] if isinstance(idx, range) else [uids[i] for i in idx]

    def apply_filter(self, query: str) -> None:
        self._query = query
        shown = self.filtered(query)
        if shown is None:  # searched before every card's text is ready: run when it is
            self._pending = query
            self.query_one("#browse-status", Static).update(plain("Searching… (reading every card's text)"))
            return
        self._pending = None
        table = self.query_one("#browse-table", DataTable)
        current = self.current_key()
        self.shown = shown
        table.clear()
        at = shown.index(current) if current in shown else 0
        self._add_rows(max(PAGE, at + 1))
        if at:
            table.move_cursor(row=at, animate=False)
        self._status()

    def _add_rows(self, upto: int) -> None:
        """Rows of ``shown`` up to ``upto`` (a page at a time: 100k rows are never built at once)."""
        table = self.query_one("#browse-table", DataTable)
        for key in self.shown[table.row_count:min(upto, len(self.shown))]:
            table.add_row(*self.row(self.entry(key)), key=key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if event.cursor_row >= table.row_count - 20 and table.row_count < len(self.shown):
            self._add_rows(table.row_count + PAGE)

    def _scrolled(self, _value: float = 0.0) -> None:
        """Scrolled (the mouse wheel) near the last row: the next page."""
        table = self.query_one("#browse-table", DataTable)
        bottom = table.scroll_y + table.scrollable_content_region.height
        if bottom >= table.row_count - 10 and table.row_count < len(self.shown):
            self._add_rows(table.row_count + PAGE)

    def _status(self) -> None:
        total = len(self.cards)
        n = len(self.shown)
        text = f"{n} of {total} cards" if self._query.strip() else f"{total} cards"
        if not total:
            text = "No cards: no decks are loaded."
        elif not n:
            text = f"No card matches — {total} cards in all"
        if n:
            text += " · enter: details"
        self.query_one("#browse-status", Static).update(plain(text))

    # --- layout --------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_prompt, True)

    def _fit_prompt(self, redraw: bool = False) -> None:
        """The prompt column takes the room left; past 40 characters the id column gets some too."""
        table = self.query_one("#browse-table", DataTable)
        fixed = sum(w for _, _, w in COLUMNS if w)
        room = max(MIN_PROMPT, (table.size.width or self.app.size.width) - fixed - 2)
        id_extra = min(MAX_ID_EXTRA, max(0, (room - 40) // 2))
        width = room - id_extra
        if (width, id_extra) == (self.prompt_width, self.id_extra) and not redraw:
            return
        changed = (width, id_extra) != (self.prompt_width, self.id_extra)
        self.prompt_width, self.id_extra = width, id_extra
        if changed:
            for e in self.entries.values():
                e.cells = None
        for key, w in (("prompt", width), ("id", ID_WIDTH + id_extra)):
            col = table.columns.get(key)  # type: ignore[call-overload]
            if col is not None:
                col.auto_width = False
                col.width = w
        if changed and redraw:
            self.apply_filter(self._query)

    # --- events ----------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(DEBOUNCE, lambda: self.apply_filter(value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if event.value != self._query:
            self.apply_filter(event.value)
        self.action_to_table()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_detail(str(event.row_key.value))

    # --- actions -----------------------------------------------------------------------------------

    def current_key(self) -> str | None:
        table = self.query_one("#browse-table", DataTable)
        if not self.shown or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.shown) - 1)
        return self.shown[row]

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def action_to_table(self) -> None:
        self.query_one("#browse-table", DataTable).focus()

    def action_open(self) -> None:
        key = self.current_key()
        if key is not None:
            self.open_detail(key)

    def open_detail(self, key: str) -> None:
        if key not in self._pos:
            return
        e = self.entry(key)
        deck = self.app.catalog.deck(e.card.deck_id)
        meta = f"{TYPE_LONG.get(e.card.type, e.card.type)} · deck: {deck.title if deck else e.card.deck_id}"
        self.app.push_screen(CardDetail(e.card, meta, self.detail_lines(e.card), self.state_text(e)))

    def detail_lines(self, card: Card) -> list[tuple[str, str]]:
        deck = self.app.catalog.deck(card.deck_id)
        lines: list[tuple[str, str]] = [("", prompt_of(card) if card.type != "cloze" else card.prompt)]
        if card.type == "order":
            lines.append(("Items, in order", "\n".join(f"{i}. {x}" for i, x in enumerate(card.items, 1))))
        elif card.type == "cloze":
            lines.append(("Answers", "\n".join(f"{i}. {x}" for i, x in enumerate(card.cloze_answers(), 1))))
        elif card.type == "truefalse":
            lines.append(("Answer", "true" if card.truth else "false"))
        else:
            lines.append(("Answer", card.answer))
        if card.distractors:
            lines.append(("Wrong options", "\n".join(f"- {x}" for x in card.distractors)))
        if card.accept:
            lines.append(("Also accepted", "\n".join(f"- {x}" for x in card.accept)))
        if card.explanation:
            lines.append(("Explanation", card.explanation))
        lines.append(("Tags", ", ".join(card.tags) if card.tags else "(none)"))
        cites = []
        for sid in card.sources:
            src = deck.sources.get(sid) if deck else None
            cites.append(src.full_citation() if src else sid)
        lines.append(("Sources", "\n".join(cites) if cites else "(none)"))
        return lines

    def state_text(self, e: Entry) -> Content:
        s = e.state
        if s is None or s.reps == 0:
            text = Content("New: never answered.")
            if s is not None and s.suspended:
                text = text + styled("  Suspended.", "bold yellow")
            return text
        r = self.recall(s)
        due = s.due.astimezone(self.scheduler.tz).strftime("%Y-%m-%d %H:%M") if s.due else "-"
        parts = [
            f"Repetitions {s.reps} · lapses {s.lapses} · {s.queue}",
            f"Due {due}",
            f"Stability {s.stability:.1f} days" if s.stability is not None else "Stability -",
            f"Difficulty {s.difficulty:.1f}" if s.difficulty is not None else "Difficulty -",
            (f"Recall now: learning (last answered {s.last_review.astimezone(self.scheduler.tz):%Y-%m-%d %H:%M}"
             "; no recall figure until it graduates)" if s.queue == "learning" and s.last_review else
             f"Recall now {'-' if r is None else f'{r:.0%}'}"),
        ]
        flags = [name for name, on in (("suspended", s.suspended), ("leech", s.leech), ("edited", s.edited)) if on]
        if flags:
            parts.append("Flags: " + ", ".join(flags))
        return Content("\n").join(plain(p) for p in parts)

    def _refresh_entry(self, key: str) -> None:
        e = self.entry(key)
        e.state = self.session.stored_state(e.card)
        e.cells = None
        table = self.query_one("#browse-table", DataTable)
        if key in table.rows:
            for (col, _, _), value in zip(COLUMNS, self.row(e)):
                table.update_cell(key, col, value)

    def action_suspend(self) -> None:
        key = self.current_key()
        if key is None:
            return
        e = self.entry(key)
        state = e.state
        if state is not None and state.suspended:
            self.session.unsuspend(e.card)
            self.notify(f"{key} is back in study.", markup=False, timeout=3)
        else:
            self.session.suspend(e.card)
            self.notify(f"{key} suspended: it stays out of study until you press s again.", markup=False, timeout=4)
        self._refresh_entry(key)

    def action_reset(self) -> None:
        key = self.current_key()
        if key is None:
            return
        e = self.entry(key)
        if e.state is None or e.state.reps == 0:
            self.notify(f"{key} is new already.", markup=False, timeout=3)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.reset(key)

        self.app.push_screen(ConfirmReset(e.card), callback=done)

    def reset(self, key: str) -> None:
        """The card becomes new (its suspension stays); the review log is left as it is."""
        e = self.entry(key)
        self.session.reset(e.card)
        self._refresh_entry(key)
        self.notify(f"{key} reset: it is a new card again.", markup=False, timeout=3)
