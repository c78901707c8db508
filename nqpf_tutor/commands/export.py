"""``nqpf-tutor export --format json|csv|markdown|apkg|pdf``: cards for scripts, or a paper test."""

from __future__ import annotations

import sys
from pathlib import Path

from nqpf_tutor.errors import NqpfError


def _write(outputs: list[tuple[str | None, str | bytes]], force: bool) -> None:
    """Standard output for no file (or ``-``); the files all at once (``nqpf_tutor.files``)."""
    from nqpf_tutor.files import write_outputs

    files = [(p, data) for p, data in outputs if p and p != "-"]
    for p, data in outputs:
        if not p or p == "-":
            if isinstance(data, bytes):  # a PDF to a pipe
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(data)
    if files:
        for path in write_outputs(files, force=force):
            print(f"wrote {path}", file=sys.stderr)


def run(args, loc) -> int:
    from nqpf_tutor.core import export
    from nqpf_tutor.core.loader import load_catalog, select_cards

    force = bool(getattr(args, "force", False))
    fmt = args.format
    versions = _versions(getattr(args, "versions", None))
    key_file = getattr(args, "key", None)
    if fmt == "pdf":
        if not args.output or args.output == "-":
            if sys.stdout.isatty():
                raise NqpfError("a PDF paper needs -o FILE.pdf")
        if key_file == "-":
            raise NqpfError("--key - : a PDF key needs a file name")
        if versions and (not args.output or args.output == "-"):
            raise NqpfError("--versions makes one PDF per version: give -o FILE.pdf")
    _check_first(args, versions, force)
    catalog = load_catalog(loc)
    for w in catalog.warnings:
        print(f"nqpf-tutor: warning: {w}", file=sys.stderr)
    cards = select_cards(catalog, args.deck, args.tag)
    decks = {d.id: d for d in catalog.decks}
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
            from nqpf_tutor.core.questions import can_ask

            # (a paper needs a multiple-choice or true/false question; written ones come along)
            cards = export.paper_cards(cards, seed=args.seed, n=args.n) if any(map(can_ask, cards)) else []
            if not cards:
                raise NqpfError("-n draws the paper's questions, and the chosen cards have no multiple-choice "
                                "or true/false questions; leave out -n to export every card")
        text = export.to_json(cards, decks) if fmt == "json" else export.to_csv(cards, decks)
        _write([(args.output, text)], force)
        return 0
    size = (getattr(args, "paper", None) or "a4").lower()
    if args.seed is None and fmt == "pdf":
        import random

        args.seed = random.randrange(1000, 10000)
        print(f"seed {args.seed} (give --seed {args.seed} to make the same paper again)", file=sys.stderr)
    outputs: list[tuple[str | None, str | bytes]] = []
    missing: set[str] = set()  # characters no font of the PDF has
    for version in versions or [""]:
        paper = export.make_paper(cards, seed=args.seed, n=args.n, title=_title(args, catalog), version=version)
        if not paper.questions:
            raise NqpfError("no questions to ask in the chosen cards")
        sources = export.answer_sources(paper, decks)
        out = _versioned(args.output, version) if versions else args.output
        key_out = (_versioned(key_file, version) if versions else key_file) if key_file else None
        if fmt == "pdf":
            from nqpf_tutor.core.decks.pdf import key_pdf, missing_line, paper_pdf

            if out and out != "-":  # progress: a long paper takes a few seconds
                print(f"making {out}: {len(paper.questions)} questions…", file=sys.stderr)
            outputs.append((out, paper_pdf(paper, size=size, with_key=not key_file, sources=sources, missing=missing)))
            if key_out:
                outputs.append((key_out, key_pdf(paper, size=size, sources=sources, missing=missing)))
            continue
        outputs.append((out, paper.markdown(with_key=not key_file, sources=sources)))
        if key_out:
            outputs.append((key_out, paper.key_markdown(sources=sources)))
    _write(outputs, force)  # every version and key, or none of them
    if missing:
        print(f"nqpf-tutor: {missing_line(missing)}", file=sys.stderr)
    return 0


def _versions(text: str | None) -> list[str]:
    """``A,B`` -> ["A", "B"]; one line for a bad list (empty names, repeats, odd characters)."""
    if text is None:
        return []
    versions = [v.strip().upper() for v in text.split(",")]
    if not any(versions):
        raise NqpfError("--versions: give version names like A,B")
    for v in versions:
        if not v or len(v) > 8 or not all(c.isalnum() for c in v):
            raise NqpfError(f"--versions {text!r}: each version is 1 to 8 letters or digits, comma-separated (A,B)")
    if len(set(versions)) != len(versions):
        raise NqpfError(f"--versions {text!r}: a version is named twice")
    return versions


def _outputs(args, versions: list[str]) -> list[str]:
    """Every file this export would write (checked before the decks are even loaded)."""
    paper = args.format in ("markdown", "pdf")
    paths = []
    key = getattr(args, "key", None) if paper else None
    for p in (args.output, key):
        if p and p != "-":
            paths += [_versioned(p, v) for v in versions] if versions and paper else [p]
    return paths


def _check_first(args, versions: list[str], force: bool) -> None:
    from nqpf_tutor.files import check_outputs

    check_outputs(_outputs(args, versions), force=force)


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
