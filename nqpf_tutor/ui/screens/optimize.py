"""Optimize: the FSRS parameters in use, and fitting them to this profile's reviews (o).

The fitting runs in a thread worker with a progress bar (``core.learning.optimize``, the same
as ``nqpf-tutor optimize``); new parameters are kept only if they predict held-out reviews
better, and every study session after that uses them.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, ProgressBar, Static

from nqpf_tutor.core.learning.profile import clear_fitted, fitted_record, parameters_line
from nqpf_tutor.core.text import one_line
from nqpf_tutor.ui.widgets.plain import plain, styled


def parameter_grid(params) -> str:
    """21 numbers, six to a row (fits 80 columns)."""
    rows = []
    for start in range(0, len(params), 6):
        rows.append("  ".join(f"w{i:<2}{params[i]:>8.4f}" for i in range(start, min(start + 6, len(params)))))
    return "\n".join(rows)


class OptimizeScreen(Screen):
    DEFAULT_CSS = """
    OptimizeScreen #opt-body {
        height: 1fr;
        padding: 0 1;
    }
    OptimizeScreen #opt-params {
        margin: 1 0;
        height: auto;
    }
    OptimizeScreen #opt-result {
        height: auto;
    }
    OptimizeScreen #opt-actions {
        height: 3;
        padding: 0 1;
    }
    OptimizeScreen #opt-actions Button {
        margin-right: 1;
    }
    OptimizeScreen ProgressBar {
        padding: 1 1 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q", "leave", "Back", id="opt-back", tooltip="Back to the previous screen"),
        Binding("o", "optimize", "Optimize", id="opt-run", tooltip="Fit the parameters to your reviews"),
        Binding("d", "defaults", "Use defaults", id="opt-defaults", tooltip="Go back to the default parameters"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="opt-body"):
            yield Static(id="opt-in-use")
            yield Static(id="opt-params")
            yield Static(id="opt-result")
        with Horizontal(id="opt-actions"):
            yield Button("Optimize", id="opt-go", variant="primary", tooltip="o")
            yield Button("Use defaults", id="opt-reset", tooltip="d")
            yield ProgressBar(total=100, show_eta=False, id="opt-progress")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#opt-progress", ProgressBar).display = False
        self._show_in_use()
        self.query_one("#opt-result", Static).update(styled(
            "o fits FSRS to your review history with the fsrs-rs optimizer (the one Anki uses). One card in five "
            "is held out to check the fit: the new parameters are kept only if they predict those reviews better.",
            "dim"))

    def _show_in_use(self) -> None:
        from fsrs.scheduler import DEFAULT_PARAMETERS

        record = fitted_record(self.app.store)
        params = record["parameters"] if record else list(DEFAULT_PARAMETERS)
        self.query_one("#opt-in-use", Static).update(styled(parameters_line(self.app.store), "bold"))
        self.query_one("#opt-params", Static).update(plain(parameter_grid(params)))

    @on(Button.Pressed, "#opt-go")
    def action_optimize(self) -> None:
        bar = self.query_one("#opt-progress", ProgressBar)
        bar.display = True
        bar.update(progress=0)
        self.query_one("#opt-go", Button).disabled = True
        self.query_one("#opt-result", Static).update(styled("Optimizing…", "dim"))
        self._run()

    @work(thread=True, exclusive=True, exit_on_error=False, group="optimize")
    def _run(self) -> None:
        from nqpf_tutor.core.learning.optimize import optimize_profile
        from nqpf_tutor.core.scheduler import Scheduler

        app = self.app

        def progress(stage: str, fraction: float) -> None:
            app.call_from_thread(self._progress, stage, fraction)

        try:
            result = optimize_profile(app.store, Scheduler(app.settings).study_day, progress=progress,
                                      now=app.clock())
        except Exception as e:  # noqa: BLE001 - a store error, the optimizer missing: one line
            app.call_from_thread(self._done, None, one_line(str(e)))
            return
        app.call_from_thread(self._done, result, None)

    def _progress(self, stage: str, fraction: float) -> None:
        self.query_one("#opt-progress", ProgressBar).update(progress=round(fraction * 100))
        self.query_one("#opt-result", Static).update(styled(f"{stage}…", "dim"))

    def _done(self, result, error: str | None) -> None:
        self.query_one("#opt-go", Button).disabled = False
        self.query_one("#opt-progress", ProgressBar).display = False
        box = self.query_one("#opt-result", Static)
        if error is not None:
            box.update(styled(error, "bold red"))
            return
        text = result.message()
        if result.status != "too_few":
            text += f"\nFitted on {result.train_items} reviews, checked on {result.test_items} held out."
        box.update(plain(text))
        self._show_in_use()

    @on(Button.Pressed, "#opt-reset")
    def action_defaults(self) -> None:
        if fitted_record(self.app.store) is None:
            self.notify("The default parameters are already in use.")
            return
        clear_fitted(self.app.store)
        self._show_in_use()
        self.notify("Back to the default FSRS parameters.")

    def action_leave(self) -> None:
        self.app.pop_screen()
