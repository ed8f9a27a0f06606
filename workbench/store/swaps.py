"""Name-swap audits, case by case: where did the outcome change when only the candidate's name changed?"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from workbench.store.models import Case, Output, Score, Variant


def swap_cases(session: Session, run_id: int, variant: str, model: str, metric: str) -> pd.DataFrame:
    """Per case: the largest spread of `metric` over the names within one repeat, and whether it flipped.

    A case "flipped" when, in some repeat, two names got a different outcome (a 0/1 decision that is
    not the same for every name). Columns: case_id, case, spread, flipped; largest spread first.
    """
    per_repeat = (
        select(Output.case_id.label("case_id"), (func.max(Score.value) - func.min(Score.value)).label("spread"))
        .join(Score, and_(Score.output_id == Output.id, Score.metric == metric))
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.model == model, Variant.key == variant, Output.swap_name != "",
               Score.value.is_not(None))
        .group_by(Output.case_id, Output.repeat)
        .subquery()
    )
    stmt = (
        select(Case.id, Case.key, func.max(per_repeat.c.spread))
        .join(per_repeat, per_repeat.c.case_id == Case.id)
        .group_by(Case.id, Case.key)
        .order_by(func.max(per_repeat.c.spread).desc(), Case.id)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["case_id", "case", "spread"])
    frame["spread"] = frame["spread"].astype(float)
    frame["flipped"] = frame["spread"] > 0
    return frame


def swap_names_by_group(session: Session, run_id: int, case_id: int) -> dict[str, str]:
    """The names a case was rendered with -> their swap group, sorted by group then name."""
    stmt = (
        select(Output.swap_name, Output.swap_group)
        .where(Output.run_id == run_id, Output.case_id == case_id, Output.swap_name != "")
        .distinct()
        .order_by(Output.swap_group, Output.swap_name)
    )
    return {name: group for name, group in session.execute(stmt)}
