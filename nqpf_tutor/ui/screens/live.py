"""Live classroom, the teacher's (projected) screen: join address, code and QR code, the roster,
each question large with a countdown and how many answered, the reveal, the podium.

The rules are the core's ``LiveGame``; the network is ``nqpf_tutor.live.server.LiveServer``, run
in this app's event loop. The screen redraws on a 0.1 s timer from what changed (a dirty flag
per part), so two hundred answers arriving at once cost one redraw, not two hundred; and a key
that changes the game does not redraw at once, so the server's messages go out first.

The game is timed by ``app.live_clock`` when the app has one (tests), else ``time.monotonic``.
"""

from __future__ import annotations

import gc
import math
import time
from pathlib import Path
from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import (
    Checkbox, ContentSwitcher, DataTable, Digits, Header, Input, Label, OptionList, Static,
)
from textual.widgets.option_list import Option

from nqpf_tutor.core.classroom.live import ENDED, LOBBY, QUESTION, REVEAL, LiveError, LiveGame, live_config
from nqpf_tutor.core.drill import write_results
from nqpf_tutor.core.text import one_line
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.screens.drill import DrillSetupScreen, numeric, points
from nqpf_tutor.ui.widgets.plain import Plain, ProgressLine, cell, plain, styled

TICK = 0.05  # seconds between redraws (only what changed is drawn again)
COLLECT_AFTER = 0.5  # seconds after a question closes (the reveal sent): the cycle collector
#: Option colours, the same as on the students' page (1 red, 2 blue, 3 yellow, 4 green).
COLOURS = ("#c8102e", "#1368ce", "#966000", "#26890c")
BAR_WIDTH = 30
ROOMY_HEIGHT = 36  # at least this many lines: options drawn three lines tall


def live_clock(app) -> Callable[[], float]:
    return getattr(app, "live_clock", None) or time.monotonic


def option_label(i: int, text: str) -> Content:
    """An option as on the students' buttons: its number on its colour, then the text."""
    return Content.styled(f" {i + 1} ", f"bold #ffffff on {COLOURS[i % 4]}") + Content(" ") + styled(text, "bold")


# --- starting -----------------------------------------------------------------------------------------


def live_defaults(app) -> dict[str, Any]:
    choice = app.choice
    return {"n": choice.n or 10, "seconds": 20, "seed": choice.seed, "speed_bonus": False, "streaks": False,
            "leaderboard": True, "bind": None, "port": None, "class_name": None}


def start_live(app, options: dict[str, Any]) -> None:
    """Draw the questions (many cards: in a worker) and show the host screen (which starts the
    server); a problem is a notification."""
    from nqpf_tutor.core.drill import build_questions
    from nqpf_tutor.ui.drawing import draw_then

    try:
        config = live_config(
            n=int(options.get("n") or 10), seconds=options.get("seconds", 20), seed=options.get("seed"),
            speed_bonus=bool(options.get("speed_bonus")), streaks=bool(options.get("streaks")),
            leaderboard=bool(options.get("leaderboard", True)),
            deck_ids=tuple(app.choice.deck_ids), tags=tuple(app.choice.tags),
            class_name=options.get("class_name")).with_seed()
    except NqpfError as e:
        app.notify(str(e), title="Live game", severity="error", markup=False)
        return
    cards = app.selected_cards()

    def show(questions) -> None:
        game = LiveGame(config, questions, app.store, clock=live_clock(app), now=app.clock,
                        cite=lambda card: cite(app, card))
        app.push_screen(LiveScreen(game, bind=options.get("bind"), port=options.get("port")))

    draw_then(app, len(cards), f"{config.n} questions", lambda progress: build_questions(cards, config.n, config.seed, progress), show,
              title="Live game")


def cite(app, card) -> str:
    deck = app.catalog.deck(card.deck_id)
    out = []
    for sid in card.sources:
        src = deck.sources.get(sid) if deck else None
        out.append(src.full_citation() if src else sid)
    return "; ".join(out)


