"""Statistics: today, card counts, due forecast, answers per day, retention, calendar, mastery.

Every figure comes from ``core.stats.compute_stats`` (the same dict as ``nqpf-tutor stats
--json``); this screen only draws it. The charts use textual-plotext, imported when the screen
is built (start-up does not pay for it; without it the charts fall back to one-line sparklines).
The review calendar is a small widget of its own: weeks as columns, weekdays as rows.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from nqpf_tutor.core.stats import MATURE_DAYS, compute_stats, format_duration, sparkline
from nqpf_tutor.core.store import StoreError
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.widgets.plain import cell, plain, styled
from nqpf_tutor.ui.screens.study import SCROLL_BINDINGS, CardScroll
from nqpf_tutor.ui.app import StoreErrors

TABS = [
    ("overview", "Overview"),
    ("forecast", "Forecast"),
    ("reviews", "Reviews"),
    ("retention", "Retention"),
    ("calendar", "Calendar"),
    ("mastery", "Mastery"),
]

NO_REVIEWS = "no reviews yet"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def int_ticks(top: int, n: int = 4) -> list[int]:
    """Whole-number y ticks from 0 to at least ``top`` (at most ``n + 1`` of them)."""
    top = max(1, top)
    step = max(1, math.ceil(top / n))
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def day_label(iso: str) -> str:
    return iso[5:]  # MM-DD


# --- the calendar -----------------------------------------------------------------------------------

#: Shades for 0 answers and the four quarters of the busiest day.
LEVEL_STYLES = ("dim", "#0e4429", "#006d32", "#26a641", "#39d353")
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def level(n: int, top: int) -> int:
    """0 for no answers, else 1-4 by the quarter of ``top`` that ``n`` falls in."""
    if n <= 0 or top <= 0:
        return 0
    return min(4, max(1, math.ceil(4 * n / top)))


class ReviewCalendar(Widget):
    """Answers per study day as a grid: one column per week (Monday first), one row per weekday."""

    DEFAULT_CSS = """
    ReviewCalendar {
        height: auto;
        width: auto;
    }
    """

    def __init__(self, counts: dict[str, int], today: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.counts = dict(counts)
        self.today = date.fromisoformat(today)
        days = sorted(date.fromisoformat(d) for d in self.counts) or [self.today]
        self.first = days[0] - timedelta(days=days[0].weekday())
        self.weeks = (self.today - self.first).days // 7 + 1
        self.top = max(self.counts.values(), default=0)

    def level_at(self, day: date) -> int | None:
        """The shade of ``day`` (None: outside the calendar or after today)."""
        if day < self.first or day > self.today:
            return None
        return level(self.counts.get(day.isoformat(), 0), self.top)

    def _month_row(self) -> Content:
        row = [" "] * (4 + 2 * self.weeks + 3)
        last_month = None
        free = 0
        for w in range(self.weeks):
            monday = self.first + timedelta(weeks=w)
            if monday.month != last_month:
                pos = 4 + 2 * w
                if pos >= free:
                    label = monday.strftime("%b")
                    row[pos:pos + len(label)] = list(label)
                    free = pos + len(label) + 1
                last_month = monday.month
        return Content("".join(row).rstrip())

    def render(self) -> Content:
        lines = [self._month_row()]
        for wd in range(7):
            parts = [Content(f"{WEEKDAYS[wd]:<4}")]
            for w in range(self.weeks):
                day = self.first + timedelta(weeks=w, days=wd)
                lv = self.level_at(day)
                if lv is None:
                    parts.append(Content("  "))
                elif lv == 0:
                    parts.append(styled("· ", LEVEL_STYLES[0]))
                else:
                    parts.append(styled("■ ", LEVEL_STYLES[lv]))
            lines.append(Content("").join(parts))
        legend = [Content("    less ")]
        legend.append(styled("· ", LEVEL_STYLES[0]))
        legend += [styled("■ ", s) for s in LEVEL_STYLES[1:]]
        legend.append(Content(f"more   (busiest day: {plural(self.top, 'answer')})" if self.top else "more"))
        lines.append(Content(""))
        lines.append(Content("").join(legend))
        return Content("\n").join(lines)


# --- the screen ---------------------------------------------------------------------------------------


def _plot_class():
    """textual-plotext's widget, or None when it is not installed."""
    try:
        from textual_plotext import PlotextPlot
    except ImportError:
        return None
    return PlotextPlot


