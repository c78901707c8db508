"""Deck loading speed: validate vs a bare CSafeLoader load, and the parsed-deck cache.

Run: python tests/benchmarks/bench_loader.py [--cards 10000] [--repeat 5]

Each figure is the median wall time of whole processes, run side by side (interleaved) so
both see the same machine load. Prints ``name: value unit`` lines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TYPES = ["flip", "mcq", "truefalse", "typed", "cloze", "order"]


def make_deck(n: int) -> str:
    out = [
        "deck: {id: bench, title: Benchmark deck, description: Generated cards}",
        "sources:",
        "  - {id: src, title: A source, publisher: Someone, date: '2024-01-01'}",
        "cards:",
    ]
    for i in range(n):
        t = TYPES[i % len(TYPES)]
        out += [f"  - id: card-{i}", f"    type: {t}", "    tags: [bench, t" + str(i % 7) + "]", "    sources: [src]",
                f"    explanation: Why card {i} matters, with some context for the learner."]
        if t == "cloze":
            out.append(f"    text: The answer to card {i} is {{{{answer {i}}}}} and nothing else.")
            continue
        out.append(f"    prompt: What is the answer to question number {i} of this deck?")
        if t == "truefalse":
            out.append("    answer: true")
        elif t == "order":
            out.append(f"    items: [first {i}, second {i}, third {i}]")
        else:
            out.append(f"    answer: Answer {i}")
            if t in ("flip", "mcq"):
                out.append(f"    distractors: [Wrong {i} a, Wrong {i} b, Wrong {i} c]")
            if t == "typed":
                out.append(f"    accept: [answer no {i}]")
    return "\n".join(out) + "\n"


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / "bench.yaml"
        deck.write_text(make_deck(a.cards), "utf-8")
        cache = Path(tmp) / "cache"
        bare = [py, "-c", f"import yaml; yaml.load(open({str(deck)!r}, encoding='utf-8'), Loader=yaml.CSafeLoader)"]
        validate = [py, "-m", "nqpf_tutor", "validate", str(deck)]
        load = [py, "-c", "from nqpf_tutor.core.loader import load_deck_file; import sys; "
                f"load_deck_file({str(deck)!r}, cache_dir=sys.argv[1])"]
        nothing = [py, "-c", "pass"]
        t_bare, t_val, t_first, t_cached, t_py = [], [], [], [], []
        for i in range(a.repeat):
            t_py.append(timed(nothing))
            t_bare.append(timed(bare))
            t_val.append(timed(validate))
            c = str(cache / str(i))
            t_first.append(timed(load + [c]))
            t_cached.append(timed(load + [c]))
        m = statistics.median
        print(f"cards: {a.cards} cards")
        print(f"deck_file_size: {deck.stat().st_size / 1e6:.2f} MB")
        print(f"python_startup: {m(t_py) * 1000:.0f} ms")
        print(f"bare_csafeloader_process: {m(t_bare) * 1000:.0f} ms")
        print(f"validate_process: {m(t_val) * 1000:.0f} ms")
        print(f"validate_vs_bare_ratio: {m(t_val) / m(t_bare):.2f} x (target <= 1.5)")
        print(f"load_first_process: {m(t_first) * 1000:.0f} ms")
        print(f"load_cached_process: {m(t_cached) * 1000:.0f} ms")
        work_first = m(t_first) - m(t_py)
        work_cached = m(t_cached) - m(t_py)
        print(f"load_first_work: {work_first * 1000:.0f} ms (process minus python start-up)")
        print(f"load_cached_work: {work_cached * 1000:.0f} ms (process minus python start-up)")
        print(f"cache_speedup_whole_process: {m(t_first) / m(t_cached):.1f} x")
        print(f"cache_speedup_load_work: {work_first / max(work_cached, 1e-6):.1f} x (target >= 10)")


if __name__ == "__main__":
    main()
