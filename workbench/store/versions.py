"""Prompt versions: editing a prompt file and running again stores a new version of the variant.

A version is identified by the variant's key and the hash of its templates. Numbers count up per
experiment name and key (the same prompt text keeps its number across spec edits); every run's outputs
point at the version row they were made with, so an old run keeps the exact text it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.store.models import Experiment, Output, Run, Variant


@dataclass(frozen=True)
class VariantVersion:
    key: str
    version: int
    template_hash: str
    created_at: datetime | None
    system_template: str | None
    user_template: str
    path: str | None = None


def _as_version(row: Variant) -> VariantVersion:
    return VariantVersion(row.key, row.version, row.template_hash, row.created_at, row.system_template,
                          row.user_template, row.path)


def _known_versions(session: Session, experiment_name: str, key: str) -> list[Variant]:
    """Every stored version of `key` under experiments named `experiment_name`, oldest first."""
    return list(session.scalars(
        select(Variant).join(Experiment, Experiment.id == Variant.experiment_id)
        .where(Experiment.name == experiment_name, Variant.key == key)
        .order_by(Variant.version, Variant.id)
    ))


def _version_for(known: Sequence[Variant], content_hash: str) -> tuple[int, int | None]:
    """(version number for `content_hash`, highest stored version or None)."""
    latest = max((v.version for v in known), default=None)
    same = next((v.version for v in known if v.template_hash == content_hash), None)
    if same is not None:
        return same, latest
    return (latest or 0) + 1, latest


def sync_variant_versions(session: Session, experiment: Experiment, variants: Iterable[Any]
                          ) -> tuple[dict[str, int], list[str]]:
    """Row ids of the current version of each variant (created when new), and a note per changed prompt."""
    ids: dict[str, int] = {}
    notes: list[str] = []
    for variant in variants:
        known = _known_versions(session, experiment.name, variant.id)
        number, latest = _version_for(known, variant.content_hash)
        row = next((v for v in known if v.experiment_id == experiment.id and v.version == number), None)
        if row is None:
            row = Variant(
                experiment_id=experiment.id, key=variant.id, task=variant.task, language=variant.language,
                path=variant.path, system_template=variant.system_template, user_template=variant.user_template,
                template_hash=variant.content_hash, version=number, created_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
        ids[variant.id] = row.id
        if latest is not None and number > latest:
            notes.append(f"variant {variant.id!r} changed since it was last run: this run uses version {number} "
                         f"(earlier runs keep version {latest} and its text)")
        elif latest is not None and number < latest:
            notes.append(f"variant {variant.id!r} is back to the text of version {number} (latest: {latest})")
    return ids, notes


def preview_versions(session: Session, experiment_name: str, variants: Iterable[Any]) -> dict[str, str]:
    """For `validate --db`: which version each variant would be stored as, in words."""
    preview = {}
    for variant in variants:
        known = _known_versions(session, experiment_name, variant.id)
        number, latest = _version_for(known, variant.content_hash)
        if latest is None:
            preview[variant.id] = "new variant: will be stored as version 1"
        elif number > latest:
            preview[variant.id] = f"changed since version {latest}: will be stored as version {number}"
        else:
            preview[variant.id] = f"unchanged: version {number}"
    return preview


def run_variant_ids(session: Session, run: Run) -> dict[str, int]:
    """Variant key -> version row id a run used (from its settings, or from its outputs for older runs)."""
    stored = (run.settings or {}).get("variant_ids")
    if stored:
        return {str(k): int(v) for k, v in stored.items()}
    rows = session.execute(
        select(Variant.key, Variant.id).join(Output, Output.variant_id == Variant.id)
        .where(Output.run_id == run.id).group_by(Variant.key, Variant.id)
    )
    return {key: vid for key, vid in rows}


def run_versions(session: Session, run_id: int) -> list[tuple[VariantVersion, VariantVersion | None]]:
    """(version a run used, the version before it or None) for each variant of the run, by key."""
    run = session.get(Run, run_id)
    if run is None:
        return []
    experiment = session.get(Experiment, run.experiment_id)
    assert experiment is not None
    used = run_variant_ids(session, run)
    result = []
    for key, variant_id in sorted(used.items()):
        row = session.get(Variant, variant_id)
        if row is None:
            continue
        previous = session.scalars(
            select(Variant).join(Experiment, Experiment.id == Variant.experiment_id)
            .where(Experiment.name == experiment.name, Variant.key == key, Variant.version < row.version)
            .order_by(Variant.version.desc(), Variant.id.desc()).limit(1)
        ).first()
        result.append((_as_version(row), _as_version(previous) if previous is not None else None))
    return result
