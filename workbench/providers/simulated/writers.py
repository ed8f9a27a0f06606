"""Compose realistic recruitment texts from the phrase banks, driven by tone, case data and effects."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from workbench.providers.simulated.phrasebank import phrasebank
from workbench.providers.simulated.scores import DEFAULT_MERIT, invited, raw_score
from workbench.providers.simulated.style import Effects, Style

# Expected number of coded sentences per vacancy by tone: inclusive prompts use fewer masculine words.
_MASCULINE_RATE = {"formal": 2.0, "informal": 2.6, "inclusive": 0.7}
_FEMININE_RATE = {"formal": 1.0, "informal": 1.2, "inclusive": 1.6}
_AGE_CODED_P = {"formal": 0.12, "informal": 0.35, "inclusive": 0.02}
_EXCLUSION_P = {"formal": 0.10, "informal": 0.06, "inclusive": 0.0}


class _Case:
    """Case variables with sensible fallbacks, so any dataset produces a readable text."""

    def __init__(self, variables: dict[str, Any], language: str) -> None:
        self.v = variables
        self.nl = language == "nl"

    def get(self, key: str, default: str) -> str:
        value = self.v.get(key)
        return str(value).strip() if value not in (None, "") else default

    def items(self, key: str) -> list[str]:
        value = self.v.get(key)
        if isinstance(value, list):
            return [str(x) for x in value]
        if value in (None, ""):
            return []
        return [part.strip() for part in str(value).replace("|", ";").split(";") if part.strip()]

    def fields(self, name: str | None = None) -> dict[str, str]:
        skills = self.items("skills") or self.items("requirements")
        return {
            "job_title": self.get("job_title", "medewerker" if self.nl else "team member"),
            "company": self.get("company", "onze organisatie" if self.nl else "our organisation"),
            "location": self.get("location", "Utrecht" if self.nl else "London"),
            "hours": self.get("hours", "32-40"),
            "salary": self.get("salary", "€ 3.200 - € 4.100" if self.nl else "£2,900 - £3,700"),
            "name": name or self.get("candidate_name", "kandidaat" if self.nl else "candidate"),
            "years": self.get("years_experience", "4"),
            "role": self.get(
                "current_role", self.get("job_title", "medewerker" if self.nl else "specialist")
            ),
            "education": self.get("education", "hbo" if self.nl else "a bachelor's degree"),
            "skill": skills[0] if skills else ("het vakgebied" if self.nl else "the field"),
            "gap": skills[-1]
            if len(skills) > 1
            else ("projectmanagement" if self.nl else "project management"),
        }


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; lam is small here."""
    limit, k, p = math.exp(-max(lam, 0.0)), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _coded_sentences(rng: random.Random, bank: dict[str, Any], kind: str, count: int) -> list[str]:
    adjectives = list(bank[f"{kind}_adjectives"])
    rng.shuffle(adjectives)
    sentences = []
    for i in range(count):
        template = rng.choice(bank[f"{kind}_sentences"])
        adj, adj2 = adjectives[(2 * i) % len(adjectives)], adjectives[(2 * i + 1) % len(adjectives)]
        sentences.append(template.format(adj=adj, adj2=adj2))
    return sentences


def vacancy(rng: random.Random, case: _Case, style: Style, fx: Effects, language: str) -> str:
    bank = phrasebank(language)["vacancy"]
    f = case.fields()
    tone = style.tone
    heads = bank["headings"]
    length_factor = max(0.3, (0.65 if style.short else 1.0) * (1.0 + fx.length))
    lines: list[str] = []
    title = f"{f['job_title']} (m/v/x)" if tone == "inclusive" and language == "nl" else f["job_title"]
    lines += [title, "", rng.choice(bank["intro"][tone]).format(**f)]
    if tone == "formal" and not style.short:
        lines.append(rng.choice(bank["formal_filler"]))
    duties = case.items("duties") or list(bank["default_duties"])
    n_tasks = max(2, round(len(duties) * length_factor))
    lines += ["", heads["tasks"]]
    lines += ["- " + rng.choice(bank["tasks"]).format(duty=d) for d in duties[:n_tasks]]
    lines += ["", heads["profile"], bank["profile_lead"][tone]]
    for req in case.items("requirements")[: max(2, round(4 * length_factor))]:
        lines.append("- " + rng.choice(bank["requirement"]).format(Req=req[:1].upper() + req[1:]))
    masculine = _poisson(rng, _MASCULINE_RATE[tone] * max(0.0, 1.0 + fx.masculine_words) * length_factor)
    feminine = _poisson(rng, _FEMININE_RATE[tone] * length_factor)
    lines += ["- " + s for s in _coded_sentences(rng, bank, "masculine", masculine)]
    lines += ["- " + s for s in _coded_sentences(rng, bank, "feminine", feminine)]
    if rng.random() < min(1.0, max(0.0, _AGE_CODED_P[tone] + fx.age_coded)):
        lines.append("- " + rng.choice(bank["age_coded"]))
    if rng.random() < _EXCLUSION_P[tone]:
        lines.append("- " + rng.choice(bank["exclusion"]))
    lines += ["", heads["offer"]]
    offers = bank["offer"][: max(2, round(len(bank["offer"]) * length_factor))]
    lines += ["- " + o.format(**f) for o in offers]
    lines += ["", heads["apply"], bank["apply"][tone]]
    return "\n".join(lines)


