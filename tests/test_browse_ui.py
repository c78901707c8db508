"""The card browser through Pilot: filter, detail, suspend, reset (with confirmation)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from nqpf_tutor.core.session import StudySession
from nqpf_tutor.ui.screens.browse import INDEX_AT_ONCE, PAGE, BrowseScreen, CardDetail, ConfirmReset, parse_query
from nqpf_tutor.ui.screens.home import HomeScreen

from ui_helpers import Clock, make_app


async def open_browser(pilot) -> BrowseScreen:
    await pilot.press("b")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BrowseScreen)
    return screen


async def search(pilot, screen: BrowseScreen, query: str, ready: bool = True) -> list[str]:
    """Type ``query`` and wait until the filter ran (``ready=False``: or waits for the search texts)."""
    inp = screen.query_one("#browse-search", Input)
    inp.focus()
    inp.value = query  # as if typed: the Changed event filters after the debounce
    for _ in range(50):  # waited for, not timed (a loaded machine is slower)
        await pilot.pause(0.1)
        if screen._query == query and (screen._pending is None or not ready):
            break
    return list(screen.shown)


def row_of(screen: BrowseScreen, key: str) -> list[str]:
    table = screen.query_one("#browse-table", DataTable)
    return [str(c) for c in table.get_row(key)]


async def highlight(pilot, screen: BrowseScreen, key: str) -> None:
    table = screen.query_one("#browse-table", DataTable)
    table.focus()
    table.move_cursor(row=screen.shown.index(key))
    await pilot.pause()


async def test_lists_every_card_with_deck_type_due_and_recall(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    session = StudySession(app.catalog.all_cards(), app.store, app.settings, clock=clock)
    session.answer(session.next_card(), 3)  # sample/f1
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one("#browse-table", DataTable)
        assert table.row_count == 8
        assert screen.shown[:2] == ["sample/f1", "sample/m1"]
        f1 = row_of(screen, "sample/f1")
        assert f1[:3] == ["sample", "f1", "flip"]
        assert f1[3] == "What is [bold]shown[/] as typed? [0]"  # as typed, not markup
        assert f1[4] == "alpha"
        # answered once: in learning, so no recall figure yet (FSRS would say 100% minutes later)
        assert f1[5] == "2026-03-02" and f1[6] == "learn" and f1[7] == ""
        assert row_of(screen, "second/s2")[5:8] == ["new", "-", ""]
        assert row_of(screen, "sample/c1")[3] == "Innovation [...]; the hallmark is [...]."
        assert "8 cards" in str(screen.query_one("#browse-status").render())


async def test_search_words_deck_and_tag_filters(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        assert await search(pilot, screen, "tfp") == ["sample/y1"]  # prompt; any case
        assert await search(pilot, screen, "TOTAL factor") == ["sample/m1", "sample/y1", "sample/c1"]
        assert await search(pilot, screen, "deck:second") == ["second/s1", "second/s2"]
        assert await search(pilot, screen, "tag:beta") == ["sample/t1", "sample/y1", "sample/c1"]
        assert await search(pilot, screen, "tag:beta sky") == ["sample/t1"]
        assert await search(pilot, screen, "o1") == ["sample/o1"]  # the id
        assert await search(pilot, screen, "[bold]shown") == ["sample/f1"]  # brackets are plain text
        assert await search(pilot, screen, "steam") == ["sample/o1"]  # order items
        assert await search(pilot, screen, "nothing-like-this") == []
        assert "No card matches" in str(screen.query_one("#browse-status").render())
        assert await search(pilot, screen, "") == screen.filtered("")
        assert len(screen.shown) == 8
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


def test_parse_query():
    assert parse_query("Deck:Eras tag:drivers  TFP is:new x:y") == (["tfp", "x:y"], ["eras"], ["drivers"], ["new"])


async def test_typing_filters_after_a_short_pause(tmp_path, monkeypatch):
    import nqpf_tutor.ui.screens.browse as browse

    monkeypatch.setattr(browse, "DEBOUNCE", 1.0)  # a pause longer than a loaded machine takes per key
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press(*"deck:second")
        assert len(screen.shown) == 8  # not yet: the filter waits for a pause in typing
        for _ in range(30):  # then it filters (waited for, not timed: a loaded machine is slower)
            await pilot.pause(0.1)
            if screen.shown == ["second/s1", "second/s2"]:
                break
        assert screen.shown == ["second/s1", "second/s2"]
        await pilot.press("enter")  # enter in the search box goes to the table
        assert screen.query_one("#browse-table", DataTable).has_focus


async def test_detail_shows_everything_as_typed(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("down", "enter")  # the table, then the first card
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, CardDetail) and detail.card.uid == "sample/f1"
        shown = "\n".join(str(w.render()) for w in detail.query("#detail-body > *"))
        assert "What is [bold]shown[/] as typed? [0]" in shown
        assert "flashcard · deck: Sample [bold]deck[/]" in shown
        assert "Brackets [x] stay" in shown
        assert "Deck text is data: [red]no markup[/red]." in shown
        assert "alpha" in shown
        assert "A source [0], Test Press, 2024-03-06" in shown
        assert "New: never answered." in shown
        await pilot.press("escape")
        assert app.screen is screen
        await highlight(pilot, screen, "sample/m1")
        await pilot.press("enter")
        await pilot.pause()
        shown = "\n".join(str(w.render()) for w in app.screen.query("#detail-body > *"))
        assert "A rise in total factor productivity" in shown
        assert "- More workers\n- Cheaper land\n- Higher tariffs" in shown


async def test_detail_shows_progress(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    session = StudySession(app.catalog.all_cards(), app.store, app.settings, clock=clock)
    card = session.next_card()
    session.answer(card, 1)
    session.answer(card, 3)
    state = app.store.get(*card.key)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        progress = str(app.screen.query_one("#detail-state").render())
        assert f"Repetitions {state.reps} · lapses {state.lapses}" in progress
        assert f"Due {state.due:%Y-%m-%d %H:%M}" in progress
        assert f"Stability {state.stability:.1f} days" in progress
        # Again then Good: still in learning, so no recall figure (not the 100% FSRS predicts)
        assert "Recall now: learning (last answered 2026-03-02 10:00" in progress and "100%" not in progress


async def test_s_suspends_and_unsuspends_the_highlighted_card(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await highlight(pilot, screen, "sample/t1")
        await pilot.press("s")
        assert app.store.get("sample", "t1").suspended
        assert row_of(screen, "sample/t1")[7] == "S"
        assert await search(pilot, screen, "is:suspended") == ["sample/t1"]
        await highlight(pilot, screen, "sample/t1")
        await pilot.press("s")
        assert not app.store.get("sample", "t1").suspended
        assert row_of(screen, "sample/t1")[7] == ""


async def test_x_resets_progress_after_confirmation_and_keeps_the_log(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    session = StudySession(app.catalog.all_cards(), app.store, app.settings, clock=clock)
    first = session.next_card()
    session.answer(first, 3)
    session.answer(session.next_card(), 1)
    log_before = app.store.reviews()
    assert first.uid == "sample/f1"
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await highlight(pilot, screen, "sample/f1")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmReset)
        await pilot.press("n")  # keep
        await pilot.pause()
        assert app.screen is screen and app.store.get("sample", "f1").reps == 1
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        assert app.store.get("sample", "f1") is None  # new again
        assert row_of(screen, "sample/f1")[5:7] == ["new", "-"]
        assert app.store.reviews() == log_before  # the log is append-only
        assert "sample/f1" in await search(pilot, screen, "is:new")
        # a new card is new already: nothing to confirm
        await highlight(pilot, screen, "second/s1")
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen


async def test_reset_keeps_a_suspension(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    session = StudySession(app.catalog.all_cards(), app.store, app.settings, clock=clock)
    card = session.next_card()
    session.answer(card, 3)
    session.suspend(card)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await highlight(pilot, screen, card.uid)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        state = app.store.get(*card.key)
        assert state.reps == 0 and state.suspended
        assert row_of(screen, card.uid)[5:8] == ["new", "-", "S"]


def big_deck(tmp_path: Path, n: int) -> Path:
    d = tmp_path / "big"
    d.mkdir()
    lines = ["deck: {id: big, title: Big}", "sources:", "  - {id: s, title: S}", "cards:"]
    for i in range(n):
        lines.append(f"  - {{id: c{i}, type: flip, prompt: 'Question number {i}', answer: 'Answer {i}',"
                     f" tags: [t{i % 7}], sources: [s]}}")
    (d / "big.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return d


async def test_a_few_thousand_cards(tmp_path):
    app = make_app(tmp_path, extra_decks=[big_deck(tmp_path, 3000)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one("#browse-table", DataTable)
        assert len(screen.shown) == 3008 and table.row_count == PAGE  # one page of rows at a time
        assert "3008 cards" in str(screen.query_one("#browse-status").render())
        table.focus()
        await pilot.press("ctrl+end")  # the last row: the next page comes
        await pilot.pause()
        assert table.row_count == 2 * PAGE
        for _ in range(3008 // PAGE):
            await pilot.press("ctrl+end")
            await pilot.pause()
        assert table.row_count == 3008 and screen.current_key() == "big/c2999"
        table.move_cursor(row=0)
        await search(pilot, screen, "deck:big")  # one page again (the cursor's card is in the first)
        assert table.row_count == PAGE and len(screen.shown) == 3000
        table.scroll_end(animate=False)  # the mouse wheel: the view comes near the last row
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 2 * PAGE and table.cursor_row == 0
        shown = await search(pilot, screen, "tag:t2 number 1234")
        assert shown == ["big/c1234"]
        assert len(await search(pilot, screen, "deck:big tag:t0")) == 429


async def test_many_cards_search_text_made_in_a_worker_and_is_filters_in_sql(tmp_path):
    """More cards than INDEX_AT_ONCE: the browser opens with its first page at once, a search
    typed while every card's text is still being made says "Searching…" and runs when it is
    ready; ``is:`` filters (asked of the store in SQL) keep what the states say, writes still
    waiting included."""
    import threading

    from nqpf_tutor.ui.screens import browse

    clock = Clock()
    app = make_app(tmp_path, clock=clock, extra_decks=[big_deck(tmp_path, INDEX_AT_ONCE + 200)])
    cards = app.catalog.all_cards()
    session = StudySession(cards, app.store, app.settings, clock=clock)
    for _ in range(12):
        session.answer(session.next_card(), 3)
    session.suspend(cards[-1])
    gate = threading.Event()
    real = browse.BrowseScreen._search_texts

    def slow(self, cards):
        assert gate.wait(10)
        return real(self, cards)

    browse.BrowseScreen._search_texts = slow
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_browser(pilot)
            table = screen.query_one("#browse-table", DataTable)
            assert table.row_count == PAGE and len(screen.shown) == len(cards)
            await search(pilot, screen, "number 1234", ready=False)
            assert "Searching" in str(screen.query_one("#browse-status").render())
            await pilot.press("down")  # keys work meanwhile
            gate.set()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.shown == ["big/c1234"] and table.row_count == 1
            states = {s.key: s for s in app.store.states()}
            now = clock()

            def want(test):
                return [c.uid for c in cards if test(states.get(c.key))]

            assert await search(pilot, screen, "is:new") == want(lambda s: s is None or s.reps == 0)
            assert await search(pilot, screen, "is:suspended") == want(lambda s: s is not None and s.suspended)
            assert await search(pilot, screen, "is:due") == want(
                lambda s: s is not None and s.reps > 0 and s.due is not None and s.due <= now and not s.suspended)
            assert await search(pilot, screen, "is:leech deck:big") == []
            assert await search(pilot, screen, "is:suspended deck:big number") == [cards[-1].uid]
    finally:
        browse.BrowseScreen._search_texts = real
        gate.set()
