"""Experiment specs (YAML) validated with pydantic; errors name the file, the field and the line."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from workbench.errors import SpecError
from workbench.experiment.yaml_lines import LineMap, load_yaml
from workbench.providers import registry
from workbench.providers.registry import ProviderInfo

_MODEL_ID = re.compile(r"^(?P<provider>[a-z_]+):(?P<model>\S+)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
# `prices:` keys, in US dollars per million tokens (README "Pointing it at real models").
PRICE_KEYS = ("input_per_mtok", "output_per_mtok")
# Which providers exist, which request params each defines, whether it needs a base_url: providers.registry.
_SECRET_QUERY = re.compile(r"(?:^|&)(?:api[_-]?key|key|token|access[_-]?token|secret|password|sig)=", re.I)


def check_base_url(value: str) -> str:
    """An http(s) URL with a host, and without credentials (they would be stored with the spec and shown
    in error messages; keys belong in the environment variable named by `api_key_env`)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number or out of range)
    except ValueError as exc:
        raise ValueError(f"base_url is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise ValueError("base_url must be an http:// or https:// URL, e.g. http://localhost:11434/v1")
    if parts.username or parts.password:
        raise ValueError("base_url must not contain a user name or password (it would be stored with the "
                         "results); put the key in an environment variable and name it in api_key_env")
    if _SECRET_QUERY.search(parts.query):
        raise ValueError("base_url must not carry a key or token in its query string; put the key in an "
                         "environment variable and name it in api_key_env")
    return value


def check_params(provider: str, params: dict[str, Any]) -> None:
    """Params the provider's API does not define are errors (a near miss of a known one always is)."""
    info = registry.get(provider)
    known = info.params
    for name in params:
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
        if close:
            raise ValueError(f"params: unknown parameter {name!r}; did you mean {close[0]!r}?")
        if not info.extra_params:
            raise ValueError(f"params: unknown parameter {name!r} for {provider} models; known: "
                             f"{', '.join(sorted(known))}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlantedEffect(_Strict):
    """A known effect the simulated provider plants, so the statistics can be calibrated."""

    variant: str | None = None  # applies to outputs of this variant
    name_group: str | None = None  # applies when the swapped-in name belongs to this group
    masculine_words: float = 0.0  # relative change in masculine-coded wording, e.g. -0.6
    age_coded: float = 0.0  # change in the probability of an age-coded phrase, e.g. +0.3
    score_shift: float = 0.0  # shift of the 1-10 candidate score in screening outputs
    length: float = 0.0  # relative change in length, e.g. +0.2
    quality: float = 0.0  # shift of the judge's rubric scores (points on 1-10)

    @model_validator(mode="after")
    def _needs_target(self) -> PlantedEffect:
        if self.variant is None and self.name_group is None:
            raise ValueError("a planted effect needs `variant` or `name_group`")
        return self


class SimulateSpec(_Strict):
    effects: list[PlantedEffect] = Field(default_factory=list)
    latency_ms: float = 0.0  # simulated latency per call, for demos of the progress bar
    # Per-name heterogeneity: every candidate name gets its own fixed shift of the screening / ranking
    # score, drawn N(0, name_sd²) per name and seed (names differ a little from each other even when no
    # group is favoured), so that calibration can plant the nuisance a name-swap audit must survive.
    name_sd: float = Field(default=0.0, ge=0, le=5)


# Connection fields that change how a call is made, not what is asked (kept out of the spec fingerprint).
# Token limits too: changing one and resuming continues the same run (`rpm` predates this and stays hashed).
EXECUTION_ONLY = ("timeout", "max_attempts", "check_model", "tpm", "itpm", "otpm")
# Per-minute limits a model may declare, each with the runner's budget it sets (workbench.runner.budget).
RATE_LIMIT_FIELDS = {"rpm": "requests", "tpm": "tokens", "itpm": "input_tokens", "otpm": "output_tokens"}


class ConnectionSpec(_Strict):
    """How to reach one model: request params and connection settings (shared by models and the judge)."""

    params: dict[str, Any] = Field(default_factory=dict)
    base_url: str | None = None
    api_key_env: str | None = None  # name of the environment variable holding the key
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    rpm: float | None = Field(default=None, gt=0)  # requests per minute limit
    tpm: float | None = Field(default=None, gt=0)  # tokens (input + output) per minute
    itpm: float | None = Field(default=None, gt=0)  # input tokens per minute (Anthropic)
    otpm: float | None = Field(default=None, gt=0)  # output tokens per minute (Anthropic)
    prices: dict[str, float] | None = None  # PRICE_KEYS, USD per million tokens; overrides genai-prices
    timeout: float | None = Field(default=None, gt=0, le=3600)  # seconds per call (default: --timeout)
    max_attempts: int | None = Field(default=None, ge=1, le=20)  # per call (default: --max-attempts)
    # openai_compatible: ask the server's /v1/models whether it serves this model before any call.
    check_model: bool = True

    @property
    def model_id(self) -> str:
        """`provider:model`."""
        raise NotImplementedError

    @property
    def provider(self) -> str:
        return self.model_id.split(":", 1)[0]

    @property
    def info(self) -> ProviderInfo:
        """What the provider can do (providers.registry)."""
        return registry.get(self.provider)

    @property
    def simulated(self) -> bool:
        """Outputs of this model are synthetic (labelled SIMULATED)."""
        return self.info.simulated

    @property
    def rate_limits(self) -> dict[str, float]:
        """The declared per-minute limits by budget dimension ("requests", "tokens", ...); {} for none."""
        return {dim: float(value) for name, dim in RATE_LIMIT_FIELDS.items() if (value := getattr(self, name))}

    @field_validator("params")
    @classmethod
    def _check_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        temperature = value.get("temperature")
        if temperature is not None and not (isinstance(temperature, int | float) and 0 <= temperature <= 2):
            raise ValueError("temperature must be a number between 0 and 2")
        max_tokens = value.get("max_tokens")
        if max_tokens is not None and not (isinstance(max_tokens, int) and max_tokens > 0):
            raise ValueError("max_tokens must be a positive integer")
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        return None if value is None else check_base_url(value)

    @field_validator("prices")
    @classmethod
    def _check_prices(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        keys = " and ".join(PRICE_KEYS)
        for key, price in value.items():
            if key not in PRICE_KEYS:
                raise ValueError(f"unknown price key {key!r}; prices takes {keys} (US dollars per million tokens)")
            if not math.isfinite(price) or price < 0:
                raise ValueError(f"{key} must be a non-negative number of US dollars per million tokens")
        missing = [key for key in PRICE_KEYS if key not in value]
        if missing:
            raise ValueError(f"prices needs both {keys} (US dollars per million tokens); {missing[0]} is missing")
        return value

    @model_validator(mode="after")
    def _check_connection(self) -> ConnectionSpec:
        check_params(self.provider, self.params)  # needs the provider, which subclasses declare after params
        info = self.info
        if info.needs_base_url and not self.base_url:
            example = f" (e.g. {info.example_base_url})" if info.example_base_url else ""
            raise ValueError(f"{info.name} models need base_url{example}")
        if self.api_key_env is not None and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", self.api_key_env):
            raise ValueError("api_key_env must be the NAME of an environment variable, not a key")
        return self


def _check_model_id(value: str) -> str:
    match = _MODEL_ID.match(value)
    if not match:
        raise ValueError(f"model id {value!r} must look like provider:model, e.g. openai:gpt-4o-mini")
    if match["provider"] not in registry.providers():
        raise ValueError(f"unknown provider {match['provider']!r}; use one of {', '.join(registry.names())}")
    return value


class ModelSpec(ConnectionSpec):
    """One model to run: `provider:model` plus request params and connection settings."""

    id: str
    label: str | None = None
    simulate: SimulateSpec | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        return _check_model_id(value)

    @model_validator(mode="after")
    def _check_simulate(self) -> ModelSpec:
        if self.simulate is not None and not self.simulated:
            raise ValueError("`simulate` is only valid for simulated:* models")
        return self

    @property
    def model_id(self) -> str:
        return self.id

    @property
    def model(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def display(self) -> str:
        return self.label or self.id


class SwapSpec(_Strict):
    """Counterfactual name-swap audit.

    mode "single": each case is rendered once per name (one candidate per prompt).
    mode "ranking": each case lists one candidate profile per group in `candidates`; every rendering
    gives each profile a name from a different group (rotating, so each profile meets every group) and
    shuffles the order in which the candidates appear in the prompt.
    """

    names: str  # name set id, e.g. "nl_curated_unvalidated"
    groups: list[str] = Field(min_length=2)
    names_per_group: int = Field(default=3, ge=3, le=50)
    mode: Literal["single", "ranking"] = "single"
    variable: str | None = None  # template variable: "candidate_name" (single) or "candidates" (ranking)
    outcome: str | None = None  # metric that is the selection decision / score, e.g. "screening.invite"
    margin: float | None = Field(default=None, gt=0)  # equivalence margin for "no material bias"
    # The group every other group is compared with (impact ratio = group rate / reference rate).
    # Declared, never picked from the results; default: the first group listed in `groups`.
    reference: str | None = None

    @model_validator(mode="after")
    def _check_reference(self) -> SwapSpec:
        if self.reference is not None and self.reference not in self.groups:
            raise ValueError(f"swap.reference {self.reference!r} is not one of the groups {self.groups}")
        return self

    @property
    def reference_group(self) -> str:
        return self.reference or self.groups[0]

    @property
    def template_variable(self) -> str:
        return self.variable or ("candidates" if self.mode == "ranking" else "candidate_name")


class JudgeSpec(ConnectionSpec):
    """The LLM judge: any provider, with the same connection fields as a model (local servers included)."""

    model: str = "simulated:judge"
    params: dict[str, Any] = Field(default_factory=lambda: {"temperature": 0})
    rubrics: dict[str, str] = Field(default_factory=dict)  # custom rubric name -> instructions
    # pointwise: a 1-10 score per output and rubric; pairwise: candidate vs baseline output of the same case,
    # asked twice with the order swapped (inconsistent answers count as ties), stored as ratings.
    mode: Literal["pointwise", "pairwise"] = "pointwise"

    @field_validator("model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        return _check_model_id(value)

    @property
    def model_id(self) -> str:
        return self.model

    def as_model(self) -> ModelSpec:
        """The judge as a ModelSpec, so providers, limits and retries treat it like any model."""
        fields = self.model_dump(exclude={"model", "rubrics", "mode"})
        return ModelSpec(id=self.model, **fields)

    @field_validator("rubrics")
    @classmethod
    def _check_rubrics(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not text.strip():
                raise ValueError(f"rubric {name!r} has no text; write what the judge should grade")
        return value


class SequentialSpec(_Strict):
    """`sequential:` — stop early once every candidate is decided (`workbench run --until-decided`).

    Cases are drawn in a seeded random order; after every `look_every` cases an anytime-valid test
    (workbench.stats.sequential) updates on the primary metric(s); the run stops when every candidate is
    better, worse or equivalent within its `non_inferiority` margin, or after `max_cases` cases.
    """

    max_cases: int = Field(ge=2)  # cases that may be drawn at most (from the dataset, in seeded random order)
    look_every: int = Field(default=10, ge=1)  # cases between two looks
    alpha: float | None = Field(default=None, gt=0, lt=0.5)  # run-level error; default: the spec's alpha
    min_cases: int = Field(default=0, ge=0)  # no decision before this many cases

    @model_validator(mode="after")
    def _check_sizes(self) -> SequentialSpec:
        if self.look_every > self.max_cases:
            raise ValueError(f"look_every ({self.look_every}) is larger than max_cases ({self.max_cases})")
        if self.min_cases > self.max_cases:
            raise ValueError(f"min_cases ({self.min_cases}) is larger than max_cases ({self.max_cases})")
        return self


def _default_scorers() -> list[str | dict[str, Any]]:
    return ["length", "readability"]


class ExperimentSpec(_Strict):
    name: str
    description: str = ""
    task: str | None = None
    variants: list[str] = Field(min_length=1)
    dataset: str
    models: list[ModelSpec] = Field(min_length=1)
    repeats: int = Field(default=1, ge=1, le=1000)
    scorers: list[str | dict[str, Any]] = Field(default_factory=lambda: _default_scorers())
    baseline: str | None = None
    concurrency: int = Field(default=16, ge=1, le=1024)
    seed: int = 0
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    # Confirmatory metrics: Holm (`correction`) across every primary metric × comparison × model of the
    # run (`family: run`; `model` or `model_metric` for smaller families). Default: the first judge
    # rubric, else the first scorer's headline metric. Every other metric is secondary: exploratory,
    # Benjamini–Hochberg.
    primary: list[str] | None = None
    correction: Literal["holm", "bh", "bonferroni"] = "holm"
    family: Literal["run", "model", "model_metric"] = "run"
    # metric -> margin (raw units; yes/no metrics as proportions, 0.05 = 5 points): "not worse by more
    # than the margin" (non-inferiority) and "equivalent within ±margin" are claimed only from these tests.
    non_inferiority: dict[str, float] = Field(default_factory=dict)
    max_cases: int | None = Field(default=None, ge=1)
    swap: SwapSpec | None = None
    judge: JudgeSpec | None = None
    # Outputs cut off at max_tokens (finish_reason "length"/"max_tokens"): left out of the text metrics
    # (length, readability, wording, checks, judge) by default, since a cut-off text is not the answer.
    truncated_outputs: Literal["exclude", "include"] = "exclude"
    # Sequential design for `workbench run --until-decided` (see SequentialSpec).
    sequential: SequentialSpec | None = None

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("name may contain letters, digits, '-', '_' and '.' only")
        return value

    @field_validator("primary", mode="before")
    @classmethod
    def _primary_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and not value:
            raise ValueError("primary needs at least one metric (or leave it out for the default)")
        return value

    @field_validator("non_inferiority")
    @classmethod
    def _positive_margins(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [metric for metric, margin in value.items() if not margin > 0]
        if bad:
            raise ValueError(f"non_inferiority margins must be positive numbers (metric {bad[0]!r})")
        return value

    @field_validator("models", mode="before")
    @classmethod
    def _models_from_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _unique_model_labels(self) -> ExperimentSpec:
        labels = [m.display for m in self.models]
        dupes = sorted({label for label in labels if labels.count(label) > 1})
        if dupes:
            raise ValueError(f"models listed twice: {', '.join(dupes)} (give them distinct `label`s)")
        return self

    def fingerprint(self) -> str:
        """Stable hash of the spec content, used to refuse resuming a run whose spec changed.

        Analysis fields added later are left out while they have their defaults, so a run started
        before they existed can still be resumed; so are the settings that only say how calls are made
        (timeouts, attempts, the model check): raising a timeout and resuming continues the same run.
        """
        data = self.model_dump(mode="json")
        for key, default in _LATER_DEFAULTS.items():
            if data.get(key) == default:
                data.pop(key, None)
        if isinstance(data.get("swap"), dict) and data["swap"].get("reference") is None:
            data["swap"].pop("reference", None)
        for model in data.get("models", []):
            if isinstance(model.get("simulate"), dict) and not model["simulate"].get("name_sd"):
                model["simulate"].pop("name_sd", None)
            for key in EXECUTION_ONLY:
                model.pop(key, None)
        judge = data.get("judge")
        if isinstance(judge, dict):
            for key in EXECUTION_ONLY:
                judge.pop(key, None)
            for key in _LATER_JUDGE_FIELDS:  # the judge's connection fields, added after runs were stored
                if judge.get(key) is None:
                    judge.pop(key, None)
            if judge.get("mode") == "pointwise":  # added later too: the default keeps old fingerprints
                judge.pop("mode", None)
        blob = json.dumps(data, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# Fields added to the spec after runs were stored, with their defaults (see ExperimentSpec.fingerprint).
_LATER_DEFAULTS: dict[str, Any] = {
    "primary": None, "family": "run", "non_inferiority": {}, "truncated_outputs": "exclude",
    "sequential": None,
}
_LATER_JUDGE_FIELDS = ("base_url", "api_key_env", "concurrency", "rpm", "prices")


def _format_loc(loc: tuple[str | int, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-branch markers (e.g. 'str', 'dict[str,any]') from an error path."""
    return tuple(p for p in loc if isinstance(p, int) or not re.match(r"^(str|dict\[|function-|list\[)", p))


def validation_error_to_spec_error(exc: ValidationError, path: Path, lines: LineMap) -> SpecError:
    first = exc.errors()[0]
    loc = _clean_loc(tuple(first["loc"]))
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif first["type"] == "missing":
        msg = "required field is missing"
    extra = len(exc.errors()) - 1
    if extra > 0:
        msg += f" (+{extra} more problem{'s' if extra > 1 else ''})"
    # A missing field has no line of its own; point at its parent mapping only when it is nested.
    line_loc = loc[:-1] if first["type"] == "missing" else loc
    line = lines.line_for(line_loc) if line_loc else None
    return SpecError(msg, file=path, field=_format_loc(loc) or None, line=line)


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec file (structure only; see `workbench.experiment.plan` for the rest)."""
    spec_path = Path(path)
    data, lines = load_yaml(spec_path, "experiment spec")
    if not isinstance(data, dict):
        raise SpecError("an experiment spec must be a YAML mapping (name:, variants:, ...)", file=spec_path)
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_spec_error(exc, spec_path, lines) from None
