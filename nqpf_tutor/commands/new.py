"""``nqpf-tutor new PATH [--force]``: write a starter deck with every card type."""

from __future__ import annotations

import sys


def run(args, loc) -> int:
    from nqpf_tutor.core.authoring import write_starter_deck

    path = write_starter_deck(args.path, force=args.force)
    print(f"wrote {path}; check it with: nqpf-tutor validate {path}", file=sys.stderr)
    return 0
