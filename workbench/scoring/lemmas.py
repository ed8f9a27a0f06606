"""Lemmas for Dutch and English words (simplemma: offline data shipped in the wheel), cached.

The first call per language loads simplemma's dictionary (~0.2-0.5 s); after that a lemma costs well
under a microsecond, and the lru_cache makes repeated words (most words of a vacancy text) a dict hit.
simplemma itself is imported at the first lemma (0.1-0.2 s on an idle machine), so commands and runs
without the wording lints never load it.
"""

from __future__ import annotations

from functools import lru_cache

SUPPORTED = ("nl", "en")


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str) -> str:
    """Lower-case lemma of the lower-case `word` ("communicatieve" -> "communicatief", "deelt" -> "delen").

    simplemma writes some Dutch separable verbs with an underscore ("samen_werken"); it is removed.
    """
    import simplemma  # after the first call a dict look-up in sys.modules; lemma() itself is cached

    return simplemma.lemmatize(word, lang=lang).lower().replace("_", "")


def warm(languages: tuple[str, ...] = SUPPORTED) -> None:
    """Load simplemma's dictionaries now (scorers call this when built, so the first scored output of
    a run, or of each worker process forked later, does not stall for the load)."""
    for lang in languages:
        lemma("warm", lang)
