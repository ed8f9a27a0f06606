"""Blind ratings in the store: one rating per rater per pair (unique constraint), idempotent saves, undo,
and the migration that removes duplicates an older version could store."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workbench.store.db import Store, _alembic_config
from workbench.store.models import Case, Experiment, Output, Rating, Run, Variant
from workbench.store.repository import add_rating, delete_rating


def _pair(store: Store) -> tuple[int, int, int, int]:
    """A run with one case and two outputs (baseline a, variant b): (run, case, output a, output b)."""
    with store.session() as s:
        experiment = Experiment(name="r", spec_path="x", spec_hash="h", spec={})
        s.add(experiment)
        s.flush()
        variants = [Variant(experiment_id=experiment.id, key=k, task="t", language="nl", path=None,
                            system_template=None, user_template="u", template_hash=k) for k in ("a", "b")]
        case = Case(experiment_id=experiment.id, key="c1", cluster=None, data={})
        run = Run(experiment_id=experiment.id, status="completed")
        s.add_all([*variants, case, run])
        s.flush()
        outputs = [Output(run_id=run.id, variant_id=v.id, case_id=case.id, model="m", repeat=0, status="ok",
                          text=v.key, request_hash=v.key) for v in variants]
        s.add_all(outputs)
        s.commit()
        return run.id, case.id, outputs[0].id, outputs[1].id


def _count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Rating)) or 0)


def test_a_second_save_of_the_same_pair_returns_the_first(store: Store) -> None:
    run, case, a, b = _pair(store)
    with store.session() as s:
        first = add_rating(s, run_id=run, case_id=case, output_a=a, output_b=b, left="a", winner="a", rater="Sanne")
        again = add_rating(s, run_id=run, case_id=case, output_a=a, output_b=b, left="a", winner="b", rater="Sanne ")
        other = add_rating(s, run_id=run, case_id=case, output_a=a, output_b=b, left="b", winner="tie", rater="Tom")
    assert first[1] and not again[1] and other[1]
    assert again[0] == first[0] != other[0]
    assert _count(store) == 2
    with store.session() as s:
        assert s.scalar(select(Rating.winner).where(Rating.id == first[0])) == "a"  # the first judgement stands


def test_the_database_refuses_a_duplicate(store: Store) -> None:
    run, case, a, b = _pair(store)
    with store.session() as s:
        add_rating(s, run_id=run, case_id=case, output_a=a, output_b=b, left="a", winner="a", rater="Sanne")
        s.add(Rating(run_id=run, case_id=case, output_a_id=a, output_b_id=b, left="b", winner="b", rater="Sanne"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_undo_removes_only_the_raters_own_rating(store: Store) -> None:
    run, case, a, b = _pair(store)
    with store.session() as s:
        rating_id, _ = add_rating(s, run_id=run, case_id=case, output_a=a, output_b=b, left="a", winner="a",
                                  rater="Sanne")
        assert not delete_rating(s, rating_id, run_id=run, rater="Tom")
        assert delete_rating(s, rating_id, run_id=run, rater="Sanne")
        assert not delete_rating(s, rating_id, run_id=run, rater="Sanne")  # a second undo press does nothing
        _, created = add_rating(s, run_id=run, case_id=case, output_a=a, output_b=b, left="a", winner="b",
                                    rater="Sanne")
    assert created and _count(store) == 1


def test_upgrade_removes_duplicates_an_old_version_stored(store: Store) -> None:
    run, case, a, b = _pair(store)
    cfg = _alembic_config()
    before = ScriptDirectory.from_config(cfg).get_revision("0005").down_revision  # the schema without the rule
    with store.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, str(before))
    with store.session() as s:  # what the double-press bug left behind: the same pair three times
        s.add_all([Rating(run_id=run, case_id=case, output_a_id=a, output_b_id=b, left="a", winner=w, rater="Sanne")
                   for w in ("a", "b", "a")])
        s.add(Rating(run_id=run, case_id=case, output_a_id=a, output_b_id=b, left="a", winner="tie", rater="Tom"))
        s.commit()
    reopened = Store(store.url)  # migrates to head
    with reopened.session() as s:
        kept = s.execute(select(Rating.rater, Rating.winner).order_by(Rating.id)).all()
    reopened.dispose()
    assert [tuple(r) for r in kept] == [("Sanne", "a"), ("Tom", "tie")]

