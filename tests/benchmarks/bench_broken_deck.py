"""A broken or amplified deck costs no more than its size (issue 11).

Run: python tests/benchmarks/bench_broken_deck.py [--mb 4]

Side by side, whole processes, wall time and peak memory (max RSS of the child):
- a bare ``yaml.load(CSafeLoader)`` of a broken deck of about ``--mb`` MB (every card has an
  unknown key), the floor any YAML-based check pays;
- ``nqpf-tutor decks`` with that deck in a decks folder, the first time (parsed, problems
  found, the failure cached) and the second time (the cached failure: no parse);
- a 100 KB deck that reuses one 50 KB text through 1,500 aliases: refused, and the size of
  the cache it leaves.

Prints ``name: value unit`` lines.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def broken_deck(mb: float) -> str:
    lines = ["deck: {id: big, title: Big}", "cards:"]
    size, i = 0, 0
    while size < mb * 1_000_000:
        line = f"  - {{id: c{i}, type: flip, prompt: 'Question {i} about something long enough', answer: 'A {i}', typo: x}}"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return "\n".join(lines) + "\n"


def alias_deck() -> str:
    lines = ["deck: {id: bomb, title: T}", "cards:", "  - {id: c, type: flip, prompt: &t " + "x" * 50_000 + ", answer: A}"]
    lines += [f"  - {{id: c{i}, type: flip, prompt: *t, answer: *t}}" for i in range(1500)]
    return "\n".join(lines) + "\n"


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and this child's peak memory (max RSS) in MB."""
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    return time.perf_counter() - t, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "NQPF_TUTOR_BUNDLED_DIR": "", "NQPF_TUTOR_CONFIG_DIR": str(tmp / "cfg")}
        cli = [sys.executable, "-m", "nqpf_tutor", "--data-dir", str(tmp / "data")]

        bomb = tmp / "bomb"
        bomb.mkdir()
        (bomb / "bomb.yaml").write_text(alias_deck())
        dt, mem = run([*cli, "--decks-dir", str(bomb), "decks"], env)
        print(f"alias_deck_file: {(bomb / 'bomb.yaml').stat().st_size / 1000:.0f} KB")
        print(f"alias_deck_decks: {dt:.2f} s")
        print(f"alias_deck_decks_peak: {mem:.0f} MB")
        cache = sum(f.stat().st_size for f in (tmp / "data").rglob("deck-v*.json"))
        print(f"alias_deck_cache: {cache / 1000:.1f} KB")

        folder = tmp / "decks"
        folder.mkdir()
        deck = folder / "broken.yaml"
        deck.write_text(broken_deck(args.mb))
        print(f"broken_deck_file: {deck.stat().st_size / 1e6:.1f} MB")
        dt0, mem0 = run([sys.executable, "-c", f"import yaml; yaml.load(open({str(deck)!r}).read(), Loader=yaml.CSafeLoader)"], env)
        dt1, mem1 = run([*cli, "--decks-dir", str(folder), "decks"], env)
        dt2, mem2 = run([*cli, "--decks-dir", str(folder), "decks"], env)
        print(f"bare_yaml_load: {dt0:.2f} s")
        print(f"broken_deck_first_start: {dt1:.2f} s")
        print(f"broken_deck_second_start_cached: {dt2:.2f} s")
        print(f"bare_yaml_load_peak: {mem0:.0f} MB")
        print(f"broken_deck_first_start_peak: {mem1:.0f} MB")
        print(f"broken_deck_second_start_peak: {mem2:.0f} MB")

if __name__ == "__main__":
    main()
