"""``nqpf-tutor import FILE [-o PATH] [--id ID] [--title T] [--delimiter tab|comma|auto]``."""

from __future__ import annotations

import sys
from pathlib import Path

from nqpf_tutor.errors import NqpfError


def run(args, loc) -> int:
    from nqpf_tutor.core.authoring import schema_ref
    from nqpf_tutor.core.importer import default_deck_id, import_deck

    deck_id = args.deck_id or default_deck_id(args.source)
    if args.output:
        output = Path(args.output).expanduser()
    else:
        folder = loc.user_decks_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise NqpfError(f"cannot create the decks folder {folder}: {e.strerror or e}") from None
        output = folder / f"{deck_id}.yaml"
        if not output.exists():  # (an existing file gets its own message)
            _check_deck_id_free(loc, deck_id)
    result = import_deck(
        args.source, output, deck_id=deck_id, title=args.title, delimiter=args.delimiter, schema=schema_ref(),
    )
    for w in result.warnings:
        print(f"nqpf-tutor: warning: {args.source}: {w}", file=sys.stderr)
    n = result.cards
    print(f"wrote {result.path} (deck '{result.deck_id}', {n} card{'s' * (n != 1)})", file=sys.stderr)
    return 0


def _check_deck_id_free(loc, deck_id: str) -> None:
    """A deck written to the decks folder must not clash with a deck the app already loads."""
    from nqpf_tutor.core.loader import load_catalog

    taken = load_catalog(loc).deck(deck_id)
    if taken is not None:
        raise NqpfError(f"deck id '{deck_id}' is already used by {taken.path}; choose another with --id")
