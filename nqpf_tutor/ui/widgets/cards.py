"""Widgets for answering cards: options, an orderable list, cloze blanks, grade buttons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from textual.content import Content

from nqpf_tutor.core.text import clean
from nqpf_tutor.ui.widgets.plain import plain


#: Keys for a question's options, for screens with ``action_pick(i)`` and ``action_truefalse(value)``.
OPTION_BINDINGS = [
    Binding("1", "pick(0)", "Option 1", show=False),
    Binding("2", "pick(1)", "Option 2", show=False),
    Binding("3", "pick(2)", "Option 3", show=False),
    Binding("4", "pick(3)", "Option 4", show=False),
    Binding("t", "truefalse('True')", "True", show=False),
    Binding("f", "truefalse('False')", "False", show=False),
]


class Options(Vertical):
    """Numbered options; 1-4 (or a click) picks one."""

    DEFAULT_CSS = """
    Options {
        height: auto;
    }
    .option {
        width: 100%;
        height: auto;
        content-align: left middle;
        text-align: left;
        margin-bottom: 0;
    }
    .option.right {
        color: $text-success;
        text-style: bold;
    }
    .option.wrong {
        color: $text-error;
        text-style: strike;
    }
    .option:disabled {
        opacity: 100%;
    }
    """

    class Picked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, options: tuple[str, ...] | list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.options = list(options)

    def compose(self) -> ComposeResult:
        for i, opt in enumerate(self.options):
            yield Button(plain(f"{i + 1}. {opt}"), id=f"option-{i}", classes="option", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Picked(int((event.button.id or "option-0").split("-")[1])))

    def show_result(self, picked: int | None, correct: int) -> None:
        for i, button in enumerate(self.query(Button)):
            button.disabled = True
            if i == correct:
                button.add_class("right")
                button.label = plain(f"{i + 1}. {self.options[i]}  ✓")
            elif i == picked:
                button.add_class("wrong")
                button.label = plain(f"{i + 1}. {self.options[i]}  ✗")


class OrderList(Widget, can_focus=True):
    """Items to put in order: up/down choose an item, shift+up/down (or K/J) move it, enter checks."""

    DEFAULT_CSS = """
    OrderList {
        height: auto;
        padding: 0 1;
        border: round $primary 50%;
    }
    OrderList:focus {
        border: round $primary;
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("shift+up,ctrl+up,K", "move(-1)", "Move up", id="order-up"),
        Binding("shift+down,ctrl+down,J", "move(1)", "Move down", id="order-down"),
        Binding("enter", "submit", "Check order", id="order-check"),
    ]

    items: reactive[tuple[str, ...]] = reactive(tuple, always_update=True)
    cursor: reactive[int] = reactive(0)

    class Submitted(Message):
        def __init__(self, items: list[str]) -> None:
            super().__init__()
            self.items = items

    def __init__(self, items: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(OrderList.items, tuple(items))
        self.locked = False
        self.verdicts: list[bool] | None = None

    def render(self) -> Content:
        lines = []
        for i, item in enumerate(self.items):
            mark = "▶ " if i == self.cursor and not self.locked else "  "
            verdict = ""
            if self.verdicts is not None:
                verdict = "  ✓" if self.verdicts[i] else "  ✗"
            lines.append(f"{mark}{i + 1}. {clean(item)}{verdict}")
        return Content("\n".join(lines))

    def action_cursor(self, delta: int) -> None:
        if not self.locked and self.items:
            self.cursor = (self.cursor + delta) % len(self.items)

    def action_move(self, delta: int) -> None:
        if self.locked:
            return
        i, j = self.cursor, self.cursor + delta
        if 0 <= j < len(self.items):
            items = list(self.items)
            items[i], items[j] = items[j], items[i]
            self.items = tuple(items)
            self.cursor = j

    def action_submit(self) -> None:
        if not self.locked:
            self.post_message(self.Submitted(list(self.items)))

    def show_result(self, right: list[str]) -> None:
        self.locked = True
        self.verdicts = [a == b for a, b in zip(self.items, right)]
        self.refresh()


class ClozeBlanks(Vertical):
    """One input per deletion; enter moves on, and on the last one checks."""

    DEFAULT_CSS = """
    ClozeBlanks {
        height: auto;
    }
    .blank-row {
        height: auto;
    }
    .blank-label {
        width: 4;
        padding: 1 0;
    }
    .blank {
        width: 1fr;
    }
    """

    class Submitted(Message):
        def __init__(self, answers: list[str]) -> None:
            super().__init__()
            self.answers = answers

    def __init__(self, count: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.count = count

    def compose(self) -> ComposeResult:
        for i in range(self.count):
            with Horizontal(classes="blank-row"):
                yield Static(f"{i + 1}:", classes="blank-label", markup=False)
                inp = Input(placeholder=f"blank {i + 1} (enter with all empty: just show the answer)",
                            id=f"blank-{i}", classes="blank")
                inp.cursor_blink = getattr(self.app, "cursor_blink", True)
                yield inp

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        i = inputs.index(event.input)
        if i + 1 < len(inputs) and any(x.value.strip() for x in inputs[: i + 1]):
            inputs[i + 1].focus()
            return
        self.post_message(self.Submitted([x.value for x in inputs]))


GRADE_NAMES = ("Again", "Hard", "Good", "Easy")


class GradeBar(Horizontal):
    """Again / Hard / Good / Easy with the interval each would give (as Anki shows)."""

    class Graded(Message):
        def __init__(self, grade: int) -> None:
            super().__init__()
            self.grade = grade

    def __init__(self, intervals: dict[int, str] | None = None, suggested: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.intervals = intervals or {}
        self.suggested = suggested

    @staticmethod
    def _label(i: int, name: str, interval: str) -> Content:
        return Content(f"{i} {name}" + (f" · {interval}" if interval else ""))

    def compose(self) -> ComposeResult:
        for i, name in enumerate(GRADE_NAMES, 1):
            b = Button(self._label(i, name, self.intervals.get(i, "")), id=f"grade-{i}",
                       classes=f"grade grade-{name.lower()}")
            b.set_class(i == self.suggested, "suggested")
            yield b

    def set_intervals(self, intervals: dict[int, str], suggested: int | None = None) -> None:
        self.intervals, self.suggested = intervals, suggested
        for i, name in enumerate(GRADE_NAMES, 1):
            for b in self.query(f"#grade-{i}").results(Button):
                b.label = self._label(i, name, intervals.get(i, ""))
                b.set_class(i == suggested, "suggested")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Graded(int((event.button.id or "grade-3").split("-")[1])))
