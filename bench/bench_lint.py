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

`--compare-plain` measures instead the reason `workbench/scoring/fast_regex.py` exists: the precise lints
(warm) with its rewrites on and off (`WORKBENCH_LINT_FAST_REGEX=0`: plain `re` IGNORECASE matching),
alternating per round, best of R each, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.scoring import gender_coded, pattern_rules
from workbench.scoring.base import ScoringContext
from workbench.scoring.bias_lint import GenderCodedScorer, lint_scorers
from workbench.scoring.fast_regex import FAST_ENV
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


def _fast_regex(on: bool) -> None:
    """Rebuild the lint patterns with fast_regex's rewrites on or off."""
    os.environ[FAST_ENV] = "1" if on else "0"
    pattern_rules._fast_rules.cache_clear()
    gender_coded._en_matcher.cache_clear()


def compare_plain(texts_per_lang: int, repeat: int) -> None:
    rng = random.Random(1)
    print(f"load average {os.getloadavg()[0]:.2f}; best of {repeat} alternating rounds, µs per text (precise, warm)")
    for lang, text in _texts().items():
        texts = [_vary(text, rng) for _ in range(texts_per_lang)]
        scorers = list(lint_scorers())
        best = {True: float("inf"), False: float("inf")}
        for on in (True, False):
            _fast_regex(on)
            _time(texts[:50], lang, scorers, False, 1)
        for _ in range(repeat):
            for on in (True, False):
                _fast_regex(on)
                best[on] = min(best[on], _time(texts, lang, scorers, False, 1))
        print(f"{lang}: fast_regex {best[True]:6.0f} µs   plain re {best[False]:6.0f} µs   "
              f"plain/fast {best[False] / best[True]:.2f}x")
    _fast_regex(True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare-plain", action="store_true", help="fast_regex on vs off, side by side")
    args = parser.parse_args()
    if args.compare_plain:
        compare_plain(args.texts, args.repeat)
        return
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
