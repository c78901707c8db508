"""``validate --watch``: run a check on start and again whenever a watched file changes.

Pure polling with ``os.stat`` (no extra dependency): every ``interval`` seconds the size and
modification time of each file given, and of each deck file in each folder given, are
compared with the last look; a file added, removed, replaced (editors often save by renaming
a new file over the old one) or written counts as a change. A burst of changes within one
interval gives one run.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, TextIO

from nqpf_tutor.errors import NqpfError

DECK_SUFFIXES = (".yaml", ".yml")

Snapshot = dict[str, tuple[int, int, int] | None]


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def snapshot(paths: Iterable[str | os.PathLike]) -> Snapshot:
    """Size, modification time and inode of every watched file (None: missing).

    A folder stands for the deck files in it: one added or removed changes the keys.
    """
    snap: Snapshot = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            try:
                names = sorted(os.listdir(p))
            except OSError:
                names = []
            for name in names:
                if name.lower().endswith(DECK_SUFFIXES) and not name.startswith("."):
                    snap[str(p / name)] = _stat(p / name)
        else:
            snap[str(p)] = _stat(p)
    return snap


def separator(now: datetime, width: int = 60) -> str:
    head = f"── {now:%H:%M:%S} "
    return head + "─" * max(3, width - len(head))


def watch(
    paths: Iterable[str | os.PathLike],
    check: Callable[[], int],
    *,
    interval: float = 0.5,
    stop: Callable[[], bool] | None = None,
    clock: Callable[[], datetime] = datetime.now,
    sleep: Callable[[float], None] = time.sleep,
    out: TextIO | None = None,
) -> int:
    """Run ``check()`` now and after every change to ``paths``, until Ctrl+C (or ``stop()``).

    Returns 0 when stopped. A one-line error from ``check`` (``NqpfError``) is printed and the
    watch goes on.
    """
    paths = list(paths)
    stream = out if out is not None else sys.stdout

    def run() -> None:
        print(separator(clock()), file=stream, flush=True)
        try:
            check()
        except NqpfError as e:
            print(f"nqpf-tutor: {e}", file=sys.stderr, flush=True)
        sys.stderr.flush()
        stream.flush()

    try:
        last = snapshot(paths)
        run()
        print(f"watching {len(paths)} path{'s' * (len(paths) != 1)} for changes (ctrl+c stops)",
              file=sys.stderr, flush=True)
        while not (stop is not None and stop()):
            sleep(interval)
            now = snapshot(paths)
            if now != last:
                last = now
                run()
    except KeyboardInterrupt:
        pass
    return 0