def open_live(app) -> None:
    """The command line's options start the game at once; else the set-up form first."""
    options = dict(getattr(app, "live_options", None) or {})
    if options:
        start_live(app, options)
        return

    def chosen(options: dict | None) -> None:
        if options is not None:
            start_live(app, options)

    app.push_screen(LiveSetupScreen(), callback=chosen)


class LiveSetupScreen(DrillSetupScreen):
    """The drill's set-up form for a live game: no student names (everyone joins), but the
    class (kept for the class report), the address and port to listen on. Returns the options
    for ``start_live``."""

    TITLE_TEXT = "Live classroom game"

    def _fields(self) -> list[tuple[str, str, str, str, str]]:
        from nqpf_tutor.live.net import DEFAULT_PORT

        drill = {f[1]: f for f in super()._fields()}  # everyone joins: no students field
        return [
            drill["setup-n"], drill["setup-seconds"], drill["setup-seed"], drill["setup-class"],
            ("Listen on (optional)", "setup-bind", "", "text", "empty: this network; 0.0.0.0: all"),
            ("Port (optional)", "setup-port", "", "integer", f"empty: {DEFAULT_PORT} or the next free"),
        ]

    def _from_text(self) -> str:
        return super()._from_text().replace("Enter starts", "Students join from a browser. Enter starts")

    def config(self) -> dict[str, Any]:  # type: ignore[override]
        from nqpf_tutor.live.net import check_bind

        n = self._int("setup-n", "number of questions", None)
        if n is None:
            raise NqpfError("number of questions: give 1 or more")
        seconds = self._int("setup-seconds", "seconds per question", 0)
        seed = self._int("setup-seed", "seed", None)
        port = self._int("setup-port", "port", None)
        if port is not None and not 1 <= port <= 65535:
            raise NqpfError(f"port must be 1 to 65535, not {port}")
        bind = self.query_one("#setup-bind", Input).value.strip() or None
        if bind:
            try:
                bind = check_bind(bind)
            except ValueError as e:
                raise NqpfError(str(e).replace("--bind", "listen on")) from None
        class_name = live_config(n=n, seconds=seconds, seed=seed,  # one-line errors: numbers, class
                                 class_name=self.query_one("#setup-class", Input).value).class_name
        return {"n": n, "seconds": seconds, "seed": seed, "bind": bind, "port": port, "class_name": class_name,
                "speed_bonus": self.query_one("#setup-speed", Checkbox).value,
                "streaks": self.query_one("#setup-streaks", Checkbox).value,
                "leaderboard": self.query_one("#setup-board", Checkbox).value}


