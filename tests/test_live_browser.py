"""The student page in a real headless browser (Playwright driving Debian's chromium), with
three students joining, answering (a tap, a click, the keyboard), one reloading mid-game, while
the teacher's screen is driven through Pilot.

Skipped with the reason when Playwright or /usr/bin/chromium is missing (CI installs both).
Set NQPF_LIVE_SHOTS=DIR to keep a screenshot and the text of the page at each state.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright is not installed (pip install -e '.[test]')")
if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
                allow_module_level=True)

from nqpf_tutor.core.drill import load_drill  # noqa: E402
from nqpf_tutor.ui.screens.live import LiveScreen  # noqa: E402

from test_live_ui import FakeClock, live_app  # noqa: E402


class Shots:
    """The page's visible text at each state (and screenshots when NQPF_LIVE_SHOTS is set)."""

    def __init__(self) -> None:
        self.dir = Path(os.environ["NQPF_LIVE_SHOTS"]) if os.environ.get("NQPF_LIVE_SHOTS") else None
        self.texts: dict[str, str] = {}

    async def take(self, page, state: str) -> str:
        text = await page.inner_text("main")
        self.texts[state] = text
        if self.dir:
            self.dir.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(self.dir / f"{state}.png"), full_page=True)
            (self.dir / "texts.json").write_text(json.dumps(self.texts, indent=2, ensure_ascii=False), "utf-8")
        return text


async def wait_view(page, name: str, timeout: float = 5000) -> None:
    """The page shows this view (the page's CSP allows no eval, so no wait_for_function)."""
    await page.locator(f"#view-{name}").wait_for(state="visible", timeout=timeout)


async def test_three_students_in_a_browser_one_reloads(tmp_path):
    clock = FakeClock()
    app = live_app(tmp_path, clock, n=3)
    shots = Shots()
    async with app.run_test(size=(80, 24)) as pilot, playwright_api.async_playwright() as pw:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen) and screen.server is not None
        game = screen.game
        url = screen.server.join_url
        base = screen.server.url
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            phone = await browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
            laptop1 = await browser.new_context(viewport={"width": 1280, "height": 800})
            laptop2 = await browser.new_context(viewport={"width": 1024, "height": 700})
            pages = [await c.new_page() for c in (phone, laptop1, laptop2)]
            outside: list[str] = []
            for p in pages:
                p.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
                await p.goto(url)

            # --- join: the code is filled in from the QR code's link ---------------------------------
            ann, bo, cy = pages
            assert await ann.input_value("#code") == game.code
            text = await shots.take(ann, "join")
            assert "Join the game" in text and "Game code" in text and "Nickname" in text
            await ann.get_by_label("Nickname").fill("Ann")
            await ann.get_by_role("button", name="Join").tap()
            await bo.get_by_label("Nickname").fill("Ann")  # taken: said, and Bo can choose again
            await bo.get_by_role("button", name="Join").click()
            await bo.locator("#join-error", has_text="taken").wait_for()
            await bo.get_by_label("Nickname").fill("<b>Bo</b>")
            await bo.keyboard.press("Enter")
            await cy.get_by_label("Nickname").fill("Cy")
            await cy.get_by_role("button", name="Join").click()
            for p in pages:
                await wait_view(p, "wait")
            await pilot.pause(0.4)
            text = await shots.take(ann, "waiting")
            assert "You're in, Ann!" in text and "Waiting for the teacher to start" in text and "3 players" in text
            assert await bo.inner_text("#me") == "Bo"
            assert [p.name for p in game.active_players()] == ["Ann", "Bo", "Cy"]

            # --- question 1: a tap, the keyboard, and a reload before answering -----------------------
            await pilot.press("enter")
            for p in pages:
                await wait_view(p, "question")
            q = game.current
            text = await shots.take(ann, "question")
            assert q.prompt in text and "Question 1 of 3" in text
            for i, opt in enumerate(q.options):
                button = ann.get_by_role("button", name=f"Option {i + 1}: {opt}")
                assert await button.count() == 1
            # the page has no way to know the right answer: nothing in it marks an option
            html = await ann.content()
            assert "correct" not in html and q.card.explanation not in html
            # no sideways scrolling on the small phone
            assert await ann.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            await ann.get_by_role("button", name=f"Option {q.correct + 1}: {q.answer}").tap()
            await wait_view(ann, "locked")
            text = await shots.take(ann, "locked")
            assert "Answer locked" in text and f"You chose {q.correct + 1}. {q.answer}" in text
            wrong = (q.correct + 1) % len(q.options)
            await bo.keyboard.press(str(wrong + 1))  # keys 1-4 on a laptop
            await wait_view(bo, "locked")
            await cy.reload()  # the page reloads mid-question: back in, same game
            await wait_view(cy, "question")
            assert await cy.inner_text("#me") == "Cy"
            await cy.get_by_role("button", name=f"Option {q.correct + 1}: {q.answer}").click()
            for p in pages:
                await wait_view(p, "reveal")
            await pilot.pause(0.15)
            text = await shots.take(ann, "reveal")
            assert "✓ Right!" in text and "+1 point" in text and f"Answer: {q.correct + 1}. {q.answer}" in text
            assert "rank 1 of 3" in text
            assert "✗ Wrong" in await bo.inner_text("main")
            assert "Total 1 point · rank 1 of 3" in await cy.inner_text("main")

            # --- a reload after the reveal keeps the score ---------------------------------------------
            await cy.reload()
            await wait_view(cy, "reveal")
            assert "Total 1 point · rank 1 of 3" in await cy.inner_text("main")

            # --- question 2: Cy reloads after answering; the lock is kept ------------------------------
            await pilot.press("enter")
            for p in pages:
                await wait_view(p, "question")
            q2 = game.current
            await cy.keyboard.press(str(q2.correct + 1))
            await wait_view(cy, "locked")
            await cy.reload()
            await wait_view(cy, "locked")
            await ann.keyboard.press(str(q2.correct + 1))
            await bo.keyboard.press(str(q2.correct + 1))
            for p in pages:
                await wait_view(p, "reveal")
            assert "Total 2 points · rank 1 of 3" in await cy.inner_text("main")

            # --- the teacher ends the game -------------------------------------------------------------
            await pilot.press("e")
            for p in pages:
                await wait_view(p, "end")
            text = await shots.take(ann, "end")
            assert "Game over" in text and "2 points · 2 of 2 right" in text and "You came 1 of 3." in text
            assert "Bo" in await ann.inner_text("#podium")
            assert await ann.eval_on_selector_all("#podium li", "items => items.map(li => li.value)") == [1, 1, 3]
            assert outside == []  # nothing but the teacher's computer

            # accessibility: real buttons, labelled inputs, a live region
            assert await ann.locator("[role=status][aria-live=polite]").count() == 1
            assert await ann.locator("label[for=name]").count() == 1
        finally:
            await browser.close()
        rec = load_drill(app.store, game.id)
        assert sorted((a.student, a.question_id) for a in rec.answers) == sorted(
            (s, qq.card.uid) for s in ("Ann", "Bo", "Cy") for qq in game.questions[:2])
        assert len(rec.answers) == 6
        assert {s.student: s.points for s in rec.leaderboard()} == {"Ann": 2, "Cy": 2, "Bo": 1}
