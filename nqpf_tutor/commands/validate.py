"""``nqpf-tutor validate PATH ... [--watch]``: every problem as ``path:line:col: message``."""

from __future__ import annotations

import sys


def check(paths) -> int:
    from nqpf_tutor.core.loader import expand_paths, validate_paths

    files = expand_paths(paths)
    problems = validate_paths(paths)
    for p in problems:
        print(p)
    bad = len({p.path for p in problems})
    if not files:
        print("nqpf-tutor: no deck files (.yaml, .yml) found in " + ", ".join(map(str, paths)), file=sys.stderr)
        return 1
    if problems:
        n = len(problems)
        print(f"{n} problem{'s' * (n != 1)} in {bad} of {len(files)} file{'s' * (len(files) != 1)}", file=sys.stderr)
        return 1
    print(f"ok: {len(files)} file{'s' * (len(files) != 1)} clean", file=sys.stderr)
    return 0


def run(args, loc) -> int:
    if getattr(args, "watch", False):
        from nqpf_tutor.core.watch import watch

        return watch(args.paths, lambda: check(args.paths))
    return check(args.paths)
