"""``nqpf-tutor export --format json|csv|markdown|apkg|pdf``: cards for scripts, or a paper test."""

from __future__ import annotations

import sys
from pathlib import Path

from nqpf_tutor.errors import NqpfError


def _write(path: str | None, text: str | bytes) -> None:
    """The one place this command writes a file (text or a PDF's bytes)."""
    if not path or path == "-":
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
        return
    try:
        if isinstance(text, bytes):
            Path(path).write_bytes(text)
        else:
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
            from nqpf_tutor.core.questions import distinct_questions

            # (a paper needs a multiple-choice or true/false question; written ones come along)
            cards = export.paper_cards(cards, seed=args.seed, n=args.n) if distinct_questions(cards) else []
            if not cards:
                raise NqpfError("-n draws the paper's questions, and the chosen cards have no multiple-choice "
                                "or true/false questions; leave out -n to export every card")
        text = export.to_json(cards, decks) if fmt == "json" else export.to_csv(cards, decks)
        _write(args.output, text)
        return 0
    versions = _versions(getattr(args, "versions", None))
    key_file = getattr(args, "key", None)
    size = (getattr(args, "paper", None) or "a4").lower()
    if fmt == "pdf":
        if not args.output or args.output == "-":
            if sys.stdout.isatty():
                raise NqpfError("a PDF paper needs -o FILE.pdf")
        if key_file == "-":
            raise NqpfError("--key - : a PDF key needs a file name")
        if versions and (not args.output or args.output == "-"):
            raise NqpfError("--versions makes one PDF per version: give -o FILE.pdf")
        _check_outputs([args.output, key_file])
    if args.seed is None and fmt == "pdf":
        import random

        args.seed = random.randrange(1000, 10000)
        print(f"seed {args.seed} (give --seed {args.seed} to make the same paper again)", file=sys.stderr)
    for version in versions or [""]:
        paper = export.make_paper(cards, seed=args.seed, n=args.n, title=_title(args, catalog), version=version)
        if not paper.questions:
            raise NqpfError("no questions to ask in the chosen cards")
        sources = export.answer_sources(paper, decks)
        out = _versioned(args.output, version) if versions else args.output
        key_out = (_versioned(key_file, version) if versions else key_file) if key_file else None
        if fmt == "pdf":
            from nqpf_tutor.core.decks.pdf import key_pdf, paper_pdf

            if out and out != "-":  # progress: a long paper takes a few seconds
                print(f"making {out}: {len(paper.questions)} questions…", file=sys.stderr)
            _write(out, paper_pdf(paper, size=size, with_key=not key_file, sources=sources))
            if key_out:
                _write(key_out, key_pdf(paper, size=size, sources=sources))
            continue
        _write(out, paper.markdown(with_key=not key_file, sources=sources))
        if key_out:
            _write(key_out, paper.key_markdown(sources=sources))
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


def _check_outputs(paths) -> None:
    for path in paths:
        if not path or path == "-":
            continue
        p = Path(path)
        if p.is_dir():
            raise NqpfError(f"cannot write {path}: it is a folder")
        if not p.parent.is_dir():
            raise NqpfError(f"cannot write {path}: the folder {p.parent} does not exist")


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
