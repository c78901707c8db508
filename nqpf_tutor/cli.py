"""Command line: parse arguments, then run a headless command or start the app.

Each command lives in ``nqpf_tutor/commands/<name>.py`` with ``run(args, loc) -> int`` and is
imported only when used, so headless commands never import Textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from nqpf_tutor import __version__
from nqpf_tutor.errors import NqpfError


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--deck", action="append", default=[], metavar="ID", help="only this deck (repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="only cards with this tag (repeatable)")


def build_parser() -> argparse.ArgumentParser:
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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

    p = sub.add_parser("decks", help="decks found, with card counts")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("validate", help="check deck files; errors as path:line:col: message")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--watch", action="store_true", help="validate again on every save (ctrl+c stops)")

    p = sub.add_parser("export", help="export cards as json, csv or a printable markdown paper")
    _add_selection(p)
    p.add_argument("--format", required=True, choices=["json", "csv", "markdown", "apkg"])
    p.add_argument("--seed", type=int, default=None, metavar="S")
    p.add_argument("-n", type=int, default=None, metavar="N", help="at most N questions")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--versions", metavar="A,B", help="markdown: several versions of the paper, questions and options in other orders (FILE-A.md, FILE-B.md)")
    p.add_argument("--key", metavar="FILE", help="markdown: write the answer key to this file instead of the paper's end")
    p.add_argument("--force", action="store_true", help="replace existing files")

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

    p = sub.add_parser("results", help="past drills; export one")
    p.add_argument("drill_id", nargs="?", metavar="DRILL", help="a drill id to show or export")
    p.add_argument("--out", metavar="FILE", help="write that drill as CSV (and JSON alongside)")
    p.add_argument("--force", action="store_true", help="replace existing --out files")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


#: Command name -> module in nqpf_tutor.commands, where the two differ.
MODULES = {"import": "import_deck"}
#: Commands that run the terminal UI; every other command's standard output and error go
#: through ``core.text.CleanStream`` (no escape code, bidi or zero-width character reaches
#: the terminal raw).
TUI_COMMANDS = {"app", "study", "quiz", "drill", "live", "join"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
