"""Start-up: from launch to the first card on screen, against a bare Textual hello-world app.

Run: python tests/benchmarks/bench_startup.py [--repeat 9] [--compare OLD_CHECKOUT ...]

Each run starts a whole process in a pseudo-terminal (80x24) and reads what it draws until a
marker is on screen: "Hello, world" for the bare app, the first card's prompt for
``nqpf-tutor study`` (bundled decks, a fresh data dir whose welcome was already seen, parsed
decks cached as on any second start, the package compiled to bytecode as ``pip install .``
leaves it). The two are run side by side, interleaved, and the
medians compared. ``--compare DIR``: also the same start from another checkout (its
``nqpf_tutor`` on PYTHONPATH, its own data dir and deck cache), in the same interleaved runs,
for a before/after. Prints ``name: value unit`` lines.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

HELLO = """
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("Hello, world")

Hello().run()
"""

ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_]|P[^\x1b]*\x1b\\)")


def time_to_marker(argv: list[str], marker: bytes, env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from spawning ``argv`` in an 80x24 pty until ``marker`` is drawn."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    t0 = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    buf = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - t0)
            if left <= 0:
                raise SystemExit(f"timed out waiting for {marker!r} from {' '.join(argv)}")
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise SystemExit(f"{' '.join(argv)} ended before drawing {marker!r}:\n{ANSI.sub(b'', buf)[-2000:]!r}")
            buf += chunk
            if marker in ANSI.sub(b"", buf):
                return time.perf_counter() - t0
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--compare", nargs="*", default=[], metavar="DIR", help="other checkouts to time alongside")
    a = ap.parse_args()
    py = sys.executable
    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.locations import Locations

    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        data = Path(tmp) / "data"
        (data / "config").mkdir(parents=True)
        (data / "config" / "welcome-shown").touch()
        # As after `pip install .`, which compiles the package: use (and make) bytecode files.
        import compileall

        import nqpf_tutor

        compileall.compile_dir(str(Path(nqpf_tutor.__file__).parent), quiet=1)
        env = {**os.environ, "TERM": "xterm-256color", "NQPF_TUTOR_DATA_DIR": str(data), "COLUMNS": "80", "LINES": "24"}
        env.pop("NQPF_TUTOR_BUNDLED_DIR", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        loc = Locations.resolve(environ={"NQPF_TUTOR_DATA_DIR": str(data)})
        first = load_catalog(loc).decks[0].cards[0]  # the study queue starts with the first new card
        marker = " ".join(first.prompt.split()[:4]).encode()
        app_cmd = [py, "-m", "nqpf_tutor", "study"]
        others = {}
        for i, tree in enumerate(a.compare):
            tree = Path(tree).resolve()
            compileall.compile_dir(str(tree / "nqpf_tutor"), quiet=1)
            other = Path(tmp) / f"data-{i}"
            (other / "config").mkdir(parents=True)
            (other / "config" / "welcome-shown").touch()
            others[str(tree)] = {**env, "PYTHONPATH": str(tree), "NQPF_TUTOR_DATA_DIR": str(other),
                                 "NQPF_TUTOR_CACHE_DIR": str(Path(tmp) / f"cache-{i}")}
        # From the temp dir: ``python -m`` puts the current directory first on sys.path, which
        # in a checkout would shadow the package under test (and every --compare one).
        here = os.getcwd()
        os.chdir(tmp)
        time_to_marker(app_cmd, marker, env)  # warm the deck cache and the OS file cache once
        for other_env in others.values():
            time_to_marker(app_cmd, marker, other_env)
        time_to_marker([py, str(hello)], b"Hello, world", env)
        t_hello, t_app = [], []
        t_others: dict[str, list[float]] = {tree: [] for tree in others}
        for _ in range(a.repeat):
            t_hello.append(time_to_marker([py, str(hello)], b"Hello, world", env))
            t_app.append(time_to_marker(app_cmd, marker, env))
            for tree, other_env in others.items():
                t_others[tree].append(time_to_marker(app_cmd, marker, other_env))
        os.chdir(here)
        m = statistics.median
        print(f"runs: {a.repeat} each, interleaved")
        print(f"hello_world_first_paint: {m(t_hello) * 1000:.0f} ms")
        print(f"study_first_card: {m(t_app) * 1000:.0f} ms")
        print(f"startup_ratio: {m(t_app) / m(t_hello):.2f} x (target <= 1.2)")
        print(f"hello_world_min: {min(t_hello) * 1000:.0f} ms")
        print(f"study_first_card_min: {min(t_app) * 1000:.0f} ms")
        for tree, times in t_others.items():
            print(f"compare {tree}: study_first_card: {m(times) * 1000:.0f} ms, "
                  f"startup_ratio: {m(times) / m(t_hello):.2f} x")


if __name__ == "__main__":
    main()