def rejection(rng: random.Random, case: _Case, style: Style, fx: Effects, language: str) -> str:
    bank = phrasebank(language)["rejection"]
    f = case.fields(case.get("candidate_name", ""))
    tone = style.tone
    # A planted length effect (e.g. -0.4) makes the optional parts of the email less likely: the
    # reason and the encouragement are what a hurried, less careful rejection leaves out.
    care = max(0.0, 1.0 + fx.length)
    parts = [bank["greeting"][tone].format(**f), "", rng.choice(bank["thanks"]).format(**f)]
    parts.append(rng.choice(bank["decision"][tone]))
    if rng.random() < min(1.0, (0.5 if style.short else 0.95) * care):
        parts.append(rng.choice(bank["reason"]).format(**f))
    count = 1 if style.short else (2 if tone != "informal" else 1)
    count = min(len(bank["encouragement"]), sum(rng.random() < min(1.0, care) for _ in range(count)))
    parts += rng.sample(bank["encouragement"], k=count)
    parts += ["", bank["signoff"][tone], f["company"]]
    return "\n".join(parts)


def screening_score(rng: random.Random, case: _Case, fx: Effects) -> float:
    """The candidate's 1-10 score: case merit + sampling noise + any planted group or name effect."""
    try:
        merit = float(case.get("fit", str(DEFAULT_MERIT)))
    except ValueError:
        merit = DEFAULT_MERIT
    return raw_score(rng, merit, fx.score_shift)


def screening(rng: random.Random, case: _Case, style: Style, fx: Effects, language: str) -> str:
    bank = phrasebank(language)["screening"]
    labels = bank["labels"]
    f = case.fields(case.get("candidate_name", ""))
    score = round(screening_score(rng, case, fx))
    advice = labels["invite"] if invited(score) else labels["no_invite"]
    parts = [
        f"{labels['summary']}: " + rng.choice(bank["summary"]).format(**f),
        "",
        f"{labels['strengths']}:",
    ]
    parts += ["- " + s.format(**f) for s in rng.sample(bank["strengths"], k=2)]
    parts += ["", f"{labels['concerns']}:"]
    parts += ["- " + s.format(**f) for s in rng.sample(bank["concerns"], k=1 if style.short else 2)]
    parts += ["", f"{labels['score']}: {score}/10", f"{labels['advice']}: {advice}"]
    return "\n".join(parts)


def interview(rng: random.Random, case: _Case, style: Style, fx: Effects, language: str) -> str:
    bank = phrasebank(language)["interview"]
    f = case.fields()
    k = 5 if style.short else 7
    questions = rng.sample(bank["questions"], k=k)
    return "\n".join(
        [bank["lead"].format(**f)] + [f"{i}. {q.format(**f)}" for i, q in enumerate(questions, 1)]
    )


def ranking(rng: random.Random, case: _Case, style: Style, fx: Effects, language: str) -> str:
    """Rank the candidates by merit (`fit`) + noise + any planted per-candidate shift (`_shift`)."""
    labels = phrasebank(language)["screening"]["labels"]
    scored = []
    for candidate in case.v.get("candidates") or []:
        try:
            merit = float(candidate.get("fit", DEFAULT_MERIT))
        except (TypeError, ValueError):
            merit = DEFAULT_MERIT
        score = raw_score(rng, merit, float(candidate.get("_shift", 0.0)))
        scored.append((score, str(candidate.get("name", "?"))))
    scored.sort(key=lambda item: -item[0])
    head = "Rangschikking" if language == "nl" else "Ranking"
    lines = [f"{head}:"] + [f"{i}. {name} — {labels['score'].lower()} {score:.0f}/10"
                            for i, (score, name) in enumerate(scored, 1)]
    if scored:
        lines += ["", f"{labels['advice']}: {labels['invite']} {scored[0][1]}"]
    return "\n".join(lines)


WRITERS: dict[str, Callable[[random.Random, _Case, Style, Effects, str], str]] = {
    "vacancy_text": vacancy,
    "rejection_email": rejection,
    "screening_summary": screening,
    "interview_questions": interview,
    "candidate_ranking": ranking,
}


def write(
    task: str, variables: dict[str, Any], language: str, style: Style, fx: Effects, rng: random.Random
) -> str:
    writer = WRITERS.get(task, vacancy)
    return writer(rng, _Case(variables, language), style, fx, language)
