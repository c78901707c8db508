"""``nqpf-tutor export --format json|csv|markdown|apkg``: cards for scripts, or a paper test."""

from __future__ import annotations

import sys
from pathlib import Path

from nqpf_tutor.errors import NqpfError


def _write(path: str | None, text: str) -> None:
    if not path or path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, "utf-8")
    except OSError as e:
        raise NqpfError(f"cannot write {path}: {e.strerror or e}") from None
    print(f"wrote {path}", file=sys.stderr)


def run(args, loc) -> int:
    from nqpf_tutor.core import export
    from nqpf_tutor.core.loader import load_catalog, select_cards

    catalog = load_catalog(loc)
    for w in catalog.warnings:
        print(f"nqpf-tutor: warning: {w}", file=sys.stderr)
    cards = select_cards(catalog, args.deck, args.tag)
    decks = {d.id: d for d in catalog.decks}
    fmt = args.format
    if fmt == "apkg":
        if not args.output:
            raise NqpfError("an .apkg export needs -o FILE.apkg")
        from nqpf_tutor.core.anki import write_apkg

        n = write_apkg(cards, decks, args.output, title=_title(args, catalog))
        print(f"wrote {args.output} ({n} notes)", file=sys.stderr)
        return 0
    if args.n is not None and args.n < 1:
        raise NqpfError("-n must be at least 1")
    if fmt in ("json", "csv"):
        if args.n is not None:  # the paper's balanced, seeded selection (the same as markdown -n N --seed S)
            cards = export.paper_cards(cards, seed=args.seed, n=args.n)
            if not cards:
                raise NqpfError("-n draws the paper's questions, and the chosen cards have no multiple-choice "
                                "or true/false questions; leave out -n to export every card")
        text = export.to_json(cards, decks) if fmt == "json" else export.to_csv(cards, decks)
        _write(args.output, text)
        return 0
    versions = [v.strip().upper() for v in (getattr(args, "versions", None) or "").split(",") if v.strip()]
    key_file = getattr(args, "key", None)
    for version in versions or [""]:
        paper = export.make_paper(cards, seed=args.seed, n=args.n, title=_title(args, catalog), version=version)
        if not paper.questions:
            raise NqpfError("no multiple-choice or true/false questions in the chosen cards")
        out = _versioned(args.output, version) if versions else args.output
        _write(out, paper.markdown(with_key=not key_file))
        if key_file:
            _write(_versioned(key_file, version) if versions else key_file, paper.key_markdown())
    return 0


def _title(args, catalog) -> str:
    if len(args.deck) == 1:
        d = catalog.deck(args.deck[0])
        if d is not None:
            return d.title
    return "New quality productive forces"


def _versioned(path: str | None, version: str) -> str | None:
    if not path or path == "-":
        return path
    p = Path(path)
    return str(p.with_name(f"{p.stem}-{version}{p.suffix}"))