class RemoveStudentScreen(ModalScreen["int | None"]):
    """Pick a student to remove (enter), or escape."""

    DEFAULT_CSS = """
    RemoveStudentScreen { align: center middle; }
    #remove-box {
        width: 50; max-width: 95%; height: auto; max-height: 90%;
        border: round $error; padding: 0 1; background: $surface;
    }
    #remove-box OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, players: list[tuple[int, str]]) -> None:
        super().__init__()
        self.players = players

    def compose(self) -> ComposeResult:
        with Vertical(id="remove-box"):
            yield Static(styled("Remove a student (enter), escape: cancel", "bold"))
            yield OptionList(*[Option(plain(name), id=str(pid)) for pid, name in self.players], id="remove-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- the host screen ------------------------------------------------------------------------------------


class KeyLine(Widget):
    """The host screen's footer: the keys that do something now, as Textual's Footer draws them,
    but one line of text redrawn in place. (The Footer rebuilds its widgets whenever the keys
    change, at every question's opening and closing, and that stalled the students' answers.)
    A click on a key presses it."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keyline--key", "keyline--description"}
    DEFAULT_CSS = """
    KeyLine {
        dock: bottom; height: 1; width: 1fr;
        color: $footer-foreground; background: $footer-background;
        text-wrap: nowrap; text-overflow: ellipsis;
        .keyline--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        .keyline--description { color: $footer-description-foreground; background: $footer-description-background; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys: tuple = ((), None)
        self._spans: list[tuple[int, int, str]] = []

    def show_keys(self, keys: list[tuple[str, str, str]], right: tuple[str, str, str] | None = None) -> None:
        """``keys``: (key, its display, description) for each key to show, in order; ``right``:
        one more at the right end (the command palette)."""
        keys_t = (tuple(keys), right)
        if keys_t != self._keys:
            self._keys = keys_t
            self.refresh()

    def render(self) -> Content:
        key_style = self.get_visual_style("keyline--key", partial=True)
        desc_style = self.get_visual_style("keyline--description", partial=True)
        keys, right = self._keys
        parts: list[Content] = []
        self._spans = []
        x = 0
        for key, display, description in keys:
            parts += [Content.styled(f" {display} ", key_style), Content.styled(f"{description} ", desc_style)]
            width = len(display) + len(description) + 3
            self._spans.append((x, x + width, key))
            x += width
        if right is not None:
            key, display, description = right
            width = len(display) + len(description) + 4
            gap = self.size.width - x - width
            if gap >= 1:
                parts += [Content(" " * gap), Content.styled("▏", "$foreground 20%"),
                          Content.styled(f"{display} ", key_style), Content.styled(f"{description} ", desc_style)]
                self._spans.append((x + gap, x + gap + width, key))
        return Content("").join(parts)

    def on_click(self, event) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


class LiveScreen(Screen):
    """The projected screen of a live game."""

    DEFAULT_CSS = """
    LiveScreen #live-switcher { height: 1fr; }
    LiveScreen #live-lobby { height: 1fr; }
    LiveScreen #live-qr { width: auto; height: auto; margin: 0 1 0 1; }
    LiveScreen #live-join { width: 1fr; height: 1fr; padding: 0 1; }
    LiveScreen .live-label { color: $text-muted; }
    LiveScreen #live-url { text-style: bold; color: $text-accent; }
    LiveScreen #live-code { width: auto; }
    LiveScreen #live-listen { color: $text-muted; }
    LiveScreen #live-roster-title { text-style: bold; margin-top: 1; }
    LiveScreen #live-roster { height: auto; }
    LiveScreen #live-lobby-keys { margin-top: 1; color: $text-muted; }
    LiveScreen #live-question { height: 1fr; padding: 0 2; }
    LiveScreen #live-qtop { height: 3; }
    LiveScreen #live-qinfo { width: 1fr; height: 3; }
    LiveScreen #live-qnum { text-style: bold; }
    LiveScreen #live-qnum { height: 1; }
    LiveScreen #live-count { height: 1; text-style: bold; color: $text-accent; }
    LiveScreen #live-timer { width: auto; min-width: 8; color: $text-success; }
    LiveScreen #live-timer.low { color: $text-warning; }
    LiveScreen #live-timer.out { color: $text-error; }
    LiveScreen #live-timebar { height: 1; width: 100%; }
    LiveScreen #live-prompt { text-style: bold; margin: 1 0; }
    LiveScreen .live-option { height: auto; margin-bottom: 0; }
    LiveScreen.roomy .live-option { padding: 1 0; }
    LiveScreen.roomy #live-prompt { margin: 2 0; }
    LiveScreen #live-paused { color: $text-warning; text-style: bold; }
    LiveScreen #live-reveal { height: 1fr; }
    LiveScreen #live-reveal-main { width: 1fr; height: 1fr; padding: 0 2; }
    LiveScreen #live-rtitle { text-style: bold; }
    LiveScreen #live-answer { text-style: bold; color: $text-success; margin-top: 1; }
    LiveScreen #live-bars { margin-top: 1; height: auto; }
    LiveScreen #live-explanation { margin-top: 1; }
    LiveScreen #live-source { color: $text-muted; }
    LiveScreen #live-rkeys { margin-top: 1; color: $text-muted; }
    LiveScreen.roomy #live-bars { margin-top: 2; }
    LiveScreen.roomy #live-explanation { margin-top: 2; }
    LiveScreen #live-board {
        width: 30; height: auto; max-height: 100%; margin: 1 1 0 0; padding: 0 1;
        border: round $primary 60%; border-title-color: $text-accent;
    }
    LiveScreen #live-end { height: 1fr; padding: 0 2; }
    LiveScreen #live-podium { text-style: bold; margin-top: 1; }
    LiveScreen .live-heading { text-style: bold; color: $text-accent; margin-top: 1; }
    LiveScreen #live-scores { height: auto; max-height: 12; }
    LiveScreen #live-end-keys { margin-top: 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("enter,space,n", "next", "Start / next", id="live-next", tooltip="Start the game; the next question"),
        Binding("s", "skip", "Skip", id="live-skip", tooltip="Close this question now"),
        Binding("p", "pause", "Pause", id="live-pause", tooltip="Pause or go on (the time stands still)"),
        Binding("x", "remove", "Remove", id="live-remove", tooltip="Remove a student from the game"),
        Binding("e", "end", "End", id="live-end-key", tooltip="End the game now (answers are kept)"),
        Binding("m", "second_round", "Second round", id="live-second", tooltip="Ask the missed questions again"),
        Binding("w", "write", "Write results", id="live-write", tooltip="Write the results as CSV and JSON"),
        Binding("escape", "leave", "Leave", id="live-leave", tooltip="End the game and go home"),
    ]

    def __init__(self, game: LiveGame, *, bind: str | None = None, port: int | None = None) -> None:
        super().__init__()
        self.game = game
        self.bind_to = bind
        self.port_given = port
        self.server = None
        self.listen_note = ""
        self.redraws = 0  # timer redraws (the benchmark reads it)
        self.round_no = 1
        self.written: tuple[Path, Path] | None = None
        self._dirty: set[str] = {"all"}
        self._shown_phase = ""
        self._last: dict[str, Any] = {}  # what the count and timer show now
        self._froze = False
        game.subscribe(self._on_game)

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial="live-lobby", id="live-switcher"):
            with Horizontal(id="live-lobby"):
                yield Static(id="live-qr")
                with VerticalScroll(id="live-join"):
                    yield Label("Join at", classes="live-label")
                    yield Static(id="live-url")
                    yield Label("Game code", classes="live-label")
                    yield Digits("", id="live-code")
                    yield Static(id="live-listen")
                    yield Static(id="live-roster-title")
                    yield Plain(id="live-roster")
                    yield Static(id="live-lobby-keys")
            with Vertical(id="live-question"):
                with Horizontal(id="live-qtop"):
                    with Vertical(id="live-qinfo"):
                        yield Static(id="live-qnum")
                        yield Static(id="live-count")
                    yield Digits("", id="live-timer")
                yield ProgressLine(id="live-timebar")
                with VerticalScroll(id="live-qbody"):
                    yield Plain(id="live-prompt")
                    with Vertical(id="live-options"):  # four (the most a question has), filled per question
                        for _ in range(4):
                            yield Static(classes="live-option")
                    yield Static(id="live-paused")
            with Horizontal(id="live-reveal"):
                with VerticalScroll(id="live-reveal-main"):
                    yield Static(id="live-rtitle")
                    yield Plain(id="live-rprompt")
                    yield Static(id="live-answer")
                    yield Static(id="live-bars")
                    yield Plain(id="live-explanation")
                    yield Plain(id="live-source")
                    yield Static(id="live-rkeys")
                board = Static(id="live-board")
                board.border_title = "Leaderboard"
                yield board
            with VerticalScroll(id="live-end"):
                yield Static(id="live-end-title")
                yield Static(id="live-podium")
                yield Label("Scores", classes="live-heading")
                yield DataTable(id="live-scores", cursor_type="none", zebra_stripes=True, show_cursor=False)
                yield Label("Most missed", classes="live-heading")
                yield Plain(id="live-missed")
                yield Static(id="live-end-keys")
        yield KeyLine(id="live-keys")

    async def on_mount(self) -> None:
        self.set_class(self.size.height >= ROOMY_HEIGHT, "roomy")
        await self.start_server()
        self.redraw()
        self.set_interval(TICK, self._tick)

    def on_resize(self) -> None:
        self.set_class(self.size.height >= ROOMY_HEIGHT, "roomy")

    # --- the server -------------------------------------------------------------------------------

    async def start_server(self) -> None:
        """Listen on the address asked for (default: this machine's LAN address; port 8765 or
        the next free one). A failure is said on screen; the game cannot be joined then."""
        from nqpf_tutor.live.net import ALL, DEFAULT_PORT, LOOPBACK, PORT_TRIES, lan_address, shown_address
        from nqpf_tutor.live.server import LiveServer

        bind = self.bind_to or lan_address()
        shown = shown_address(bind)
        ports = [self.port_given] if self.port_given is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES))
        error = None
        for port in ports:
            server = LiveServer(self.game, bind, port, shown_host=shown, on_error=self._server_error)
            try:
                await server.start()
            except OSError as e:
                error = e
                continue
            self.server = server
            break
        if self.server is None:
            where = f"{bind}:{ports[0]}" if len(ports) == 1 else f"{bind} (ports {ports[0]}-{ports[-1]})"
            reason = getattr(error, "strerror", None) or str(error)
            self.listen_note = f"Cannot listen on {where}: {reason}. Leave (escape) and try --port or --bind."
            self.notify(self.listen_note, title="Live game", severity="error", markup=False, timeout=20)
            return
        if bind in ALL:
            self.listen_note = f"Listening on every network interface, port {self.server.port} (--bind {bind})."
        elif bind.startswith("127.") or bind == "::1":
            note = " No network found: only this computer can join." if self.bind_to is None else \
                " Only this computer can join."
            self.listen_note = f"Listening on {bind}:{self.server.port}." + note
        else:
            self.listen_note = f"Listening on {bind}:{self.server.port} only (this network)."
        if self.bind_to is None and bind == LOOPBACK:
            self.notify("No network found: students' devices cannot reach this computer.", severity="warning")

    def _server_error(self, message: str) -> None:
        self.notify(message, title="Live game", severity="error", markup=False)

    async def on_unmount(self) -> None:
        if self._froze:  # the game's objects may be garbage now: one full pass, then frozen again
            gc.unfreeze()  # (as the app's start froze what it loaded: later passes stay short)
            gc.collect()
            gc.freeze()
        self.game.unsubscribe(self._on_game)
        if self.server is not None:
            await self.server.stop()
            self.server = None

    # --- what changed -----------------------------------------------------------------------------

    def _on_game(self, kind: str, data: dict[str, Any]) -> None:
        self._dirty.add(kind)

    def _tick(self) -> None:
        self.redraws += 1
        self.redraw()

    def redraw(self) -> None:
        """Bring the screen up to date with the game (called every ``TICK``)."""
        game = self.game
        dirty, self._dirty = self._dirty, set()
        phase = game.phase
        if phase != self._shown_phase:
            self._shown_phase = phase
            self._draw_keys()
            if phase != QUESTION:
                self.set_timer(COLLECT_AFTER, self._collect)
            self.query_one(ContentSwitcher).current = {
                LOBBY: "live-lobby", QUESTION: "live-question", REVEAL: "live-reveal", ENDED: "live-end"}[phase]
            dirty.add("all")
        full = "all" in dirty
        if phase == LOBBY:
            if full:
                self._draw_join()
            if full or "roster" in dirty:
                self._draw_roster()
        elif phase == QUESTION:
            if full or "question" in dirty:
                self._draw_question()
            self._draw_count()
            self._draw_time()
        elif phase == REVEAL:
            if full or "reveal" in dirty or "roster" in dirty:
                self._draw_reveal()
        elif phase == ENDED and full:
            self._draw_end()

    def _collect(self) -> None:
        """Python's cycle collector, run while no question is open (its full pass took 40 ms with
        a game's objects, and while a question is open an answer waiting on it is a late ack),
        then what survived is frozen out of later passes; thawed, collected and frozen again
        when the screen goes (nothing the game left stays uncollected)."""
        if self.game.phase != QUESTION and self.is_attached:
            gc.collect()
            gc.freeze()
            self._froze = True

    def _draw_keys(self) -> None:
        """The keys that do something now (as Textual's Footer picks them: one per action)."""
        shown: dict[str, tuple[str, str, str]] = {}
        palette = None
        for key, active in self.active_bindings.items():
            binding = active.binding
            if not active.enabled:
                continue
            if key == self.app.COMMAND_PALETTE_BINDING and self.app.ENABLE_COMMAND_PALETTE:
                palette = (key, self.app.get_key_display(binding), binding.description)
                continue
            if not binding.show:
                continue
            shown.setdefault(binding.action, (key, self.app.get_key_display(binding), binding.description))
        self.query_one(KeyLine).show_keys(list(shown.values()), palette)

    # --- lobby ------------------------------------------------------------------------------------------

    def _draw_join(self) -> None:
        from nqpf_tutor.live.qr import qr_lines

        qr = self.query_one("#live-qr", Static)
        if self.server is not None:
            lines = qr_lines(self.server.join_url)
            qr.update(Content("\n").join(Content.styled(line, "#000000 on #ffffff") for line in lines))
            qr.display = True
            self.query_one("#live-url", Static).update(plain(self.server.url))
        else:
            qr.display = False
            self.query_one("#live-url", Static).update(styled("(not listening)", "bold red"))
        self.query_one("#live-code", Digits).update(self.game.code)
        self.query_one("#live-listen", Static).update(plain(self.listen_note))
        started = self.game.index >= 0
        what = "second round, " if self.round_no > 1 else ""
        keys = f"enter: {'next question' if started else 'start'}  ·  x: remove a student  ·  escape: end"
        if self.game.config.class_name:
            what = f"class {self.game.config.class_name} · {what}"
        info = f"{what}{self.game.total} questions · " + (
            f"{self.game.config.seconds} s each" if self.game.config.seconds else "no timer")
        self.query_one("#live-lobby-keys", Static).update(styled(info + "\n" + keys, "dim"))

    def _draw_roster(self) -> None:
        players = self.game.active_players()
        n = len(players)
        connected = sum(p.connected for p in players)
        title = f"{n} student{'s' * (n != 1)} joined" + (f" ({n - connected} away)" if connected < n else "")
        if not n:
            title = "Waiting for students to join…"
        self.query_one("#live-roster-title", Static).update(styled(title, "bold"))
        self.query_one("#live-roster", Plain).set_text(", ".join(p.name for p in players))

    # --- question ----------------------------------------------------------------------------------------

    def _draw_question(self) -> None:
        game = self.game
        q = game.current
        if q is None:
            return
        self._last.clear()
        tag = " · second round: the missed questions" if self.round_no > 1 else ""
        join = f"join {self.server.url} · " if self.server is not None and self.size.width >= 100 else ""
        self.query_one("#live-qnum", Static).update(
            styled(f"Question {game.index + 1} of {game.total}", "bold") + styled(f"   {join}code {game.code}{tag}", "dim"))
        self.query_one("#live-prompt", Plain).set_text(q.prompt)
        for i, widget in enumerate(self.query(".live-option").results(Static)):
            if i < len(q.options):
                widget.update(option_label(i, q.options[i]))
            widget.display = i < len(q.options)
        timed = bool(game.config.seconds)
        self.query_one("#live-timer").display = timed
        self.query_one("#live-timebar").display = timed
        self.query_one("#live-qbody").scroll_home(animate=False)

    def _changed(self, key: str, value: Any) -> bool:
        if self._last.get(key) == value:
            return False
        self._last[key] = value
        return True

    def _draw_count(self) -> None:
        game = self.game
        count = f"{game.answered_count()} of {game.expected_count()} answered"
        if self._changed("count", count):  # one line, always: no layout (answers keep coming)
            self.query_one("#live-count", Static).update(styled(count, "bold"), layout=False)
        if self._changed("paused", game.paused):
            self.query_one("#live-paused", Static).update(
                styled("⏸ Paused: p goes on", "bold") if game.paused else "")

    def _draw_time(self) -> None:
        game = self.game
        seconds = game.config.seconds
        if not seconds:
            return
        left = game.remaining() or 0.0
        shown = str(math.ceil(left - 1e-9)) if left > 0 else "0"
        if self._changed("timer", shown):
            timer = self.query_one("#live-timer", Digits)
            timer.update(shown)
            timer.set_class(0 < left <= min(5, seconds / 3), "low")
            timer.set_class(left <= 0, "out")
        bar = round(left * 4)  # a quarter of a second: the bar moves smoothly enough
        if self._changed("bar", bar):
            self.query_one("#live-timebar", ProgressLine).update_progress(seconds * 4, bar)

    # --- reveal ------------------------------------------------------------------------------------------

    def _draw_reveal(self) -> None:
        game = self.game
        q = game.current
        if q is None:
            return
        counts = game.option_counts()
        asked = game.expected_count()
        answered = sum(counts)
        self.query_one("#live-rtitle", Static).update(
            styled(f"Question {game.index + 1} of {game.total}", "bold")
            + styled(f"   {answered} of {asked} answered", "dim"))
        self.query_one("#live-rprompt", Plain).set_text(q.prompt)
        self.query_one("#live-answer", Static).update(
            styled("Answer: ", "bold") + option_label(q.correct, q.answer) + styled("  ✓", "bold green"))
        top = max(counts) if counts and max(counts) else 1
        main = self.size.width - (32 if game.config.leaderboard else 0) - 5
        width = max(6, min(BAR_WIDTH, main // 3))
        room = max(8, main - width - 11)
        lines = []
        for i, opt in enumerate(q.options):
            bar = "█" * round(width * counts[i] / top) if counts[i] else ""
            mark = " ✓" if i == q.correct else ""
            text = one_line(opt)
            if len(text) + len(mark) > room:
                text = text[: max(1, room - len(mark) - 1)] + "…"
            lines.append(Content.styled(f" {i + 1} ", f"bold #ffffff on {COLOURS[i % 4]}") + Content(" ")
                         + Content.styled(bar.ljust(width), COLOURS[i % 4]) + Content(f" {counts[i]:>3}  ")
                         + styled(text + mark, "bold" if i == q.correct else ""))
        self.query_one("#live-bars", Static).update(Content("\n").join(lines))
        self.query_one("#live-explanation", Plain).set_text(q.card.explanation)
        source = game.cite(q.card)
        self.query_one("#live-source", Plain).set_text(f"Source: {source}" if source else "")
        nxt = "enter: the podium" if game.is_last else "enter: next question"
        self.query_one("#live-rkeys", Static).update(styled(f"{nxt}  ·  e: end the game", "dim"))
        board = self.query_one("#live-board", Static)
        if game.config.leaderboard:
            board.update(self._board_text(game.leaderboard()[:8]))
            board.display = True
        else:
            board.display = False

    @staticmethod
    def _board_text(board) -> Content:
        lines = []
        for s in board:
            name = one_line(s.student)
            name = name if len(name) <= 16 else name[:15] + "…"
            lines.append(Content(f"{s.rank:>2}. ") + Content(name.ljust(16)) + Content(f" {points(s.points):>5}"))
        return Content("\n").join(lines) if lines else Content("(nobody yet)")

    # --- end ---------------------------------------------------------------------------------------------

    def _draw_end(self) -> None:
        game = self.game
        right = sum(a.correct for a in game.answers)
        title = f"Game over: {game.closed_count} of {game.total} questions, {right} of {len(game.answers)} answers right"
        if self.round_no > 1:
            title = f"Round {self.round_no} · " + title
        self.query_one("#live-end-title", Static).update(styled(title, "bold"))
        board = game.leaderboard()
        medals = ["1st", "2nd", "3rd"]
        podium = [styled(f"{medals[min(s.rank, 3) - 1]}  ", "bold") + plain(s.student)
                  + styled(f"  {points(s.points)} point{'s' * (s.points != 1)}", "dim")
                  for s in board[:3] if s.answered]
        self.query_one("#live-podium", Static).update(Content("\n").join(podium) if podium else "No answers.")
        table = self.query_one("#live-scores", DataTable)
        table.clear(columns=True)
        table.add_column("#", key="rank")
        table.add_column("Student", key="student")
        table.add_column("Points", key="points")
        table.add_column("Right", key="right")
        for s in board:
            table.add_row(numeric(cell(s.rank)), cell(s.student), numeric(cell(points(s.points))),
                          numeric(cell(f"{s.right} of {s.answered}")))
        missed = game.most_missed(5)
        if not game.answers:
            text = "No questions were answered."
        elif not missed:
            text = "None: every answer was right."
        else:
            lines = []
            for i, (q, m, n) in enumerate(missed, 1):
                lines.append(f"{i}. {q.prompt}")
                lines.append(f"   answer: {q.answer}   (missed {m} of {n})")
            text = "\n".join(lines)
        self.query_one("#live-missed", Plain).set_text(text)
        keys = []
        n_missed = len(game.missed_questions())
        if n_missed:
            keys.append(f"m: second round ({n_missed} missed)")
        keys += ["w: write results", "escape: home"]
        self.query_one("#live-end-keys", Static).update(styled("    ".join(keys), "dim"))

    # --- keys ------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.game.phase
        allowed = {
            "next": phase in (LOBBY, REVEAL),
            "skip": phase == QUESTION,
            "pause": phase == QUESTION,
            "end": phase != ENDED,
            "remove": phase != ENDED,
            "second_round": phase == ENDED and bool(self.game.missed_questions()),
            "write": phase == ENDED,
        }
        if action in allowed:
            return allowed[action]  # keys that do nothing now are not shown (a projected footer)
        return True

    def _guard(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except LiveError as e:
            self.notify(str(e), title="Live game", markup=False)
        except NqpfError as e:  # the store: nothing changed, try again
            self.notify(str(e), title="Not saved", severity="error", markup=False)
        self._dirty.add("all")  # drawn on the next tick: the students' messages go out first

    def action_next(self) -> None:
        if self.game.phase in (LOBBY, REVEAL):
            self._guard(self.game.open_next)

    def action_skip(self) -> None:
        self._guard(self.game.skip)

    def action_pause(self) -> None:
        self._guard(self.game.pause)

    def action_end(self) -> None:
        self._guard(self.game.end)

    def action_remove(self) -> None:
        players = [(p.id, p.name) for p in self.game.active_players()]
        if not players:
            self.notify("Nobody has joined yet.")
            return

        def removed(pid: int | None) -> None:
            if pid is not None:
                self._guard(lambda: self.game.remove(pid))

        self.app.push_screen(RemoveStudentScreen(players), callback=removed)

    def action_second_round(self) -> None:
        try:
            again = self.game.second_round()
        except LiveError as e:
            self.notify(str(e), markup=False)
            return
        self.game.unsubscribe(self._on_game)
        self.game = again
        again.subscribe(self._on_game)
        self.round_no += 1
        if self.server is not None:
            self.server.set_game(again)
        self._shown_phase = ""
        self._dirty.add("all")
        self.redraw()

    def results_path(self) -> Path:
        out = (getattr(self.app, "live_options", None) or {}).get("out")
        if out:
            p = Path(out).expanduser()
            return p if self.round_no <= 1 else p.with_name(f"{p.stem}-round{self.round_no}{p.suffix or '.csv'}")
        return self.app.loc.data_dir / "results" / f"live-{self.game.id}.csv"

    def action_write(self) -> None:
        path = self.results_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.written = write_results(self.game.record(), path)
        except OSError as e:
            self.notify(f"cannot write results to {path}: {e.strerror or e}", severity="error", markup=False)
            return
        except NqpfError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.notify(f"{self.written[0]}\n{self.written[1]}", title="Results written", markup=False, timeout=8)

    def action_leave(self) -> None:
        if self.game.phase not in (LOBBY, ENDED):
            self._guard(self.game.end)  # the first escape ends the game and shows the podium
            return
        self.game.end()
        self.app.pop_screen()


__all__ = ["KeyLine", "LiveScreen", "LiveSetupScreen", "RemoveStudentScreen", "live_clock", "open_live", "start_live"]
