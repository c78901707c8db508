"""Help (f1 or ?): every key of every screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from nqpf_tutor.core.stats import FIGURES
from nqpf_tutor.ui.widgets.plain import styled

KEYS = [
    ("Everywhere", [
        ("f1  ?", "this help"),
        ("ctrl+p", "command palette: every action, themes"),
        ("ctrl+q", "quit (answers are saved as you give them)"),
    ]),
    ("Home", [
        ("up/down", "move between decks"),
        ("space", "choose or unchoose a deck (none chosen: all decks)"),
        ("enter", "study the deck under the cursor"),
        ("tab", "go to the tags: the first is highlighted, space chooses it, up/down move"),
        ("s  z  d", "study; quiz (asks how many questions, decks, tags); classroom drill"),
        ("l", "live classroom game (phones answer)"),
        ("t  b", "statistics, browse cards"),
        ("f", "custom study (filtered): more new cards today, forgotten cards, study ahead, a deck or tag"),
        ("o", "settings: daily limits (per deck too), retention, steps, day start"),
        ("r", "reload the decks from disk (progress is kept)"),
        ("e  w", "exam plan for the chosen decks and tags; the last days: the weakest cards"),
        ("p", "print: a paper test (asks its length, decks, tags): PDF and Markdown, versions A and B, keys"),
        ("c", "class report: students, hardest questions, tags across drills"),
        ("q", "quit"),
    ]),
    ("Study", [
        ("space  enter", "show the answer (flashcards); after an answer: next card with the grade shown"),
        ("1 2 3 4", "grade Again / Hard / Good / Easy and go on (each shows its next interval)"),
        ("1-4  t f", "pick an option (multiple choice, true/false); afterwards 1-4 changes the grade and goes on"),
        ("enter", "check a typed answer or the blanks of a cloze (all empty: just show the answer)"),
        ("up/down  shift+up/down  K J", "order cards: choose an item, move it; enter checks"),
        ("ctrl+z  (or u)", "undo the last answer; works on every card, even while typing"),
        ("ctrl+s  (or s)", "suspend the card, before or after answering, even while typing"),
        ("ctrl+b  (or b)", "bury the card until tomorrow, even while typing"),
        ("pgup pgdn home end", "scroll the card (answer, explanation, source); up/down too when not taken"),
        ("a  z", "when nothing is due: review ahead, or a quiz instead"),
        ("escape", "back home (also while typing)"),
    ]),
    ("Quiz", [
        ("1-4  t f", "pick an option"),
        ("enter", "next question"),
        ("pgup pgdn home end", "scroll the question or the review of the misses (up/down too)"),
        ("m", "at the end: quiz the misses again"),
        ("escape", "back home"),
    ]),
    ("Custom study and settings", [
        ("tab  shift+tab", "move between the fields and choices"),
        ("enter", "start (custom study) or save (settings); a mistake is shown in one line"),
        ("escape", "back without starting or saving"),
    ]),
    ("Drill", [
        ("1-4  t f", "pick an option (the timer is on screen); t/f for true/false"),
        ("enter  space", "teacher: next question after the discussion"),
        ("escape", "stop the drill (answers given so far are kept) and show the results"),
        ("m  w", "results: a second round of the missed questions; write the results files"),
        ("set-up: tab  space  enter", "next field; tick a box (✓); start the drill from any field"),
    ]),
    ("Live game (projected)", [
        ("enter  space  n", "start; the next question after the reveal"),
        ("s  p", "skip (close the question now); pause or go on"),
        ("x", "remove a student"),
        ("e  escape", "end the game (answers are kept): podium, scores, most missed"),
        ("m  w", "at the end: a second round of the missed questions; write the results files"),
    ]),
    ("Class report", [
        ("1 2 3", "tabs: students, questions (hardest first), tags"),
        ("enter", "on a question: all of it, with every wrong choice made"),
        ("c", "the next class (every class, then each by name)"),
        ("d", "a drill of the questions the class finds hardest"),
        ("w", "write the report as CSV (reports/ in the data dir)"),
        ("escape  q", "back"),
    ]),
    ("Statistics", [
        ("1-6  left/right", "tabs: overview, forecast, reviews, retention, calendar, mastery"),
        ("r", "compute the figures again"),
        ("o  m", "optimize the FSRS parameters to your reviews; simulate schedulers"),
        ("escape  q", "back"),
    ]),
    ("Exam plan", [
        ("enter", "in the date or goal box: work out the plan"),
        ("k  c", "keep the plan (study paces new cards by it); clear the kept plan"),
        ("w", "study the cards with the lowest predicted recall on the exam day"),
        ("/  escape", "back to the date box; back"),
    ]),
    ("Optimize and simulate", [
        ("o  d", "optimize: fit the parameters (kept only if better); back to the defaults"),
        ("enter  ctrl+r", "simulate: run with the figures in the boxes"),
        ("escape", "back"),
    ]),
    ("Browse", [
        ("type", "search (all words; deck:ID  tag:T  is:new  is:suspended  is:due  is:leech)"),
        ("enter  down  /", "to the table; open the card; back to the search box"),
        ("s", "suspend or unsuspend the highlighted card"),
        ("x", "reset its progress (after you confirm)"),
        ("escape", "back"),
    ]),
]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-box {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $primary;
        padding: 0 1;
        background: $surface;
    }
    .help-section {
        margin-bottom: 1;
    }
    """

    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(styled("Keys", "bold"), id="help-title")
            for section, keys in KEYS:
                text = styled(section, "bold underline") + "\n"
                for k, what in keys:
                    text += styled(f"  {k:<28}", "bold") + f"{what}\n"
                yield Static(text, classes="help-section")
            text = styled("Figures (statistics and browse)", "bold underline") + "\n"
            for name, what in FIGURES:
                text += styled(f"  {name}", "bold") + f"\n      {what}\n"
            yield Static(text, classes="help-section", id="help-figures")
            yield Static(styled("escape closes this help; up/down, pgup/pgdn, home/end scroll it", "dim"))

    def action_dismiss(self) -> None:
        self.dismiss(None)
