"""The app driven through Pilot: home, every card type in study, undo, empty queue, quiz, help."""

from __future__ import annotations


from textual.widgets import DataTable, Input

from nqpf_tutor.core.store import Store
from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.quiz import QuizScreen
from nqpf_tutor.ui.screens.study import StudyScreen
from nqpf_tutor.ui.widgets.cards import OrderList

from ui_helpers import Clock, make_app, settle_counts


def text_of(app, selector: str) -> str:
    w = app.screen.query_one(selector)
    return str(w.render())


def reviews(app) -> list:
    return [r for r in app.store.reviews() if r.mode != "undo"]


async def start_study(tmp_path, decks=("sample",), **kw):
    app = make_app(tmp_path, start="study", choice=Choice(deck_ids=list(decks)), **kw)
    return app


def fresh_store_reviews(app) -> int:
    """What another process would see: a new connection to the same file."""
    with Store.open(app.loc, profile="default") as other:
        return len([r for r in other.reviews() if r.mode != "undo"])


async def test_home_lists_decks_with_counts_and_chooses(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await settle_counts(pilot)  # the counts come from a worker thread
        table = app.screen.query_one("#decks", DataTable)
        assert table.row_count == 2
        assert str(table.get_row_at(0)[1]) == "Sample [bold]deck[/]"  # shown as typed
        assert str(table.get_row_at(0)[2]) == "6"  # new cards available
        await pilot.press("space")
        assert app.choice.deck_ids == ["sample"]
        assert "decks: sample — 6 cards" in text_of(app, "#selection-summary")
        await pilot.press("space")
        assert app.choice.deck_ids == []
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.choice.deck_ids == ["second"]


async def test_flip_card_reveal_and_grade_saves_before_the_next_card(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen.card.id == "f1"
        assert "What is [bold]shown[/] as typed? [0]" in text_of(app, "#prompt")
        assert text_of(app, "#answer") == ""
        await pilot.press("space")
        assert "Brackets [x] stay" in text_of(app, "#answer")
        assert "[red]no markup[/red]" in text_of(app, "#explanation")
        assert "A source [0], Test Press, 2024-03-06" in text_of(app, "#source")
        grades = str(screen.query_one("#grade-1").label)
        assert grades.startswith("1 Again · ")
        await pilot.press("3")
        assert fresh_store_reviews(app) == 1
        assert reviews(app)[0].grade == 3
        assert screen.card.id == "m1"


async def test_mcq_wrong_then_right_answers_grade_again_and_good(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")  # flip f1: Good
        screen = app.screen
        q = screen.question
        wrong = next(i for i in range(4) if i != q.correct)
        await pilot.press(str(wrong + 1))
        assert "Not quite" in text_of(app, "#verdict")
        assert "A rise in total factor productivity" in text_of(app, "#answer")
        assert fresh_store_reviews(app) == 2  # saved at once, before the next card
        assert reviews(app)[-1].grade == 1
        await pilot.press("enter")
        assert screen.card.id == "t1"
        await pilot.press("f")  # the sky is green: false -> right
        assert "Right" in text_of(app, "#verdict")
        assert reviews(app)[-1].grade == 3


async def test_override_replaces_the_automatic_grade(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")
        q = app.screen.question
        await pilot.press(str(q.correct + 1))
        assert reviews(app)[-1].grade == 3
        await pilot.press("4")  # override: Easy
        live = reviews(app)
        assert [r.grade for r in live][-1] == 4
        assert app.screen.card.id == "t1"
        state = app.store.get("sample", "m1")
        assert state.reps == 1


async def test_typed_answer_is_lenient(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "1", "enter", "t", "enter")  # f1, m1 (any), t1 (wrong: true)
        assert app.screen.card.id == "y1"
        inp = app.screen.query_one("#typed", Input)
        assert inp.has_focus
        await pilot.press(*"  total factor PRODUCTIVITY. ", "enter")
        assert "Right" in text_of(app, "#verdict")
        assert "also accepted: TFP" in text_of(app, "#answer")
        assert reviews(app)[-1].grade == 3


async def test_cloze_and_order_cards(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "1", "enter", "t", "enter", "enter", "enter")
        screen = app.screen
        assert screen.card.id == "c1"
        assert "Innovation [1: ...]; the hallmark is [2: ...]." in text_of(app, "#prompt")
        await pilot.pause()
        await pilot.press(*"Leads", "enter", *"total factor productivity", "enter")
        assert "Right" in text_of(app, "#verdict")
        assert reviews(app)[-1].grade == 3
        await pilot.press("enter")
        assert screen.card.id == "o1"
        await pilot.pause()
        ol = screen.query_one(OrderList)
        assert ol.has_focus and list(ol.items) != ["Steam", "Electricity", "Information", "New quality"]
        # Sort by moving items with the keyboard: a selection sort driven by key presses.
        target = ["Steam", "Electricity", "Information", "New quality"]
        for pos, item in enumerate(target):
            while list(ol.items).index(item) != pos:
                ol.cursor = list(ol.items).index(item)
                await pilot.press("shift+up")
        assert list(ol.items) == target
        await pilot.press("enter")
        assert "Right" in text_of(app, "#verdict")
        assert reviews(app)[-1].grade == 3


async def test_undo_takes_back_the_answer_and_shows_the_card_again(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "4")
        assert app.screen.card.id == "m1" and app.store.get("sample", "f1").reps == 1
        await pilot.press("u")
        assert app.screen.card.id == "f1"
        state = app.store.get("sample", "f1")
        assert state is None or state.reps == 0
        assert fresh_store_reviews(app) == 0
        await pilot.press("u")  # nothing left to undo: a notice, no crash
        assert app.screen.card.id == "f1"


async def test_suspend_and_bury_skip_the_card(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        assert app.store.get("sample", "f1").suspended
        assert app.screen.card.id == "m1"
        await pilot.press("b")
        assert app.store.get("sample", "m1").buried_until is not None
        assert app.screen.card.id == "t1"


async def test_empty_queue_says_when_the_next_card_is_due_and_offers_ahead_and_quiz(tmp_path):
    clock = Clock()
    app = await start_study(tmp_path, decks=("second",), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("4")  # s1 mcq: pick option 4 (right or wrong)
        await pilot.press("4")  # override: Easy
        await pilot.press("t")  # s2: true -> right
        await pilot.press("4")  # Easy
        screen = app.screen
        assert screen.phase == "done"
        assert "Cards answered: 2" in text_of(app, "#answer")
        assert "Next card due: in" in text_of(app, "#explanation")
        await pilot.press("a")  # review ahead
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.screen.card is not None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    app2 = await start_study(tmp_path, decks=("second",), clock=clock)
    async with app2.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app2.screen.phase == "empty"
        assert "Nothing is due" in text_of(app2, "#prompt")
        await pilot.press("z")  # the quiz asks its length first; enter takes the form as filled
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app2.screen, QuizScreen)


async def test_learning_card_comes_back_when_due(tmp_path):
    clock = Clock()
    app = await start_study(tmp_path, decks=("second",), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        q = app.screen.question
        wrong = next(i for i in range(4) if i != q.correct)
        await pilot.press(str(wrong + 1), "enter")  # Again: a learning step of a minute
        await pilot.press("t", "enter")
        assert app.screen.card is not None and app.screen.card.id == "s1"  # learn-ahead window


async def test_quiz_scores_and_reviews_misses_without_touching_the_schedule(tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["sample", "second"], n=4, seed=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and len(screen.run.questions) == 4
        picks = []
        for i in range(4):
            q = screen.run.current
            pick = q.correct if i % 2 == 0 else (q.correct + 1) % len(q.options)
            picks.append(pick)
            await pilot.press(str(pick + 1))
            assert ("Right" if i % 2 == 0 else "Not quite") in text_of(app, "#verdict")
            await pilot.press("enter")
        assert screen.phase == "done"
        assert "Score: 2 of 4 (50%)" in text_of(app, "#prompt")
        assert "Review of the misses" in text_of(app, "#answer")
        assert app.store.reviews() == []
        await pilot.press("m")
        await pilot.pause()
        assert len(app.screen.run.questions) == 2


async def test_quiz_with_schedule_saves_answers(tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["second"], n=2, seed=1, schedule_quiz=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        q = app.screen.run.current
        await pilot.press(str(q.correct + 1))
        assert [r.mode for r in app.store.reviews()] == ["quiz"]


async def test_help_opens_and_closes(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"


async def test_welcome_on_first_run_only(tmp_path):
    app = make_app(tmp_path, show_welcome=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
    app2 = make_app(tmp_path, show_welcome=None)
    async with app2.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app2.screen, HomeScreen)


async def test_no_welcome_over_a_live_game_or_a_drill_started_from_the_command_line(tmp_path):
    from nqpf_tutor.ui.screens.live import LiveScreen

    opts = {"n": 2, "seconds": 20, "seed": 1, "bind": "127.0.0.1", "port": 0}
    app = make_app(tmp_path, start="live", show_welcome=None, live_options=opts)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, LiveScreen)  # projected to the class: no welcome over it
        await pilot.press("escape")
    later = make_app(tmp_path, show_welcome=None)
    async with later.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(later.screen).__name__ == "WelcomeScreen"  # still shown on the first start at home


async def test_theme_is_remembered_in_the_settings(tmp_path):
    from nqpf_tutor.core.settings import load_settings

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert load_settings(app.loc.settings_path).theme == "nord"


async def test_resize_keeps_the_card_and_layout(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert app.screen.card.id == "f1" and "Brackets [x] stay" in text_of(app, "#answer")
        assert app.screen.query_one("#grades").region.bottom <= 39
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.press("3")
        assert app.screen.card.id == "m1"


async def test_reload_picks_up_an_edited_deck_and_keeps_progress(tmp_path):
    import shutil

    from ui_helpers import FIXTURE_DECKS as FIXTURES

    decks = tmp_path / "decks"
    shutil.copytree(FIXTURES, decks)
    app = make_app(tmp_path, decks=decks, start="study", choice=Choice(deck_ids=["second"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")  # s1 is mcq: 't' does nothing there
        q = app.screen.question
        await pilot.press(str(q.correct + 1), "enter")
        assert app.store.get("second", "s1").reps == 1
        await pilot.press("escape")
        text = (decks / "second.yaml").read_text()
        (decks / "second.yaml").write_text(text.replace("id: s1\n", "id: s1-renamed\n    formerly: [s1]\n")
                                           .replace("Pick the even number.", "Pick an even number."))
        await pilot.press("r")
        await app.workers.wait_for_complete()  # decks are read again in a worker
        await pilot.pause()
        card = app.catalog.deck("second").card("s1-renamed")
        assert card is not None and card.prompt == "Pick an even number."
        assert app.store.get("second", "s1-renamed").reps == 1


async def test_broken_deck_shows_a_message_not_a_crash(tmp_path):
    bad = tmp_path / "user-decks"
    bad.mkdir()
    (bad / "broken.yaml").write_text("deck: {id: broken, title: B}\ncards: [\n")
    app = make_app(tmp_path, extra_decks=[bad])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("broken.yaml" in str(n.message) for n in app._notifications)


async def test_no_decks_at_all(tmp_path):
    app = make_app(tmp_path, decks=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "No decks found" in text_of(app, "#selection-summary")
        await pilot.press("s")
        assert isinstance(app.screen, HomeScreen)


async def test_quitting_mid_session_keeps_every_answer(tmp_path):
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")
        q = app.screen.question
        await pilot.press(str(q.correct + 1))
        await pilot.press("ctrl+q")
    assert fresh_store_reviews(app) == 2


async def test_paper_test_from_the_app(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=["sample", "second"], n=3, seed=11))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "enter")  # the paper asks its length first: enter takes the form as filled
        await app.workers.wait_for_complete()  # the paper is written in a worker
        await pilot.pause()
    names = sorted(p.name for p in app.last_paper)
    assert names == ["paper-11-A-key.md", "paper-11-A-key.pdf", "paper-11-A.md", "paper-11-A.pdf",
                     "paper-11-B-key.md", "paper-11-B-key.pdf", "paper-11-B.md", "paper-11-B.pdf"]
    folder = app.loc.data_dir / "papers"
    assert (folder / "paper-11-A.pdf").read_bytes().startswith(b"%PDF-")
    a = (folder / "paper-11-A.md").read_text()
    assert a.startswith("# New quality productive forces — version A") and "Answer key" not in a
    assert a.count("**1.**") == 1 and "**3.**" in a and "**4.**" not in a
    key = (folder / "paper-11-A-key.md").read_text()
    assert key.startswith("# Answer key — version A") and "3. **" in key


NEAR_MISS_DECK = """
deck: {id: nm, title: Near misses}
sources: [{id: s, title: S}]
cards:
  - id: y
    type: typed
    prompt: What is the core hallmark?
    answer: A substantial increase in total factor productivity
    accept: [the enhancement of total factor productivity]
    sources: [s]
  - id: c
    type: cloze
    text: "Smooth the cycle of education, science and technology, and {{talent}}."
    accept: [[human resources]]
    sources: [s]
"""


async def test_near_miss_shows_the_accepted_answers(tmp_path):
    """Issue 12: a wrong answer that was close says why: every accepted wording is shown."""
    decks = tmp_path / "nm"
    decks.mkdir()
    (decks / "nm.yaml").write_text(NEAR_MISS_DECK, "utf-8")
    app = make_app(tmp_path, start="study", decks=decks, choice=Choice(deck_ids=["nm"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.card.id == "y"
        await pilot.press(*"increase in total factor productivty", "enter")  # close, misspelt
        verdict = text_of(app, "#verdict")
        assert "Not quite, but close: compare with the accepted answers below" in verdict
        answer = text_of(app, "#answer")
        assert "A substantial increase in total factor productivity" in answer
        assert "also accepted: the enhancement of total factor productivity" in answer
        assert reviews(app)[-1].grade == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.card.id == "c"
        await pilot.press(*"human resource", "enter")  # close to the explainer's wording
        verdict = text_of(app, "#verdict")
        assert "✗ talent" in verdict and "blank 1 accepts talent / human resources" in verdict
        await pilot.press("enter")
    # A far-off answer is just wrong; the other wording is right.
    app = make_app(tmp_path / "2", start="study", decks=decks, choice=Choice(deck_ids=["nm"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"bananas", "enter")
        assert "Close" not in text_of(app, "#verdict")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Human Resources", "enter")
        assert "Right" in text_of(app, "#verdict")


async def test_the_study_start_focuses_nothing_but_a_box_to_type_in(tmp_path):
    """No widget takes focus at a study start (the keys work on the screen; Textual's auto
    focus on the card area is off, issue 17), nor on the way back from a modal; a typed
    card's answer box does."""
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.card.type == "flip" and app.focused is None
        footer = " ".join(str(k.description) for k in app.screen.query("FooterKey"))
        assert "Show / next" in footer  # the footer, mounted after the first frame, has its keys
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.focused is None
        await pilot.press("space", "3")  # flip: shown, good
        await pilot.pause()
        assert app.screen.card.type == "mcq" and app.focused is None
        await pilot.press("1", "enter", "f", "enter")  # mcq, then true/false, answered
        await pilot.pause()
        assert app.screen.card.type == "typed" and isinstance(app.focused, Input)


async def test_a_key_before_the_lines_under_the_card_are_made_still_shows_the_answer(tmp_path, monkeypatch):
    """The lines under the card (verdict, answer, explanation, source) and the grade slot are
    mounted just after the first frame; a key that comes first makes them then and there."""
    async def not_yet(self) -> None:  # the first frame's follow-up has not run yet
        pass

    monkeypatch.setattr(StudyScreen, "_after_first_frame", not_yet)
    app = await start_study(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query("#answer") and not screen.query("#grades-slot")
        await pilot.press("space")
        await pilot.pause()
        assert "Answer: " in text_of(app, "#answer") and screen.query("#grades")
        await pilot.press("3")
        await pilot.pause()
        assert len(reviews(app)) == 1 and app.screen.card.type == "mcq"
        assert len(screen.query("#answer")) == 1  # made once
