"""Issue 13: everything reachable by keyboard at 80x24 (Pilot, the real app, a fixed clock)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, DataTable, Input

from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.screens.drill import DrillResultsScreen, DrillScreen, DrillSetupScreen
from nqpf_tutor.ui.screens.forms import SelectionForm
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.quiz import QuizScreen
from nqpf_tutor.ui.screens.study import StudyScreen

from ui_helpers import make_app

SIZE = (80, 24)
LONG = Path(__file__).parent / "fixtures" / "long_deck"


def on_screen(app, widget) -> bool:
    """Is ``widget`` drawn, at least one line of it, inside the screen?"""
    try:
        geometry = app.screen.find_widget(widget)
    except Exception:  # noqa: BLE001 - not drawn at all
        return False
    visible = geometry.visible_region
    return visible.height > 0 and visible.bottom <= SIZE[1]


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def footer_keys(app) -> dict[str, str]:
    """The keys the footer shows now: key -> description."""
    return {k: b.binding.description for k, b in app.active_bindings.items() if b.binding.show and b.enabled}


def study_app(tmp_path, decks=("sample",), **kw):
    return make_app(tmp_path, start="study", choice=Choice(deck_ids=list(decks)), **kw)


def answers(app) -> list:
    return [r for r in app.store.reviews() if r.mode != "undo"]


# --- scrolling -----------------------------------------------------------------------------------


async def test_long_card_answered_scrolls_to_its_source_with_the_keyboard(tmp_path):
    app = study_app(tmp_path, decks=("long",), extra_decks=[LONG])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.card.id == "long1"
        await pilot.press("1")
        await pilot.pause()
        await pilot.pause()
        area = screen.query_one("#card-area")
        assert on_screen(app, screen.query_one("#answer"))  # the answer is scrolled into view
        source = screen.query_one("#source")
        assert not on_screen(app, source)  # below the screen at 80x24
        await pilot.press("pagedown")
        await pilot.pause()
        assert on_screen(app, source) and "Source: The Source Document" in text(app, "#source")
        await pilot.press("home")
        await pilot.pause()
        assert area.scroll_y == 0 and not on_screen(app, source)
        await pilot.press("end")
        await pilot.pause()
        assert on_screen(app, source)
        await pilot.press("up", "up", "up", "up", "up", "up", "up", "up", "up", "up", "up", "up")
        await pilot.pause()
        assert area.scroll_y < area.max_scroll_y
        await pilot.press("down")
        await pilot.pause()
        assert area.scroll_y > 0


async def test_quiz_end_with_many_misses_scrolls_and_shows_the_m_key(tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["sample", "second"], n=8, seed=2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert "m" not in footer_keys(app)  # not offered during the quiz
        while screen.phase != "done":
            q = screen.run.current
            await pilot.press(str((q.correct + 1) % len(q.options) + 1), "enter")  # always wrong
            await pilot.pause()
        misses = len(screen.run.misses())
        assert misses >= 4
        assert footer_keys(app).get("m") == "Quiz the misses"
        assert on_screen(app, screen.query_one("#verdict"))
        assert f"m: quiz the {misses} misses again" in text(app, "#verdict")
        area = screen.query_one("#card-area")
        assert area.max_scroll_y > 0  # the list runs below the screen
        await pilot.press("end")
        await pilot.pause()
        assert area.scroll_y == area.max_scroll_y and on_screen(app, screen.query_one("#source"))
        await pilot.press("pageup", "pageup", "pageup")
        await pilot.pause()
        assert area.scroll_y == 0
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and len(app.screen.run.questions) == misses


async def test_quiz_answer_is_numbered_like_the_options_and_m_not_offered_without_misses(tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["second"], n=2, seed=2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        q = screen.run.current
        await pilot.press(str(q.correct + 1))
        await pilot.pause()
        assert text(app, "#answer") == f"Answer: {q.correct + 1}. {q.answer}"
        await pilot.press("enter")
        q = screen.run.current
        await pilot.press(str(q.correct + 1), "enter")
        await pilot.pause()
        assert screen.phase == "done" and not screen.run.misses()
        assert "m" not in footer_keys(app)
        await pilot.press("m")
        await pilot.pause()
        assert app.screen is screen


# --- keys that work on every card type ------------------------------------------------------------------


async def to_typed(pilot):
    await pilot.press("space", "3", "1", "enter", "f", "enter")  # flip, mcq, true/false answered
    await pilot.pause()


async def test_typed_card_suspended_before_it_is_answered_with_ctrl_s(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await to_typed(pilot)
        screen = app.screen
        assert screen.card.type == "typed" and isinstance(app.focused, Input)
        keys = footer_keys(app)  # shown while typing
        assert keys.get("ctrl+z") == "Undo" and keys.get("ctrl+s") == "Suspend" and keys.get("ctrl+b") == "Bury"
        assert keys.get("escape") == "Home"
        await pilot.press(*"usb")  # letters go into the answer box, nothing else happens
        assert app.focused.value == "usb" and screen.card.type == "typed"
        card = screen.card
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.store.get(*card.key).suspended
        assert screen.card.type == "cloze"  # the next card
        assert len(answers(app)) == 3  # the typed card was not answered


async def test_cloze_card_bury_and_undo_into_and_out_of_a_typed_card(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await to_typed(pilot)
        screen = app.screen
        await pilot.press(*"2024", "enter")  # typed answered (wrong): auto graded
        await pilot.pause()
        assert len(answers(app)) == 4
        await pilot.press("ctrl+z")  # undo out of the typed card's answer: it is asked again
        await pilot.pause()
        assert len(answers(app)) == 3 and screen.card.type == "typed" and isinstance(app.focused, Input)
        await pilot.press("ctrl+z")  # undo from inside the answer box: the true/false answer
        await pilot.pause()
        assert len(answers(app)) == 2 and screen.card.type == "truefalse"
        await pilot.press("t", "enter")
        await pilot.pause()
        await pilot.press("enter")  # typed: enter alone (I don't know)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.card.type == "cloze"
        card = screen.card
        await pilot.press(*"tfp", "ctrl+b")  # bury the cloze card from inside its blank
        await pilot.pause()
        state = app.store.get(*card.key)
        assert state.buried_until is not None and state.reps == 0
        assert screen.card.type == "order"


async def test_escape_goes_home_from_inside_an_answer_box(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await to_typed(pilot)
        await pilot.press("x", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_grade_key_after_an_answer_changes_the_grade_and_moves_on(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")  # flip revealed
        assert not screen.query_one("#reveal-hint").display  # no "space or enter: show the answer"
        await pilot.press("3")
        await pilot.pause()
        q = screen.question
        wrong = (q.correct + 1) % len(q.options)
        await pilot.press(str(wrong + 1))  # wrong: Again at once
        await pilot.pause()
        assert answers(app)[-1].grade == 1 and screen.phase == "answered"
        await pilot.press("4")  # Easy instead, and on to the next card
        await pilot.pause()
        assert [r.grade for r in answers(app)] == [3, 4] and screen.card.type == "truefalse"


async def test_review_ahead_with_nothing_to_review_says_so(tmp_path):
    # nothing studied yet, both cards suspended: nothing is due and nothing can be reviewed ahead
    app2 = make_app(tmp_path / "other", start="study", choice=Choice(deck_ids=["second"]))
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app2.screen
        screen.session.suspend(screen.card)
        await screen.next_card()
        screen.session.suspend(screen.card)
        await screen.next_card()
        await pilot.pause()
        assert screen.phase == "empty"
        await pilot.press("a")
        await pilot.pause()
        assert app2.screen is screen
        assert any("Nothing to review ahead" in n.message for n in app2._notifications)


async def test_toasts_do_not_cover_the_grade_buttons(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        app.notify("A long message that takes several lines in its toast, to see where it lands. " * 2)
        await pilot.pause(0.3)
        from textual.widgets._toast import Toast

        toasts = list(app.screen.query(Toast))
        assert toasts
        grades = app.screen.find_widget(app.screen.query_one("#grades")).region
        for t in toasts:
            region = app.screen.find_widget(t).region
            assert not region.overlaps(grades)


# --- welcome, home, palette ------------------------------------------------------------------------------


async def test_welcome_fits_80x24_with_its_start_button_and_names_enter_and_escape(tmp_path):
    app = make_app(tmp_path, show_welcome=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        start = screen.query_one("#welcome-start")
        assert on_screen(app, start)
        box = screen.find_widget(screen.query_one("#welcome-box")).region
        assert box.bottom <= SIZE[1] and box.right <= SIZE[0]
        words = text(app, "#welcome-keys") + text(app, "#welcome-text")
        assert "enter" in words and "escape" in words
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_home_deck_titles_are_cut_after_a_word_and_the_help_key_is_in_the_footer(tmp_path):
    app = make_app(tmp_path, extra_decks=[LONG])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#decks", DataTable)
        title = "A deck with a rather long title: about the new quality productive forces"
        shown = str(table.get_row(app.catalog.decks[0].id)[1]) if app.catalog.decks[0].id == "long" else \
            str(table.get_row("long")[1])
        assert shown != title and shown.endswith("…")
        assert title.startswith(shown[:-1]) and title[len(shown) - 1] in " :"  # cut between words
        assert "f1" in footer_keys(app)
        from textual.widgets._footer import FooterKey

        keys = [k for k in app.screen.query(FooterKey) if k.key == "f1"]
        assert keys and on_screen(app, keys[0]) and app.screen.find_widget(keys[0]).region.right <= SIZE[0]


async def test_home_tab_then_space_chooses_the_first_tag_at_once(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tags = app.screen.query_one("#tags")
        assert "X" not in tags.render_line(0).text and "✓" not in tags.render_line(0).text
        await pilot.press("tab", "space")
        await pilot.pause()
        assert app.choice.tags == [app.catalog.tags[0]]
        assert "✓" in tags.render_line(0).text and "✓" not in tags.render_line(1).text  # a mark, not a colour
        await pilot.press("down", "space")
        assert app.choice.tags == app.catalog.tags[:2]


async def test_command_palette_lists_the_app_actions_before_typing(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        from textual.command import CommandList

        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        for name in ("Study due cards", "Quiz", "Custom study", "Settings", "Statistics", "Browse cards"):
            assert any(name in p for p in prompts), (name, prompts)


# --- drill set-up and results -----------------------------------------------------------------------------------


async def test_drill_setup_enter_on_a_box_starts_and_boxes_show_a_mark(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillSetupScreen)
        speed, board = screen.query_one("#setup-speed", Checkbox), screen.query_one("#setup-board", Checkbox)
        assert "✓" not in str(speed.render()) and "X" not in str(speed.render())
        assert "✓" in str(board.render())
        speed.focus()
        await pilot.press("space")  # space ticks
        assert speed.value and "✓" in str(speed.render())
        await pilot.press("enter")  # enter starts, as from every field
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen) and app.screen.drill.config.speed_bonus


async def test_drill_results_do_not_offer_a_second_round_with_nothing_missed(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=["second"]),
                   drill_options={"n": 2, "seconds": 0, "seed": 1})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        for _ in range(2):
            q = screen.drill.current
            await pilot.press(str(q.correct + 1), "enter")
            await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)
        assert "m" not in footer_keys(app) and "w" in footer_keys(app)


# --- the quiz and the paper ask for their length -------------------------------------------------------------------


async def test_quiz_asks_its_length_decks_and_tags_in_the_app(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SelectionForm) and isinstance(app.focused, Input)
        await pilot.press("ctrl+u", "0", "enter")  # a mistake: one line, nothing lost
        await pilot.pause()
        assert isinstance(app.screen, SelectionForm) and "1 or more" in text(app, "#form-error")
        await pilot.press("ctrl+u", "3", "tab", *"secnd", "enter")
        await pilot.pause()
        assert "unknown deck 'secnd'" in text(app, "#form-error") and "second" in text(app, "#form-error")
        await pilot.press("ctrl+u", *"second", "enter")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and app.choice.deck_ids == ["second"] and app.choice.n == 3
        assert {q.card.deck_id for q in quiz.run.questions} == {"second"} and len(quiz.run.questions) == 2


async def test_paper_asks_its_length_and_tags(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, SelectionForm)
        await pilot.press("ctrl+u", "2", "tab", "tab", "tab", *"11", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert app.choice.n == 2 and app.choice.seed == 11
    paper = (app.loc.data_dir / "papers" / "paper-11-A.md").read_text()
    assert "**2.**" in paper and "**3.**" not in paper  # 3 or more could be asked: 2 were


async def test_study_in_the_app_from_a_quiz_form_escape_cancels(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("z", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)


async def test_drill_reveal_of_a_long_question_scrolls_by_keyboard(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=["long"]), extra_decks=[LONG],
                   drill_options={"n": 1, "seconds": 0, "seed": 1})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        await pilot.press("1")
        await pilot.pause()
        area = screen.query_one("#drill-main")
        assert area.max_scroll_y > 0 and not on_screen(app, screen.query_one("#drill-next"))
        await pilot.press("end")
        await pilot.pause()
        assert area.scroll_y == area.max_scroll_y and on_screen(app, screen.query_one("#drill-next"))
        await pilot.press("home")
        await pilot.pause()
        assert area.scroll_y == 0
