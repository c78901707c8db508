"""``nqpf-tutor decks [--json]``: the decks found, with card counts."""

from __future__ import annotations

import sys
from collections import Counter

from nqpf_tutor.core.text import escape, json_text, one_line


def run(args, loc) -> int:
    from nqpf_tutor.core.loader import load_catalog

    catalog = load_catalog(loc)
    for w in catalog.warnings:
        print(f"nqpf-tutor: warning: {w}", file=sys.stderr)
    rows = []
    for d in catalog.decks:
        rows.append({
            "id": d.id,
            "title": d.title,
            "cards": len(d.cards),
            "types": dict(sorted(Counter(c.type for c in d.cards).items())),
            "tags": d.tags,
            "bundled": d.bundled,
            "path": d.path,
        })
    if args.json:
        print(json_text({"decks": rows, "warnings": catalog.warnings}))
        return 0
    if not rows:
        print("No decks found. Put .yaml decks in " + escape(loc.user_decks_dir) + " or use --decks-dir.")
        return 0
    w = max(len(r["id"]) for r in rows)
    for r in rows:
        where = "bundled" if r["bundled"] else r["path"]
        print(f"{r['id']:<{w}}  {r['cards']:>5} cards  {one_line(r['title'])}  ({escape(where)})")
    total = sum(r["cards"] for r in rows)
    print(f"{len(rows)} deck{'s' * (len(rows) != 1)}, {total} cards")
    return 0
