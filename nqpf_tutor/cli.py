"""Command line: parse arguments, then run a headless command or start the app.

Each command lives in ``nqpf_tutor/commands/<name>.py`` with ``run(args, loc) -> int`` and is
imported only when used, so headless commands never import Textual.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import TYPE_CHECKING, Sequence

from nqpf_tutor import __version__
from nqpf_tutor.errors import NqpfError

if TYPE_CHECKING:
    import argparse


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--deck", action="append", default=[], metavar="ID", help="only this deck (repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="only cards with this tag (repeatable)")


def add_class_option(p: argparse.ArgumentParser) -> None:
    """``--class NAME`` for commands that run a class (drill; live games use it the same way:
    pass ``args.class_name`` on as ``DrillConfig.class_name`` / ``Store.start_drill(class_name=)``)."""
    p.add_argument("--class", dest="class_name", metavar="NAME",
                   help="the class taking it, kept with the results (for nqpf-tutor report)")


#: Options before the command that take a value (``command_of`` steps over them).
_GLOBAL_VALUE_OPTIONS = ("--data-dir", "--decks-dir", "--profile")


def command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` when it is plain to see (only global options, with their
    values, before it); else None (no command, help, an abbreviated or unknown option)."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in _GLOBAL_VALUE_OPTIONS:
            i += 2
        elif a.startswith(tuple(o + "=" for o in _GLOBAL_VALUE_OPTIONS)):
            i += 1
        elif a.startswith("-"):
            return None
        else:
            return a
    return None


class _Skip:
    """A command's parser not built (see ``_Subcommands``): its arguments are dropped."""

    def add_argument(self, *args, **kwargs) -> None:
        pass


