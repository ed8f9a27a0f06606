"""Throughput of the sync scorers (not a test): `python -m tests.scoring.bench_scoring [n]`.

Scores n (default 10,000) ~220-word vacancy texts, alternating Dutch and English, with every
built-in scorer ("length", "readability", "lint") and prints the wall time.
"""

from __future__ import annotations

import random
import sys
import time

from workbench.scoring.base import ScoringContext
from workbench.scoring.registry import build_scorers, score_text

NL = """Vacature: Medewerker Klantenservice (m/v/x)
Ben jij klantvriendelijk, zorgvuldig en resultaatgericht? Wij zoeken een collega voor ons team in Utrecht.
Je komt te werken in een jong en dynamisch team van twaalf collega's die samen zorgen voor tevreden klanten.
Wat ga je doen?
- Je beantwoordt vragen van klanten via telefoon, e-mail en chat.
- Je lost problemen zelfstandig op en denkt mee over verbeteringen van onze processen.
- Je werkt nauw samen met de afdelingen logistiek en financiën.
- Je registreert klantcontacten in ons CRM-systeem en bewaakt de opvolging.
Wat vragen wij?
- Een afgeronde mbo-opleiding op niveau 4, bijvoorbeeld in de richting commerciële economie.
- Minimaal twee jaar ervaring in een klantgerichte functie.
- Uitstekende beheersing van de Nederlandse taal in woord en geschrift.
- Je bent stressbestendig, communicatief vaardig en betrokken bij je werk.
Wat bieden wij?
- Een salaris van € 2.800 tot € 3.400 bruto per maand bij 36 uur per week.
- 25 vakantiedagen, een dertiende maand en een goede pensioenregeling.
- Ruimte voor opleiding en persoonlijke ontwikkeling, z'n eigen laptop en een telefoon van de zaak.
- Een informele werksfeer waarin je je snel thuis voelt, met vrijdagmiddagborrels en teamuitjes.
Interesse? Solliciteer dan voor 1 juni via onze website. Vragen? Bel Sanne de Vries via 030-1234567."""

EN = """Job opening: Customer Support Specialist
Are you a confident, analytical and driven professional? We are looking for a new colleague to join
our young and dynamic team in London. You will work together with twelve supportive colleagues.
What you will do
- Answer customer questions by phone, email and chat.
- Solve problems independently and help us improve our processes.
- Work closely with the logistics and finance departments.
- Record customer contacts in our CRM system and lead the follow-up.
What we ask
- A completed degree or equivalent experience in a customer-facing role.
- At least two years of experience; native English speaker preferred.
- Excellent written and spoken communication skills.
- You are resilient, committed and interpersonal, with strong decision-making skills.
What we offer
- A salary of £28,000 to £34,000 per year for 36 hours per week.
- 25 days of holiday, a pension plan and a competitive bonus scheme.
- Room for training and personal development, your own laptop and a company phone.
- An informal atmosphere where you will quickly feel at home, with Friday drinks and team outings.
Interested? Apply before 1 June via our website. Questions about the role? Contact Sarah Jones."""


def main(n: int = 10_000) -> None:
    rng = random.Random(1)

    def vary(text: str) -> str:  # distinct texts, so no cache sees the same text twice
        words = text.split(" ")
        for _ in range(8):
            i = rng.randrange(len(words))
            words[i] += rng.choice(["", "s", "e", "en", "er"])
        return " ".join(words)

    texts = [(vary(NL), "nl") if i % 2 == 0 else (vary(EN), "en") for i in range(n)]
    words = sum(len(t.split()) for t, _ in texts) / n
    scorers = build_scorers(["length", "readability", "lint"])
    contexts = {lang: ScoringContext(lang, "vacancy_text") for lang in ("nl", "en")}
    score_text("warm-up", contexts["nl"], scorers)  # load lexicons and compile regexes once
    start = time.perf_counter()
    count = sum(len(score_text(text, contexts[lang], scorers)) for text, lang in texts)
    elapsed = time.perf_counter() - start
    per_text = 1000 * elapsed / n
    print(f"{n} texts (~{words:.0f} words), {count} scores: {elapsed:.2f} s ({per_text:.3f} ms/text)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