class StatsScreen(StoreErrors, CardScroll, Screen):
    """Review figures for the app's profile and the loaded decks."""

    DEFAULT_CSS = """
    StatsScreen #stats-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    StatsScreen TabbedContent {
        height: 1fr;
    }
    StatsScreen TabPane {
        padding: 0 1;
        height: 1fr;
    }
    StatsScreen .stats-summary {
        height: auto;
        color: $text-muted;
    }
    StatsScreen .stats-plot {
        height: 1fr;
        min-height: 8;
    }
    StatsScreen #overview-text {
        height: auto;
    }
    StatsScreen #mastery-table {
        height: auto;
        max-height: 100%;
    }
    StatsScreen ReviewCalendar {
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("escape,q", "leave", "Back", id="stats-back", tooltip="Back to the previous screen"),
        Binding("left", "tab(-1)", "Prev tab", id="stats-prev", show=False),
        Binding("right", "tab(1)", "Next tab", id="stats-next", show=False),
        *[
            Binding(str(i), f"show_tab('{tid}')", label, id=f"stats-tab-{tid}", show=False,
                    tooltip=f"Show the {label} tab")
            for i, (tid, label) in enumerate(TABS, 1)
        ],
        Binding("r", "recompute", "Refresh", id="stats-refresh", tooltip="Compute the figures again"),
        Binding("o", "app.optimize", "Optimize", id="stats-optimize",
                tooltip="Fit the FSRS parameters to your reviews"),
        Binding("m", "app.simulate", "Simulate", id="stats-simulate", show=False,
                tooltip="Simulated learners under FSRS, SM-2 and Leitner"),
        *SCROLL_BINDINGS,
    ]

    def scroll_area(self):
        """The open tab's scrolling part (overview, calendar), if it has one."""
        tabs = self.query_one("#stats-tabs", TabbedContent)
        found = self.query(f"#{tabs.active} VerticalScroll")
        return found.first() if found else None

    def __init__(self) -> None:
        super().__init__()
        self.stats: dict[str, Any] = {}
        self.plot_class = None

    # --- figures ----------------------------------------------------------------------------

    def compute(self) -> dict[str, Any]:
        """The figures, on a connection of their own (this runs in a worker thread)."""
        app = self.app
        store = app.store.reader()
        try:
            return compute_stats(store, app.catalog.all_cards(), app.settings, app.clock(), extra_new=app.extra_new())
        finally:
            store.close()

    def start_computing(self, note: str | None = None) -> None:
        """Compute the figures in a worker thread; the tabs show a loading indicator meanwhile
        and the screen stays responsive (at 100k cards this takes a while; a locked store too)."""
        self.query_one("#stats-tabs", TabbedContent).loading = True
        self.query_one("#stats-title", Static).update(plain("Statistics — computing the figures…"))
        self._compute_worker(note)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def _compute_worker(self, note: str | None) -> None:
        try:
            stats = self.compute()
        except NqpfError as e:
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._computed, stats, note)

    def _failed(self, error: Exception) -> None:
        self.query_one("#stats-tabs", TabbedContent).loading = False
        self.query_one("#stats-title", Static).update(plain("Statistics — the figures could not be computed"))
        if isinstance(error, StoreError) and hasattr(self.app, "store_error"):
            self.app.store_error(error)  # the app's one store-error path
        else:
            self.notify(str(error), title="Statistics", severity="error", markup=False)

    async def _computed(self, stats: dict[str, Any], note: str | None) -> None:
        self.stats = stats
        for old in self.query("#calendar-grid"):
            await old.remove()
        await self.query_one("#calendar VerticalScroll").mount(
            ReviewCalendar(self.stats["calendar"], self.stats["study_day"], id="calendar-grid")
        )
        self.show_figures()
        self.query_one("#stats-tabs", TabbedContent).loading = False
        if note:
            self.notify(note, timeout=3)

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.plot_class = _plot_class()
        yield Header()
        yield Static(id="stats-title")
        with TabbedContent(id="stats-tabs", initial="overview"):
            with TabPane("Overview", id="overview"):
                with VerticalScroll():
                    yield Static(id="overview-text")
            with TabPane("Forecast", id="forecast"):
                yield Static(id="forecast-summary", classes="stats-summary")
                yield self._chart("forecast-plot")
            with TabPane("Reviews", id="reviews"):
                yield Static(id="reviews-summary", classes="stats-summary")
                yield self._chart("reviews-plot")
            with TabPane("Retention", id="retention"):
                yield Static(id="retention-summary", classes="stats-summary")
                yield self._chart("retention-plot")
            with TabPane("Calendar", id="calendar"):
                with VerticalScroll():
                    yield Static(id="calendar-summary", classes="stats-summary")
            with TabPane("Mastery", id="mastery"):
                with Vertical():
                    yield Static(id="mastery-summary", classes="stats-summary")
                    yield DataTable(id="mastery-table", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def _chart(self, wid: str) -> Widget:
        if self.plot_class is None:
            return Static(id=wid, classes="stats-plot")
        return self.plot_class(id=wid, classes="stats-plot")

    def on_mount(self) -> None:
        table = self.query_one("#mastery-table", DataTable)
        for key, label in (("tag", "Topic"), ("mastered", "Mastered"), ("cards", "Cards"), ("share", "Share"),
                           ("bar", "")):
            table.add_column(label, key=key)
        self.start_computing()

    def show_figures(self) -> None:
        s = self.stats
        self.query_one("#stats-title", Static).update(
            plain(f"Statistics — profile {s['profile']} — study day {s['study_day']}")
        )
        self._overview()
        self._forecast()
        self._reviews()
        self._retention()
        self._calendar()
        self._mastery()

    def _overview(self) -> None:
        s = self.stats
        t, c = s["today"], s["card_counts"]
        head = "bold $text-accent"
        lines = [
            styled("Today", head),
            Content.assemble(
                "  Answers ", styled(str(t["reviews"]), "bold"),
                "   time ", styled(format_duration(t["seconds"]), "bold"),
                "   accuracy ", styled(pct(t["accuracy"]), "bold"),
                f"   ({plural(t['again'], 'Again answer')})",
            ),
            Content(""),
            styled(f"Cards ({s['cards_total']} in the loaded decks)", head),
            Content.assemble(
                "  New ", styled(str(c["new"]), "bold blue"),
                "   learning ", styled(str(c["learning"]), "bold red"),
                "   young ", styled(str(c["young"]), "bold green"),
                "   mature ", styled(str(c["mature"]), "bold green"),
                "   suspended ", styled(str(c["suspended"]), "bold"),
            ),
            styled(f"  young: interval under {MATURE_DAYS} days; mature: {MATURE_DAYS} days or more", "dim"),
            Content(""),
            styled("All time", head),
            Content.assemble(
                "  Answers ", styled(str(s["reviews_total"]), "bold"),
                "   cards seen ", styled(f"{s['cards_seen']} of {s['cards_total']}", "bold"),
                "   due now ", styled(str(s["due_now"]), "bold"),
            ),
            Content.assemble(
                "  Retention over 30 days ", styled(pct(s["retention_30d"]), "bold"),
                "   new available today ", styled(str(s["new_available"]), "bold"),
            ),
        ]
        extra = []
        if s["leeches"]:
            extra.append(f"{plural(s['leeches'], 'leech')} (suspended after many lapses)")
        if s["edited"]:
            extra.append(f"{s['edited']} edited since last studied")
        if s["orphaned"]:
            extra.append(f"progress kept for {plural(s['orphaned'], 'card')} no longer in any deck")
        if extra:
            lines.append(Content("  " + "; ".join(extra)))
        if not s["reviews_total"]:
            lines += [Content(""), styled("No reviews yet: study a deck and come back.", "italic $text-muted")]
        from nqpf_tutor.core.learning.profile import parameters_line

        lines += [Content(""), styled("Scheduler", head), Content("  " + parameters_line(self.app.store)),
                  styled("  o: optimize them to your reviews   m: simulate schedulers", "dim")]
        self.query_one("#overview-text", Static).update(Content("\n").join(lines))

    def _bar_chart(self, wid: str, title: str, labels: list[str], values: list[int], color: str,
                   from_start: bool = True) -> None:
        """Bars with whole-number y ticks and a date label every 7 days (from the start or the end)."""
        widget = self.query_one(f"#{wid}")
        if self.plot_class is None:
            widget.update(plain(f"{title}\n{sparkline(values)}"))
            return
        plt = widget.plt
        plt.clear_figure()
        xs = list(range(len(values)))
        plt.bar(xs, values, color=color, width=0.6)
        ticks = xs[::7] if from_start else xs[::-7][::-1]
        plt.xticks(ticks, [labels[i] for i in ticks])
        plt.xlim(-1, len(values))
        yt = int_ticks(max(values, default=0))
        plt.yticks(yt, [str(y) for y in yt])
        plt.ylim(0, yt[-1])
        plt.title(title)
        widget.refresh()

    def _forecast(self) -> None:
        fc = self.stats["forecast"]
        values = [d["due"] for d in fc]
        total = sum(values)
        summary = (
            f"Due today {values[0]}, tomorrow {values[1] if len(values) > 1 else 0}, "
            f"next 7 days {sum(values[:7])}, next {len(values)} days {total}"
        )
        if not total:
            summary += " — nothing scheduled yet"
        self.query_one("#forecast-summary", Static).update(plain(summary))
        self._bar_chart("forecast-plot", "Cards due per day" if total else f"Cards due per day: {NO_REVIEWS}",
                        [day_label(d["date"]) for d in fc], values, "blue")

    def _reviews(self) -> None:
        per_day = self.stats["reviews_per_day"]
        values = [d["reviews"] for d in per_day]
        total = sum(values)
        studied = sum(1 for v in values if v)
        seconds = sum(d["seconds"] for d in per_day)
        again = sum(d["again"] for d in per_day)
        if total:
            summary = (f"Last {len(values)} days: {plural(total, 'answer')} on {plural(studied, 'day')}, "
                       f"{format_duration(seconds)}, {again} Again")
        else:
            summary = f"Last {len(values)} days: {NO_REVIEWS}"
        self.query_one("#reviews-summary", Static).update(plain(summary))
        self._bar_chart("reviews-plot", "Answers per day" if total else f"Answers per day: {NO_REVIEWS}",
                        [day_label(d["date"]) for d in per_day], values, "green", from_start=False)

    def _retention(self) -> None:
        weeks = self.stats["retention_over_time"]
        points = [(i, w["retention"] * 100) for i, w in enumerate(weeks) if w["retention"] is not None]
        if points:
            last = next(w for w in reversed(weeks) if w["retention"] is not None)
            summary = (f"Share of answers not Again, per week; week of {day_label(last['week_start'])}: "
                       f"{pct(last['retention'])} of {plural(last['reviews'], 'answer')}")
        else:
            summary = f"Share of answers not graded Again, per week: {NO_REVIEWS}"
        self.query_one("#retention-summary", Static).update(plain(summary))
        widget = self.query_one("#retention-plot")
        title = "Retention by week (%)" if points else f"Retention by week: {NO_REVIEWS}"
        if self.plot_class is None:
            widget.update(plain(title + "\n" + "  ".join(f"{weeks[i]['week_start'][5:]} {y:.0f}%" for i, y in points)))
            return
        plt = widget.plt
        plt.clear_figure()
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            plt.plot(xs, ys, color="cyan", marker="braille")
            plt.scatter(xs, ys, color="cyan", marker="●")
        plt.xlim(-0.5, len(weeks) - 0.5)
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"])
        ticks = list(range(len(weeks) - 1, -1, -4))[::-1]
        plt.xticks(ticks, [day_label(weeks[i]["week_start"]) for i in ticks])
        plt.title(title)
        widget.refresh()

    def _calendar(self) -> None:
        cal = self.stats["calendar"]
        days = sum(1 for v in cal.values() if v)
        total = sum(cal.values())
        streak = 0
        for iso in sorted(cal, reverse=True):
            if cal[iso]:
                streak += 1
            elif iso != self.stats["study_day"]:  # today not studied yet does not end a streak
                break
        first = next(iter(sorted(cal)), self.stats["study_day"])
        if total:
            summary = (f"Since {first}: {plural(total, 'answer')} on {plural(days, 'day')}; "
                       f"current streak {plural(streak, 'day')}")
        else:
            summary = f"Since {first}: {NO_REVIEWS}"
        self.query_one("#calendar-summary", Static).update(plain(summary))

    def _mastery(self) -> None:
        rows = self.stats["mastery"]
        thr = self.stats["mastery_threshold"]
        self.query_one("#mastery-summary", Static).update(
            plain(f"Share of each topic's cards you would recall now with a chance of {thr:.0%} or more")
        )
        table = self.query_one("#mastery-table", DataTable)
        table.clear()
        width = 20
        for m in rows:
            share = m["share"]
            filled = 0 if share is None else round(share * width)
            bar = cell("█" * filled, "green") + cell("░" * (width - filled), "dim")
            table.add_row(
                cell(m["tag"], "bold"),
                cell(m["mastered"]),
                cell(m["cards"]),
                cell("no cards" if share is None else pct(share)),
                bar,
                key=m["tag"],
            )

    # --- actions ---------------------------------------------------------------------------

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#stats-tabs", TabbedContent).active = tab

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#stats-tabs", TabbedContent)
        ids = [t for t, _ in TABS]
        i = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(i + step) % len(ids)]

    def action_recompute(self) -> None:
        self.start_computing("Figures computed again.")
