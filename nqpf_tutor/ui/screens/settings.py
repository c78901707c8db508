"""Settings (o on home): every learner setting, explained, checked as typed, saved to settings.yaml.

The checks are the settings file's own (``Settings.from_dict``), so the screen and the file
accept exactly the same values; a field in error says why on the line under it, and nothing is
saved until every field is right.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from nqpf_tutor.core.settings import SETTING_HELP, Settings, SettingsError, format_step, save_settings
from nqpf_tutor.ui.widgets.plain import Plain, TitleLine, plain, styled

#: The fields in the order shown (deck_new_per_day gets one field per loaded deck).
ORDER = ["new_per_day", "deck_new_per_day", "reviews_per_day", "desired_retention", "learning_steps",
         "relearning_steps", "day_rollover_hour", "maximum_interval", "leech_threshold", "learn_ahead_minutes",
         "timezone", "paper_size"]
INTS = {"new_per_day", "reviews_per_day", "day_rollover_hour", "maximum_interval", "leech_threshold",
        "learn_ahead_minutes"}


def field_text(settings: Settings, key: str) -> str:
    value = getattr(settings, key)
    if key in ("learning_steps", "relearning_steps"):
        return ", ".join(format_step(s) for s in value)
    if value is None:
        return ""
    return str(value)


def parse_field(key: str, text: str):
    """The text of a field as the YAML file would hold it (then checked by ``Settings``)."""
    text = text.strip()
    if key in INTS:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"must be a whole number, got {text!r}") from None
    if key == "desired_retention":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"must be a number like 0.9, got {text!r}") from None
    if key in ("learning_steps", "relearning_steps"):
        return [p for p in text.replace(",", " ").split() if p]
    if key == "timezone":
        return text or None
    return text


def check(key: str, value) -> str | None:
    """None when ``value`` is a good ``key``, else the one-line reason."""
    try:
        Settings.from_dict({key: value}, source="")
    except SettingsError as e:
        return str(e).removeprefix(": ").removeprefix(f"{key}: ")
    return None


class SettingsScreen(Screen):
    DEFAULT_CSS = """
    SettingsScreen #settings-area {
        height: 1fr;
        padding: 0 2;
    }
    SettingsScreen .settings-intro {
        color: $text-muted;
        margin: 1 0;
    }
    SettingsScreen .settings-row {
        height: auto;
        margin-top: 1;
    }
    SettingsScreen .settings-label {
        width: 28;
        text-style: bold;
    }
    SettingsScreen .settings-row Input {
        width: 1fr;
        background: $panel;
    }
    SettingsScreen .settings-row Input:focus {
        background: $panel-lighten-1;
    }
    SettingsScreen .settings-row Input.-invalid {
        color: $text-error;
    }
    SettingsScreen .settings-help {
        color: $text-muted;
        padding-left: 28;
    }
    SettingsScreen .settings-error {
        color: $text-error;
        padding-left: 28;
        display: none;
    }
    SettingsScreen #settings-status {
        margin-top: 1;
    }
    SettingsScreen #settings-buttons {
        height: auto;
        margin: 1 0;
    }
    SettingsScreen #settings-buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings-save", priority=True, tooltip="Save to settings.yaml"),
        Binding("escape", "leave", "Back", id="settings-back", tooltip="Back without saving"),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        s: Settings = app.settings
        blink = getattr(app, "cursor_blink", True)
        yield TitleLine()
        with VerticalScroll(id="settings-area"):
            yield Plain("Saved to settings.yaml in the config dir (the path is shown once saved).\n"
                        "tab: next field, enter or ctrl+s: save, escape: back without saving.",
                        classes="settings-intro")
            for key in ORDER:
                label, help_text = SETTING_HELP[key]
                if key == "deck_new_per_day":
                    yield Label(label, classes="settings-label settings-row")
                    yield Plain(help_text + "; its new cards neither use nor use up the shared limit.",
                                classes="settings-help")
                    for deck in app.catalog.decks:
                        value = s.deck_new_per_day.get(deck.id)
                        wid = f"deck-new-{len(self._decks)}"
                        self._decks[wid] = deck.id
                        with Horizontal(classes="settings-row"):
                            yield Label(plain(f"  {deck.id}"), classes="settings-label")
                            inp = Input("" if value is None else str(value), placeholder="empty: shares the limit above",
                                        id=wid, compact=True, classes="setting")
                            inp.cursor_blink = blink
                            yield inp
                        yield Static("", classes="settings-error", id=f"{wid}-error")
                    continue
                with Horizontal(classes="settings-row"):
                    yield Label(label, classes="settings-label")
                    inp = Input(field_text(s, key), id=f"set-{key}", compact=True, classes="setting")
                    inp.cursor_blink = blink
                    yield inp
                yield Plain(help_text, classes="settings-help")
                yield Static("", classes="settings-error", id=f"set-{key}-error")
            yield Static("", id="settings-status")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", id="settings-save-btn", variant="primary", compact=True)
                yield Button("Back", id="settings-back-btn", compact=True)
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self._decks: dict[str, str] = {}  # input id -> deck id

    def on_mount(self) -> None:
        self.query_one("#set-new_per_day", Input).focus()

    # --- checking as typed -----------------------------------------------------------------------

    def _key_of(self, wid: str) -> str:
        return "deck_new_per_day" if wid in self._decks else wid.removeprefix("set-")

    def _problem(self, inp: Input) -> str | None:
        wid = inp.id or ""
        key = self._key_of(wid)
        text = inp.value.strip()
        if key == "deck_new_per_day":
            if not text:
                return None
            try:
                n = int(text)
            except ValueError:
                return f"must be a whole number or empty, got {text!r}"
            return check(key, {self._decks[wid]: n})
        try:
            value = parse_field(key, text)
        except ValueError as e:
            return str(e)
        return check(key, value)

    def _show(self, inp: Input) -> str | None:
        problem = self._problem(inp)
        error = self.query_one(f"#{inp.id}-error", Static)
        error.update(plain(problem or ""))
        error.display = problem is not None
        inp.set_class(problem is not None, "-invalid")
        return problem

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.input)
        self.query_one("#settings-status", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    # --- saving ----------------------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The settings the fields describe (``SettingsError`` when one is wrong)."""
        data: dict = self.app.settings.to_dict()  # settings not on this screen (theme, paper size...) kept
        limits: dict[str, int] = {}
        for inp in self.query(".setting").results(Input):
            wid = inp.id or ""
            key = self._key_of(wid)
            if key == "deck_new_per_day":
                if inp.value.strip():
                    limits[self._decks[wid]] = int(inp.value.strip())
                continue
            data[key] = parse_field(key, inp.value)
        # limits of decks not loaded now are kept as they were
        known = set(self._decks.values())
        kept = {d: n for d, n in self.app.settings.deck_new_per_day.items() if d not in known}
        data["deck_new_per_day"] = {**kept, **limits}
        return Settings.from_dict(data, source="settings")

    def action_save(self) -> None:
        status = self.query_one("#settings-status", Static)
        bad = [inp for inp in self.query(".setting").results(Input) if self._show(inp)]
        if bad:
            status.update(styled(f"Not saved: {len(bad)} field{'s' * (len(bad) != 1)} to correct (in red).", "bold red"))
            bad[0].focus()
            return
        try:
            new = self.settings()
            save_settings(new, self.app.loc.settings_path)
        except (SettingsError, ValueError) as e:
            status.update(styled(f"Not saved: {e}", "bold red"))
            return
        self.app.settings = new
        status.update(styled(f"Saved to {self.app.loc.settings_path}.", "bold green"))
        self.notify(f"Saved to {self.app.loc.settings_path}", title="Settings", markup=False, timeout=4)

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_scroll(self, how: str) -> None:
        area = self.query_one("#settings-area", VerticalScroll)
        (area.scroll_page_down if how == "page_down" else area.scroll_page_up)(animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "settings-save-btn":
            self.action_save()
        else:
            self.action_leave()


__all__ = ["SettingsScreen", "check", "parse_field"]
