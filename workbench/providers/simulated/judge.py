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


def judge(prompt: str, rubric: str, fx: Effects, rng: random.Random) -> str:
    """Return the JSON a real judge is asked for: {"score": 1-10, "rationale": "..."}."""
    match = _OUTPUT.search(prompt)
    feats = _features(match.group(1) if match else prompt)
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
    final = int(min(10, max(1, round(score))))
    rationale = "SIMULATED judge: " + "; ".join(notes or ["generic rubric"]) + "."
    return json.dumps({"score": final, "rationale": rationale})
