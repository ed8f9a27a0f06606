"""The simulated judge: rubric scores from simple text features plus noise. Offline and labelled SIMULATED."""

from __future__ import annotations

import json
import random
import re

from workbench.providers.simulated.phrasebank import phrasebank
from workbench.providers.simulated.style import Effects

_OUTPUT = re.compile(r"<output>\s*(.*?)\s*</output>", re.S)
_SENTENCE = re.compile(r"[.!?]+(?:\s|$)|\n+")


def _features(text: str) -> dict[str, float]:
    lowered = text.lower()
    words = re.findall(r"\w+", lowered)
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    coded = 0
    age = 0
    for lang in ("nl", "en"):
        bank = phrasebank(lang)["vacancy"]
        coded += sum(lowered.count(adj) for adj in bank["masculine_adjectives"])
        age += sum(lowered.count(p.lower().rstrip(".")) for p in bank["age_coded"])
    return {
        "words": float(len(words)),
        "words_per_sentence": len(words) / max(1, len(sentences)),
        "masculine": float(coded),
        "age": float(age),
    }


def _score(text: str, rubric: str, fx: Effects, rng: random.Random) -> tuple[float, list[str]]:
    """The simulated judge's unrounded 1-10 score of one text, with its notes."""
    feats = _features(text)
    score = 6.5
    notes = []
    if rubric in ("clarity", "readability", "overall"):
        penalty = max(0.0, (feats["words_per_sentence"] - 12) / 6)
        score -= penalty
        notes.append(f"average sentence length {feats['words_per_sentence']:.1f} words")
    if rubric in ("inclusiveness", "inclusivity", "bias", "overall"):
        score -= 0.6 * feats["masculine"] + 1.5 * feats["age"]
        notes.append(f"{feats['masculine']:.0f} masculine-coded and {feats['age']:.0f} age-coded phrases")
    if rubric in ("completeness", "overall"):
        score += min(1.5, feats["words"] / 200)
        notes.append(f"{feats['words']:.0f} words")
    score += fx.quality + rng.gauss(0.0, 0.7)
    return score, notes


def judge(prompt: str, rubric: str, fx: Effects, rng: random.Random) -> str:
    """Return the JSON a real judge is asked for: {"score": 1-10, "rationale": "..."}."""
    match = _OUTPUT.search(prompt)
    score, notes = _score(match.group(1) if match else prompt, rubric, fx, rng)
    final = int(min(10, max(1, round(score))))
    rationale = "SIMULATED judge: " + "; ".join(notes or ["generic rubric"]) + "."
    return json.dumps({"score": final, "rationale": rationale})


_TEXT_1 = re.compile(r"<text_1>\s*(.*?)\s*</text_1>", re.S)
_TEXT_2 = re.compile(r"<text_2>\s*(.*?)\s*</text_2>", re.S)


def judge_pair(prompt: str, rubric: str, first: Effects, second: Effects, position_bias: float,
               rng: random.Random) -> str:
    """A pairwise verdict {"winner": "1" | "2" | "tie"}: the better simulated score wins (within half a point:
    tie). ``position_bias`` (a `simulate:` setting of the judge, for tests) is the chance that it answers "1"
    whatever the texts say: a deliberately position-biased judge."""
    texts = [m.group(1) if m else "" for m in (_TEXT_1.search(prompt), _TEXT_2.search(prompt))]
    s1, _ = _score(texts[0], rubric, first, rng)
    s2, _ = _score(texts[1], rubric, second, rng)
    if rng.random() < position_bias:
        winner, why = "1", "SIMULATED position-biased judge: picked the text shown first"
    else:
        winner = "1" if s1 - s2 > 0.5 else "2" if s2 - s1 > 0.5 else "tie"
        why = f"SIMULATED pairwise judge: scores {s1:.1f} vs {s2:.1f}"
    return json.dumps({"winner": winner, "rationale": why + "."})
