"""The statistics screen through Pilot: the figures shown are those of compute_stats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, TabbedContent

from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.stats import compute_stats, format_duration
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.stats import NO_REVIEWS, ReviewCalendar, StatsScreen, level

from ui_helpers import NOW, Clock, make_app

TOPICS_DECK = """\
deck:
  id: topics
  title: Topics
sources:
  - {id: src, title: A source, publisher: Press, date: "2024"}
cards:
  - {id: e1, type: flip, prompt: Era one?, answer: Steam, tags: [eras], sources: [src]}
  - {id: e2, type: flip, prompt: Era two?, answer: Electricity, tags: [eras], sources: [src]}
  - {id: p1, type: flip, prompt: Policy one?, answer: Plan, tags: [policies], sources: [src]}
  - {id: d1, type: flip, prompt: A date?, answer: "2023", tags: [dates, policies], sources: [src]}
"""


def topics_dir(tmp_path: Path) -> Path:
    d = tmp_path / "extra"
    d.mkdir()
    (d / "topics.yaml").write_text(TOPICS_DECK, "utf-8")
    return d


def answer_some(app, clock: Clock) -> None:
    """Answers on three study days (9 and 2 days ago, and today), with durations."""
    cards = [c for c in app.catalog.all_cards() if c.deck_id != "topics"]
    for days, grades in ((-9, [3, 3, 1, 3, 4]), (-2, [3, 1]), (0, [3, 3, 1])):
        clock.now = NOW + timedelta(days=days)
        session = StudySession(cards, app.store, app.settings, clock=clock)
        for g in grades:
            card = session.next_card()
            assert card is not None
            session.answer(card, g, duration_ms=12_000)
    clock.now = NOW


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def expected(app) -> dict:
    return compute_stats(app.store, app.catalog.all_cards(), app.settings, app.clock())


async def test_figures_shown_match_compute_stats(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    answer_some(app, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        want = expected(app)
        assert screen.stats == want
        assert want["today"]["reviews"] == 3 and want["reviews_total"] == 10  # not all zero
        assert "profile default" in text(screen, "#stats-title")
        overview = text(screen, "#overview-text")
        t, c = want["today"], want["card_counts"]
        assert f"Answers {t['reviews']}   time {format_duration(t['seconds'])}   accuracy 67%" in overview
        assert format_duration(t["seconds"]) == "36s"
        assert (f"New {c['new']}   learning {c['learning']}   young {c['young']}   mature {c['mature']}"
                f"   suspended {c['suspended']}") in overview
        assert f"Answers {want['reviews_total']}   cards seen {want['cards_seen']} of 8" in overview
        assert "Retention over 30 days 70%" in overview
        fc = [d["due"] for d in want["forecast"]]
        assert text(screen, "#forecast-summary").startswith(
            f"Due today {fc[0]}, tomorrow {fc[1]}, next 7 days {sum(fc[:7])}, next 30 days {sum(fc)}")
        per_day = want["reviews_per_day"]
        assert sum(d["reviews"] for d in per_day) == 10
        assert "10 answers on 3 days, 2m 00s, 3 Again" in text(screen, "#reviews-summary")
        assert "week of 03-02: 67% of 3 answers" in text(screen, "#retention-summary")
        assert "10 answers on 3 days; current streak 1 day" in text(screen, "#calendar-summary")


async def test_charts_and_calendar_draw_the_figures(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    answer_some(app, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        tabs = screen.query_one("#stats-tabs", TabbedContent)
        await pilot.press("2")
        await pilot.pause()
        assert tabs.active == "forecast"
        chart = text(screen, "#forecast-plot")
        assert "Cards due per day" in chart and "03-02" in chart and "█" in chart
        await pilot.press("3")
        await pilot.pause()
        chart = text(screen, "#reviews-plot")
        assert "Answers per day" in chart and "02-21" not in chart and "03-02" in chart and "█" in chart
        await pilot.press("4")
        await pilot.pause()
        assert "Retention by week (%)" in text(screen, "#retention-plot")
        await pilot.press("5")
        await pilot.pause()
        assert tabs.active == "calendar"
        grid = screen.query_one("#calendar-grid", ReviewCalendar)
        cal = screen.stats["calendar"]
        assert grid.counts == cal
        from datetime import date

        assert cal["2026-03-02"] == 3 and cal["2026-02-21"] == 5 and cal["2026-02-28"] == 2
        assert grid.level_at(date(2026, 2, 21)) == 4  # the busiest day
        assert grid.level_at(date(2026, 3, 2)) == level(3, 5) == 3
        assert grid.level_at(date(2026, 3, 1)) == 0
        assert grid.level_at(date(2026, 3, 3)) is None  # after today
        drawn = str(grid.render())
        assert drawn.count("■") == 3 + 4  # three days studied, four shades in the legend
        assert "busiest day: 5 answers" in drawn and "Mon" in drawn
        await pilot.press("right")
        assert tabs.active == "mastery"
        await pilot.press("right")
        assert tabs.active == "overview"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_mastery_per_topic(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock, extra_decks=[topics_dir(tmp_path)])
    topics = [c for c in app.catalog.all_cards() if c.deck_id == "topics"]
    session = StudySession(topics, app.store, app.settings, clock=clock)
    for grade in (4, 1, 4, 4):  # e1 easy, e2 again, p1 easy, d1 easy
        session.answer(session.next_card(), grade)
    clock.now = NOW + timedelta(days=2)  # the lapsed card is likely forgotten; the easy ones are not
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t", "6")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        want = expected(app)["mastery"]
        assert [(m["tag"], m["mastered"], m["cards"]) for m in want] == [
            ("eras", 1, 2), ("foundations", 0, 0), ("policies", 2, 2), ("dates", 1, 1)]
        table = app.screen.query_one("#mastery-table", DataTable)
        rows = [[str(x) for x in table.get_row_at(i)[:4]] for i in range(table.row_count)]
        assert rows == [["eras", "1", "2", "50%"], ["foundations", "0", "0", "no cards"],
                        ["policies", "2", "2", "100%"], ["dates", "1", "1", "100%"]]


async def test_empty_store_shows_no_reviews_yet(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert "No reviews yet" in text(screen, "#overview-text")
        assert "Answers 0   time 0s   accuracy -" in text(screen, "#overview-text")
        await pilot.press("2")
        await pilot.pause()
        assert "nothing scheduled yet" in text(screen, "#forecast-summary")
        assert NO_REVIEWS in text(screen, "#forecast-plot")
        await pilot.press("3")
        await pilot.pause()
        assert NO_REVIEWS in text(screen, "#reviews-plot") and NO_REVIEWS in text(screen, "#reviews-summary")
        await pilot.press("4")
        await pilot.pause()
        assert NO_REVIEWS in text(screen, "#retention-plot")
        await pilot.press("5")
        await pilot.pause()
        assert NO_REVIEWS in text(screen, "#calendar-summary")
        assert "■" not in str(screen.query_one("#calendar-grid", ReviewCalendar).render()).split("less")[0]
        await pilot.press("q")
        assert isinstance(app.screen, HomeScreen)


async def test_refresh_recomputes_after_more_answers(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.stats["reviews_total"] == 0
        answer_some(app, clock)
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.stats == expected(app)
        assert "Answers 10" in text(app.screen, "#overview-text")
        assert app.screen.query_one("#calendar-grid", ReviewCalendar).counts["2026-03-02"] == 3
