"""Prompt variants: YAML files with Jinja2 templates rendered in a sandbox with StrictUndefined."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.errors import SpecError
from workbench.experiment.spec import validation_error_to_spec_error
from workbench.experiment.yaml_lines import load_yaml

TASKS = ("vacancy_text", "rejection_email", "screening_summary", "interview_questions", "candidate_ranking")
MAX_RENDERED_CHARS = 200_000


class VariantFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    task: str
    language: Literal["nl", "en"]
    description: str = ""
    tone: str | None = None
    system: str | None = None
    user: str
    based_on: str | None = None

    @field_validator("task")
    @classmethod
    def _known_task(cls, value: str) -> str:
        if value not in TASKS:
            raise ValueError(f"unknown task {value!r}; use one of {', '.join(TASKS)}")
        return value


MAX_OPERAND = 1_000_000  # largest string/list or number a template may build with * or **


class PromptSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, plus limits on `*` and `**`: the stock sandbox lets a template such
    as `{{ 'x' * 10**9 }}` build a gigabyte string."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("exponent too large for a prompt template")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > MAX_OPERAND:
                    raise SecurityError("repetition too large for a prompt template")
        return super().call_binop(context, operator, left, right)


def _small_range(*args: int) -> range:
    """`range` for templates, capped far below Jinja2's 100,000 so nested loops cannot spin for hours."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise SecurityError(f"range of {len(rng):,} items is too large for a prompt template (max {MAX_RANGE:,})")
    return rng


MAX_RANGE = 1_000


@lru_cache(maxsize=1)
def sandbox() -> PromptSandbox:
    """One shared sandbox: no attribute access to internals, no mutation, undefined names fail."""
    env = PromptSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["range"] = _small_range
    return env


@lru_cache(maxsize=256)
def _compiled(source: str) -> Any:
    """The compiled template: compiling costs ~1 ms, and a run renders each template once per case."""
    return sandbox().from_string(source)


@lru_cache(maxsize=256)
def _parsed(source: str) -> Any:
    return sandbox().parse(source)


def _render_limited(source: str, variables: Mapping[str, Any]) -> str:
    """Render chunk by chunk so an exploding template is stopped at the size limit, not after it."""
    parts: list[str] = []
    size = 0
    for chunk in _compiled(source).generate(**variables):
        size += len(chunk)
        if size > MAX_RENDERED_CHARS:
            raise OverflowError(f"rendered prompt exceeds {MAX_RENDERED_CHARS:,} characters")
        parts.append(chunk)
    return "".join(parts)


@dataclass(frozen=True)
class PromptVariant:
    id: str
    task: str
    language: str
    user_template: str
    system_template: str | None = None
    description: str = ""
    tone: str | None = None
    based_on: str | None = None
    path: str | None = None
    template_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def variables(self) -> set[str]:
        """Every variable the templates use (from the Jinja2 AST, not by regex)."""
        names: set[str] = set()
        for part, source in self._sources():
            names |= meta.find_undeclared_variables(self._parse(part, source))
        return names

    @property
    def content_hash(self) -> str:
        blob = f"{self.system_template or ''}\x00{self.user_template}"
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def _sources(self) -> list[tuple[str, str]]:
        parts = [("user", self.user_template)]
        if self.system_template:
            parts.insert(0, ("system", self.system_template))
        return parts

    def _parse(self, part: str, source: str) -> Any:
        try:
            return _parsed(source)
        except TemplateSyntaxError as exc:
            line = self.template_lines.get(part)
            raise SpecError(
                f"template syntax error: {exc.message}",
                file=self.path,
                field=part,
                line=(line + (exc.lineno or 1)) if line else None,
            ) from None

    def render(self, variables: Mapping[str, Any]) -> tuple[str | None, str]:
        """Render (system, user). Raises SpecError on a missing variable or a sandbox violation."""
        rendered: dict[str, str] = {}
        for part, source in self._sources():
            self._parse(part, source)
            try:
                text = _render_limited(source, variables)
            except (UndefinedError, RecursionError, SecurityError, TemplateError, TypeError, ValueError,
                    ArithmeticError, OverflowError) as exc:
                raise self._render_error(part, exc) from None
            rendered[part] = text.strip()
        return rendered.get("system"), rendered["user"]

    def _render_error(self, part: str, exc: Exception) -> SpecError:
        """One line naming the variant file and template part; the line when it points at the user's input."""
        line = self.template_lines.get(part)
        if isinstance(exc, UndefinedError):
            message, at = f"{exc.message} (not a column of the dataset)", line
        elif isinstance(exc, RecursionError):
            message, at = "template recursion too deep (a macro that calls itself?)", line
        elif isinstance(exc, SecurityError):
            message, at = f"template blocked by the sandbox: {exc}", None
        else:
            message, at = f"template failed to render: {type(exc).__name__}: {exc}", None
        return SpecError(f"variant {self.id!r}: {message}", file=self.path, field=part, line=at)


def load_variant(path: str | Path) -> PromptVariant:
    variant_path = Path(path)
    data, lines = load_yaml(variant_path, "prompt variant")
    if not isinstance(data, dict):
        raise SpecError("a prompt variant must be a YAML mapping (id:, task:, language:, user:)", file=path)
    try:
        parsed = VariantFile.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_spec_error(exc, variant_path, lines) from None
    variant = PromptVariant(
        id=parsed.id,
        task=parsed.task,
        language=parsed.language,
        user_template=parsed.user,
        system_template=parsed.system,
        description=parsed.description,
        tone=parsed.tone,
        based_on=parsed.based_on,
        path=str(variant_path),
        template_lines={k: v for k in ("system", "user") if (v := lines.line_for((k,)))},
    )
    _ = variant.variables  # surfaces syntax errors at load time
    return variant


def variant_to_yaml(variant: PromptVariant) -> str:
    """Serialise a variant back to the library's YAML format (used by the UI's editor)."""
    import yaml

    data: dict[str, Any] = {"id": variant.id, "task": variant.task, "language": variant.language}
    for key, value in (
        ("description", variant.description),
        ("tone", variant.tone),
        ("based_on", variant.based_on),
        ("system", variant.system_template),
    ):
        if value:
            data[key] = value
    data["user"] = variant.user_template

    class _Literal(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Literal.add_representer(str, _str)
    return yaml.dump(data, Dumper=_Literal, allow_unicode=True, sort_keys=False, width=100)
