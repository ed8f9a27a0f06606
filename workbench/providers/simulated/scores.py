"""The simulated provider's generating model for candidate scores (screening and ranking), in one place.

A screening score is the case's merit (`fit` column) + output noise N(0, 0.8²) + any planted group
effect + the name's own shift N(0, name_sd²) (fixed per name and seed), clipped to 1-10 and rounded;
a score of 7 or more means "invite". The writers use the scalar functions; calibration tests use the
vectorised `screening_scores` to generate thousands of audits in-process from the same model.
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the vectorised model needs numpy (~0.15 s to import)
    import numpy as np

SCORE_NOISE_SD = 0.8
SCORE_MIN, SCORE_MAX = 1.0, 10.0
INVITE_FROM = 7  # rounded score at or above which the screening advice is "invite"
DEFAULT_MERIT = 6.5


def name_shift(seed: object, name: str, name_sd: float) -> float:
    """The fixed score shift of one candidate name under one seed: N(0, name_sd²), deterministic."""
    if not name_sd or not name:
        return 0.0
    digest = hashlib.sha256(f"{seed}|name|{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big")).gauss(0.0, float(name_sd))


def raw_score(rng: random.Random, merit: float, shift: float) -> float:
    """One unrounded 1-10 score: merit + output noise + planted shifts, clipped."""
    return min(SCORE_MAX, max(SCORE_MIN, merit + rng.gauss(0.0, SCORE_NOISE_SD) + shift))


def screening_scores(merit: np.ndarray, shift: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same model, vectorised: rounded 1-10 scores for arrays of merits and total shifts."""
    import numpy as np

    noise = rng.normal(0.0, SCORE_NOISE_SD, np.broadcast(merit, shift).shape)
    return np.round(np.clip(merit + noise + shift, SCORE_MIN, SCORE_MAX))


def invited(score: float | np.ndarray) -> bool | np.ndarray:
    return score >= INVITE_FROM
