"""Simulate: how much work FSRS, fitted FSRS, SM-2 and Leitner take for simulated learners.

The same simulation as ``nqpf-tutor simulate`` (``core.learning.simulate``), run in a thread
worker with a progress bar; the figures as a table, the savings, and a bar chart of reviews per
memorized card.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, ProgressBar, Select, Static

from nqpf_tutor.core.learning.simulate import LABELS, SCHEDULERS, SimulationResult, describe, saving
from nqpf_tutor.core.text import one_line
from nqpf_tutor.ui.widgets.plain import cell, plain, styled

FIELDS = (("days", "Days", "365", 6), ("cards", "Cards", "1000", 7), ("retention", "Retention", "0.9", 6),
          ("seed", "Seed", "0", 6))  # key, label, default, width


class SimulateScreen(Screen):
    DEFAULT_CSS = """
    SimulateScreen #sim-form {
        height: 1;
        margin: 1 0;
        padding: 0 1;
    }
    SimulateScreen #sim-form Label {
        padding: 0 1 0 0;
    }
    SimulateScreen #sim-form Input {
        margin-right: 1;
    }
    SimulateScreen #sim-days, SimulateScreen #sim-retention, SimulateScreen #sim-seed {
        width: 6;
    }
    SimulateScreen #sim-cards {
        width: 7;
    }
    SimulateScreen #sim-learner {
        width: 16;
        margin-right: 1;
    }
    SimulateScreen #sim-form Button {
        min-width: 5;
    }
    SimulateScreen #sim-body {
        height: 1fr;
        padding: 0 1;
    }
    SimulateScreen #sim-status, SimulateScreen #sim-savings {
        height: auto;
    }
    SimulateScreen #sim-table {
        height: auto;
    }
    SimulateScreen #sim-chart {
        height: 12;
    }
    SimulateScreen ProgressBar {
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape", "leave", "Back", id="sim-back", tooltip="Back to the previous screen"),
        Binding("ctrl+r", "run", "Run", id="sim-run", tooltip="Run the simulation"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: SimulationResult | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="sim-form"):
            for key, label, default, _ in FIELDS:
                yield Label(label)
                yield Input(default, id=f"sim-{key}", compact=True)
            yield Select([("FSRS learner", "fsrs"), ("other learner", "other")], value="fsrs", allow_blank=False,
                         id="sim-learner", compact=True)
            yield Button("Run", id="sim-go", variant="primary", compact=True)
        yield ProgressBar(total=100, show_eta=False, id="sim-progress")
        with VerticalScroll(id="sim-body"):
            yield Static(id="sim-status")
            yield DataTable(id="sim-table", cursor_type="none", zebra_stripes=True)
            yield Static(id="sim-savings")
            yield self._chart()
        yield Footer()

    def _chart(self):
        try:
            from textual_plotext import PlotextPlot
        except ImportError:  # pragma: no cover - a dependency; a table is enough without it
            return Static(id="sim-chart")
        return PlotextPlot(id="sim-chart")

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = self.app.cursor_blink  # off in snapshot tests
        self.query_one("#sim-progress", ProgressBar).display = False
        self.query_one("#sim-chart").display = False
        table = self.query_one("#sim-table", DataTable)
        for key, label in (("name", "Scheduler"), ("reviews", "Reviews"), ("minutes", "Minutes"),
                           ("memorized", "Memorized"), ("rpm", "Rev/mem"), ("knob", "Matched by")):
            table.add_column(label, key=key)
        self.query_one("#sim-status", Static).update(styled(
            "Simulated learners study the same cards under each scheduler (20 new a day). Set the figures, "
            "pick the learner model, press enter or Run. Compared at matched knowledge: each scheduler's "
            "knob is set so it ends with FSRS's memorized total (within 1%).", "dim"))
        self.query_one("#sim-days", Input).focus()

    def _values(self) -> dict:
        out = {}
        for key, label, _, _ in FIELDS:
            text = self.query_one(f"#sim-{key}", Input).value.strip()
            try:
                out[key] = float(text) if key == "retention" else int(text)
            except ValueError:
                kind = "a number" if key == "retention" else "a whole number"
                raise ValueError(f"{label} must be {kind}, not {text!r}") from None
        out["learner"] = self.query_one("#sim-learner", Select).value
        return out

    @on(Input.Submitted)
    @on(Button.Pressed, "#sim-go")
    def action_run(self) -> None:
        try:
            values = self._values()
        except ValueError as e:
            self._error(str(e))
            return
        bar = self.query_one("#sim-progress", ProgressBar)
        bar.display = True
        bar.update(progress=0)
        self.query_one("#sim-go", Button).disabled = True
        self.query_one("#sim-status", Static).update(styled("Simulating…", "dim"))
        self._work(values)

    def _error(self, message: str) -> None:
        self.query_one("#sim-status", Static).update(styled(one_line(message), "bold red"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="simulate")
    def _work(self, values: dict) -> None:
        from nqpf_tutor.core.learning.simulate import simulate

        app = self.app

        def progress(stage: str, fraction: float) -> None:
            app.call_from_thread(self._progress, stage, fraction)

        try:
            result = simulate(progress=progress, **values)
        except Exception as e:  # noqa: BLE001 - bad figures: one line
            app.call_from_thread(self._done, None, str(e))
            return
        app.call_from_thread(self._done, result, None)

    def _progress(self, stage: str, fraction: float) -> None:
        self.query_one("#sim-progress", ProgressBar).update(progress=round(fraction * 100))
        self.query_one("#sim-status", Static).update(styled(f"Simulating: {stage}…", "dim"))

    def _done(self, result: SimulationResult | None, error: str | None) -> None:
        self.query_one("#sim-go", Button).disabled = False
        self.query_one("#sim-progress", ProgressBar).display = False
        if result is None:
            self._error(error or "the simulation failed")
            return
        self.show(result)

    def show(self, r: SimulationResult) -> None:
        self.result = r
        o = r.outcomes
        self.query_one("#sim-status", Static).update(plain(
            f"{r.cards} cards, {r.days} days, retention {r.retention:g}, {r.learner} learner, seed {r.seed}."))
        table = self.query_one("#sim-table", DataTable)
        table.clear()
        for name in SCHEDULERS:
            k = r.knobs.get(name, {})
            short = {"desired_retention": "retention", "interval_modifier": "modifier", "interval_scale": "box scale"}
            knob = "reference" if name == "fsrs" else f"{short.get(str(k.get('knob')), k.get('knob'))} {k.get('value', '')}"
            if name != "fsrs" and not k.get("matched"):
                knob += " (not matched)"
            table.add_row(cell(LABELS[name], "bold"), cell(o[name].reviews), cell(f"{o[name].minutes:.0f}"),
                          cell(f"{o[name].memorized:.1f}"), cell(f"{o[name].reviews_per_memorized:.2f}"),
                          cell(knob, "dim"), key=name)
        lines = [
            f"Reviews per memorized card: FSRS {describe(saving(o['fsrs'], o['sm2']))} than SM-2, fitted FSRS "
            f"{describe(saving(o['fsrs_fitted'], o['sm2']))}; FSRS {describe(saving(o['fsrs'], o['leitner']))} "
            f"than Leitner, SM-2 {describe(saving(o['sm2'], o['leitner']))}.",
        ]
        if not r.fit.get("fitted"):
            lines.append(f"Fitted FSRS kept the defaults: {r.fit.get('note', 'no fit')}.")
        self.query_one("#sim-savings", Static).update(plain("\n".join(lines)))
        chart = self.query_one("#sim-chart")
        if hasattr(chart, "plt"):
            chart.display = True
            plt = chart.plt
            plt.clear_data()
            plt.clear_figure()
            plt.bar([LABELS[n] for n in SCHEDULERS], [o[n].reviews_per_memorized for n in SCHEDULERS], width=0.4)
            plt.title("Reviews per memorized card (lower is better)")
            chart.refresh()

    def action_leave(self) -> None:
        self.app.pop_screen()
