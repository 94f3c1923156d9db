"""Sensitive-data guard: precision and recall per detector on the synthetic corpus.

    .venv/bin/python bench/safety_bench.py
    .venv/bin/python bench/safety_bench.py --seed 7 --planted 1000 --clean 1000

Prints a table; asserts nothing (the product targets are asserted on the default
corpus by tests/unit/test_safety_guard.py). Also prints the scanning throughput,
since attachment text can run to millions of characters."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.safety import scan_text
from tests.safety_corpus import build_corpus, evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--planted", type=int, default=240)
    parser.add_argument("--clean", type=int, default=260)
    args = parser.parse_args()

    corpus = build_corpus(args.seed, args.planted, args.clean)
    planted = sum(1 for s in corpus if s.planted)
    english = sum(1 for s in corpus if s.language == "en")
    print(
        f"corpus: seed {args.seed}, {len(corpus)} texts ({planted} with planted identifiers, "
        f"{len(corpus) - planted} clean with look-alikes; {english} EN, {len(corpus) - english} FR)"
    )
    scores = evaluate(corpus)
    print(
        f"{'detector':<18} {'planted':>7} {'found':>6} {'findings':>8} {'wrong':>6} "
        f"{'precision':>9} {'recall':>7}"
    )
    for name, score in scores.items():
        if name == "all":
            print("-" * 67)
        print(
            f"{name:<18} {score.found + score.missed:>7} {score.found:>6} "
            f"{score.correct + score.wrong:>8} {score.wrong:>6} "
            f"{score.precision:>9.3f} {score.recall:>7.3f}"
        )

    from api.demo.generator import generate
    from api.safety import scan_fields

    demo = list(generate(2000).entries)
    demo_chars = sum(len(e.title) + len(e.summary) + len(e.body) for e in demo)
    demo_findings = sum(
        len(scan_fields({"title": e.title, "summary": e.summary, "body": e.body})) for e in demo
    )
    print(
        f"\nindependent clean text: {demo_findings} findings (all false) in {len(demo)} demo "
        f"entries ({demo_chars:,} characters)"
    )

    text = " ".join(sample.text for sample in corpus)
    repeats = max(1, 2_000_000 // len(text))
    big = " ".join([text] * repeats)
    started = time.perf_counter()
    scan_text(big)
    elapsed = time.perf_counter() - started
    print(
        f"\nthroughput: {len(big):,} characters scanned in {elapsed:.2f} s "
        f"({len(big) / elapsed / 1e6:.2f} M chars/s)"
    )


if __name__ == "__main__":
    main()
