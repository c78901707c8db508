"""``nqpf-tutor export --format json|csv|markdown|apkg``: cards for scripts, or a paper test."""

from __future__ import annotations

import sys
from pathlib import Path

from nqpf_tutor.errors import NqpfError


def _write(outputs: list[tuple[str | None, str]], force: bool) -> None:
    """Standard output for no file (or ``-``); the files all at once (``nqpf_tutor.files``)."""
    from nqpf_tutor.files import write_outputs

    files = [(p, text) for p, text in outputs if p and p != "-"]
    for p, text in outputs:
        if not p or p == "-":
            sys.stdout.write(text)
    if files:
        for path in write_outputs(files, force=force):
            print(f"wrote {path}", file=sys.stderr)


def run(args, loc) -> int:
    from nqpf_tutor.core import export
    from nqpf_tutor.core.loader import load_catalog, select_cards

    force = bool(getattr(args, "force", False))
    _check_first(args, force)
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

        n = write_apkg(cards, decks, args.output, title=_title(args, catalog), force=force)
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
        _write([(args.output, text)], force)
        return 0
    versions = [v.strip().upper() for v in (getattr(args, "versions", None) or "").split(",") if v.strip()]
    key_file = getattr(args, "key", None)
    outputs: list[tuple[str | None, str]] = []
    for version in versions or [""]:
        paper = export.make_paper(cards, seed=args.seed, n=args.n, title=_title(args, catalog), version=version)
        if not paper.questions:
            raise NqpfError("no multiple-choice or true/false questions in the chosen cards")
        out = _versioned(args.output, version) if versions else args.output
        outputs.append((out, paper.markdown(with_key=not key_file)))
        if key_file:
            outputs.append((_versioned(key_file, version) if versions else key_file, paper.key_markdown()))
    _write(outputs, force)  # every version and key, or none of them
    return 0


def _outputs(args) -> list[str]:
    """Every file this export would write (checked before the decks are even loaded)."""
    versions = [v.strip().upper() for v in (getattr(args, "versions", None) or "").split(",") if v.strip()]
    paths = []
    key = getattr(args, "key", None) if args.format == "markdown" else None
    for p in (args.output, key):
        if p and p != "-":
            paths += [_versioned(p, v) for v in versions] if versions and args.format == "markdown" else [p]
    return paths


def _check_first(args, force: bool) -> None:
    from nqpf_tutor.files import check_outputs

    check_outputs(_outputs(args), force=force)


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
