"""Name sets for counterfactual name-swap audits (data and sources in workbench/data/names/)."""

from __future__ import annotations

import json
import random
from functools import lru_cache
from importlib import resources
from typing import Any

from workbench.errors import SpecError

_BLOOMBERG_GROUPS = {"W": "white", "B": "black", "A": "asian", "H": "hispanic"}


def _load(filename: str) -> dict[str, Any]:
    text = resources.files("workbench").joinpath("data", "names", filename).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def name_sets() -> dict[str, dict[str, tuple[list[str], list[str]]]]:
    """set id -> group id -> (first names, surnames). Groups with a gender suffix are also listed."""
    sets: dict[str, dict[str, tuple[list[str], list[str]]]] = {}
    swap = _load("names_swap_sets.json")
    bm = swap["bertrand_mullainathan_2004"]
    sets["bertrand_mullainathan_2004"] = {
        group: (bm[group], bm[f"{group.split('_')[0]}_surnames_unverified"])
        for group in ("white_female", "white_male", "black_female", "black_male")
    }
    nl = swap["nl_curated_unvalidated"]
    nl_groups: dict[str, tuple[list[str], list[str]]] = {}
    for group, entry in nl.items():
        if group.startswith("_"):
            continue
        surnames = entry.get("surnames") or entry.get("surnames_examples_not_frequency_ranked") or []
        nl_groups[group] = (entry["male"] + entry["female"], surnames)
        nl_groups[f"{group}.male"] = (entry["male"], surnames)
        nl_groups[f"{group}.female"] = (entry["female"], surnames)
    sets["nl_curated_unvalidated"] = nl_groups
    bloomberg = _load("names_bloomberg_2024.json")
    bb: dict[str, tuple[list[str], list[str]]] = {}
    for gender in ("male", "female"):
        for code, label in _BLOOMBERG_GROUPS.items():
            full = [n.title() for n in bloomberg[gender][code]]
            bb[f"{label}_{gender}"] = (full, [])  # already full names
    sets["bloomberg_2024"] = bb
    return sets


def pick_names(set_id: str, groups: list[str], per_group: int, seed: int) -> dict[str, list[str]]:
    """Deterministically pick `per_group` distinct full names for every group."""
    sets = name_sets()
    if set_id not in sets:
        raise SpecError(
            f"unknown name set {set_id!r}; use one of {', '.join(sorted(sets))}", field="swap.names"
        )
    available = sets[set_id]
    chosen: dict[str, list[str]] = {}
    for group in groups:
        if group not in available:
            raise SpecError(
                f"name set {set_id!r} has no group {group!r}; groups: {', '.join(sorted(available))}",
                field="swap.groups",
            )
        firsts, surnames = available[group]
        rng = random.Random(f"{seed}|{set_id}|{group}")
        picked_firsts = rng.sample(firsts, k=min(per_group, len(firsts)))
        if len(picked_firsts) < per_group:
            raise SpecError(f"group {group!r} has only {len(firsts)} names", field="swap.names_per_group")
        if surnames:
            chosen[group] = [f"{first} {rng.choice(surnames)}" for first in picked_firsts]
        else:
            chosen[group] = picked_firsts
    return chosen