class _Subcommands:
    """``add_subparsers()`` that builds only the command being run (issue 17: start-up; the
    whole parser, 20 commands and their options, takes ~8 ms). With ``only`` None, all."""

    def __init__(self, sub, only: str | None) -> None:
        self.sub, self.only, self.found = sub, only, False

    def add_parser(self, name: str, **kwargs):
        if self.only is not None and name != self.only:
            return _Skip()
        self.found = True
        return self.sub.add_parser(name, **kwargs)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``only``: the command being run (the others are left out,
    which changes no message about it); an unknown ``only``: every command, as for None."""
    import argparse  # (here: imported after main() has paused the collector)

    parser = argparse.ArgumentParser(
        prog="nqpf-tutor",
        description="Learn 'new quality productive forces' with flashcards, quizzes and spaced repetition.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where progress and results live (env NQPF_TUTOR_DATA_DIR)")
    parser.add_argument(
        "--decks-dir", action="append", default=[], metavar="DIR",
        help="an extra folder of decks (repeatable; env NQPF_TUTOR_DECKS_DIR)",
    )
    parser.add_argument("--profile", metavar="NAME", default=None, help="whose progress (default: 'default')")
    sub = _Subcommands(parser.add_subparsers(dest="command", metavar="COMMAND"), only)

    p = sub.add_parser("study", help="due cards, spaced repetition")
    _add_selection(p)

    p = sub.add_parser("quiz", help="multiple-choice quiz")
    _add_selection(p)
    p.add_argument("-n", type=int, default=10, metavar="N", help="number of questions (default 10)")
    p.add_argument("--seed", type=int, default=None, metavar="S")
    p.add_argument("--schedule", action="store_true", help="let quiz answers move the study schedule")

    p = sub.add_parser("drill", help="classroom drill with a timer and scores")
    _add_selection(p)
    p.add_argument("-n", type=int, default=10, metavar="N", help="number of questions (default 10)")
    p.add_argument("--seconds", type=int, default=20, metavar="S", help="seconds per question, 0 = no timer")
    p.add_argument("--seed", type=int, default=None, metavar="S")
    p.add_argument("--student", action="append", default=[], metavar="NAME", help="a student or team (repeatable)")
    p.add_argument("--out", metavar="FILE", help="write results as CSV (and JSON alongside)")
    p.add_argument("--force", action="store_true", help="replace existing --out files")
    p.add_argument("--speed-bonus", action="store_true", help="extra points for fast right answers")
    p.add_argument("--streaks", action="store_true", help="extra points for runs of right answers")
    p.add_argument("--no-leaderboard", action="store_true", help="hide the leaderboard between questions")
    add_class_option(p)
    p.add_argument("--from-report", action="store_true",
                   help="ask the questions the class (--class) finds hardest, from its report")

    p = sub.add_parser("live", help="host a live game: students answer from their phones or laptops")
    _add_selection(p)
    p.add_argument("-n", type=int, default=10, metavar="N", help="number of questions (default 10)")
    p.add_argument("--seconds", type=int, default=20, metavar="S", help="seconds per question, 0 = no timer")
    p.add_argument("--seed", type=int, default=None, metavar="S")
    p.add_argument("--speed-bonus", action="store_true", help="extra points for fast right answers")
    p.add_argument("--streaks", action="store_true", help="extra points for runs of right answers")
    p.add_argument("--no-leaderboard", action="store_true", help="hide the leaderboard after each question")
    p.add_argument("--bind", metavar="ADDR", help="address to listen on (default: this machine's LAN "
                   "address; 0.0.0.0: every interface; 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, metavar="P", help="port (default 8765, or the next free one)")
    add_class_option(p)

    p = sub.add_parser("join", help="answer a live game from this terminal")
    p.add_argument("address", metavar="ADDRESS", help="the address on the teacher's screen, e.g. 192.168.1.20:8765")
    p.add_argument("--code", metavar="CODE", help="the game code (else asked, or taken from the address)")
    p.add_argument("--name", metavar="NAME", help="your nickname (else asked)")

    p = sub.add_parser("decks", help="decks found, with card counts")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("validate", help="check deck files; errors as path:line:col: message")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--watch", action="store_true", help="validate again on every save (ctrl+c stops)")

    p = sub.add_parser("export", help="export cards as json, csv, apkg (an Anki package), or a printable paper "
                       "(markdown, pdf)",
                       description="Export cards as json or csv, an Anki package (apkg, needs -o FILE.apkg) to study "
                       "in Anki or AnkiDroid, or a printable paper test (markdown or pdf).")
    _add_selection(p)
    p.add_argument("--format", required=True, choices=["json", "csv", "markdown", "apkg", "pdf"],
                   help="json or csv: every card; markdown or pdf: a paper test; apkg: an Anki package")
    p.add_argument("--seed", type=int, default=None, metavar="S")
    p.add_argument("-n", type=int, default=None, metavar="N", help="at most N questions")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--versions", metavar="A,B", help="markdown, pdf: several versions of the paper, questions and options in other orders (FILE-A.md, FILE-B.md)")
    p.add_argument("--key", metavar="FILE", help="markdown, pdf: write the answer key to this file instead of the paper's end")
    p.add_argument("--paper", choices=["a4", "letter"], type=str.lower, default="a4", help="pdf: page size (default a4)")
    p.add_argument("--force", action="store_true", help="replace existing files")

    p = sub.add_parser("report", help="a class across drills: students, questions, tags")
    p.add_argument("--class", dest="class_name", metavar="NAME", help="only this class's drills")
    p.add_argument("--since", metavar="DATE", help="only drills started on or after DATE (YYYY-MM-DD, UTC)")
    p.add_argument("--roster", metavar="FILE", help="a roster file (YAML or CSV) mapping nicknames to names")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--out", metavar="FILE", help="write the report as CSV (formula-safe cells)")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--drill", action="store_true", help="start a drill of the hardest questions")
    p.add_argument("--hardest", type=int, default=10, metavar="N", help="how many hardest questions (default 10)")

    p = sub.add_parser("stats", help="review figures")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    sub.add_parser("schema", help="print the deck JSON Schema")

    p = sub.add_parser("new", help="write a starter deck with every card type")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = sub.add_parser("import", help="turn tab- or comma-separated cards (Quizlet, Anki) into a YAML deck")
    p.add_argument("source", metavar="FILE", help="front, back, optional tags per line ('-' for stdin)")
    p.add_argument("-o", "--output", metavar="PATH", help="deck file to write (default: in the user decks folder)")
    p.add_argument("--id", dest="deck_id", metavar="ID", help="deck id (default: from the file name)")
    p.add_argument("--title", metavar="TITLE")
    p.add_argument("--delimiter", choices=["tab", "comma", "auto"], default="auto")

    p = sub.add_parser("plan", help="days to an exam: new cards, reviews and minutes per day, predicted recall")
    _add_selection(p)
    p.add_argument("--exam", metavar="DATE", help="the exam day, YYYY-MM-DD")
    p.add_argument("--retention", metavar="R", help="goal: share recalled on the exam day (default: the settings' desired retention)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--set", action="store_true", help="keep this plan: exam mode paces new cards by it")
    p.add_argument("--clear", action="store_true", help="remove the plan kept for this profile")

    p = sub.add_parser("optimize", help="fit FSRS parameters to this profile's reviews")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--reset", action="store_true", help="go back to the default parameters")

    p = sub.add_parser("simulate", help="simulated learners under FSRS, fitted FSRS, SM-2 and Leitner")
    p.add_argument("--days", metavar="D", default="365", help="days studied (default 365)")
    p.add_argument("--cards", metavar="N", default="1000", help="cards (default 1000, 20 new a day)")
    p.add_argument("--retention", metavar="R", default="0.9", help="FSRS desired retention (default 0.9)")
    p.add_argument("--seed", metavar="S", default="0", help="random seed (default 0)")
    p.add_argument("--learner", default="fsrs", metavar="fsrs|other",
                   help="memory model of the learners: fsrs, or other (exponential forgetting)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("results", help="past drills; export one")
    p.add_argument("drill_id", nargs="?", metavar="DRILL", help="a drill id to show or export")
    p.add_argument("--out", metavar="FILE", help="write that drill as CSV (and JSON alongside)")
    p.add_argument("--force", action="store_true", help="replace existing --out files")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    if only is not None and not sub.found:  # not a command: the whole parser says so
        return build_parser()
    return parser


#: Command name -> module in nqpf_tutor.commands, where the two differ.
MODULES = {"import": "import_deck"}
#: Commands that run the terminal UI; every other command's standard output and error go
#: through ``core.text.CleanStream`` (no escape code, bidi or zero-width character reaches
#: the terminal raw).
TUI_COMMANDS = {"app", "study", "quiz", "drill", "live", "join"}
#: Commands that start the app through ``commands.app.launch``: their start-up (imports, decks)
#: makes many objects and no garbage, so the cycle collector is paused from the first line
#: until ``launch`` hands the app over (it freezes what start-up loaded, then resumes it).
#: Issue 17: a bundled-deck start is ~5 ms shorter.
APP_STARTS = {"app", "study", "quiz", "drill", "live"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    only = command_of(argv)
    collecting = gc.isenabled()
    if (only or "app") in APP_STARTS:
        gc.disable()
    try:
        parser = build_parser(only)
        args = parser.parse_args(argv)
        command = args.command or "app"
        streams = sys.stdout, sys.stderr
        if command not in TUI_COMMANDS:
            from nqpf_tutor.core.text import CleanStream

            sys.stdout, sys.stderr = CleanStream(sys.stdout), CleanStream(sys.stderr)
        try:
            return _run(args, command)
        finally:
            sys.stdout, sys.stderr = streams
    finally:
        if collecting:
            gc.enable()


def _run(args, command: str) -> int:
    from nqpf_tutor.core.text import escape
    from nqpf_tutor.locations import Locations

    try:
        loc = Locations.resolve(data_dir=args.data_dir, decks_dirs=args.decks_dir)
        name = f"nqpf_tutor.commands.{MODULES.get(command, command)}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            print(f"nqpf-tutor: '{command}' is not available yet", file=sys.stderr)
            return 2
        return int(module.run(args, loc) or 0)
    except NqpfError as e:
        print(f"nqpf-tutor: {escape(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
