"""Wording-lint speed: all four lints on a 300-word vacancy text must stay under 1 ms (issue #11).

`python bench/bench_lint.py [--texts N] [--repeat R]` scores N distinct ~300-word texts per language
(default 2,000; every text differs in a few words, as outputs of one prompt do) with all lints
(gender_coded, age_coded, exclusion, gendered_title) and prints µs per text, side by side:

- precise, warm: the default matcher with the per-word caches filled by earlier texts (a run);
- precise, cold: the caches cleared before every text (the first text a process sees, worst case);
- decoder_compat: the English gender decoder's stem matching (for comparison);
- [length]: the length scorer alone on the same texts, a reference measured in the same run (so the
  ratio lints/[length] holds on a busy machine too; bench_runner.py measured [length] at 124 µs on a
  quiet one);
plus the one-off cost of loading simplemma's Dutch and English data. Best of R runs (default 5).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.scoring.base import ScoringContext
from workbench.scoring.bias_lint import GenderCodedScorer, lint_scorers
from workbench.scoring.gender_coded import classify
from workbench.scoring.lemmas import lemma
from workbench.scoring.text_metrics import LengthScorer


def _texts() -> dict[str, str]:
    from tests.scoring.bench_scoring import EN, NL

    def to_300(text: str) -> str:
        words = text.split(" ")
        while len(words) < 300:
            words += text.split(" ")
        return " ".join(words[:300])

    return {"nl": to_300(NL), "en": to_300(EN)}


def _vary(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(8):
        i = rng.randrange(len(words))
        words[i] += rng.choice(["", "s", "e", "en", "er"])
    return " ".join(words)


def _time(texts: list[str], lang: str, scorers: list[object], cold: bool, repeat: int) -> float:
    ctx = ScoringContext(lang, "vacancy_text")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            if cold:
                classify.cache_clear()
                lemma.cache_clear()
            for scorer in scorers:
                scorer.score(text, ctx)  # type: ignore[attr-defined]
        best = min(best, time.perf_counter() - start)
    return 1e6 * best / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    for lang in ("nl", "en"):
        lemma("warm", lang)
    load_ms = 1000 * (time.perf_counter() - start)
    base = _texts()
    rng = random.Random(1)
    print(f"simplemma data load (nl + en, once per process): {load_ms:.0f} ms")
    header = f"{'lang':4}  {'words':>5}  {'precise warm':>13}  {'precise cold':>13}  {'decoder_compat':>14}"
    print(header + f"  {'[length]':>9}  ratio warm/[length]")
    for lang, text in base.items():
        texts = [_vary(text, rng) for _ in range(args.texts)]
        words = len(text.split())
        precise = list(lint_scorers())
        decoder = [GenderCodedScorer(mode="decoder_compat"), *precise[1:]]
        _time(texts[:50], lang, precise, False, 1)  # compile regexes, load lexicons
        warm = _time(texts, lang, precise, False, args.repeat)
        cold = _time(texts[: max(args.texts // 10, 20)], lang, precise, True, args.repeat)
        compat = _time(texts, lang, decoder, False, args.repeat) if lang == "en" else float("nan")
        length = _time(texts, lang, [LengthScorer()], False, args.repeat)
        print(f"{lang:4}  {words:5}  {warm:10.0f} µs  {cold:10.0f} µs  {compat:11.0f} µs  {length:6.0f} µs  "
              f"{warm / length:.1f}x  (warm = {warm / 1000:.0%} of the 1 ms budget, cold/warm {cold / warm:.1f}x)")


if __name__ == "__main__":
    main()
