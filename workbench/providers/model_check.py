"""Before any call: does each OpenAI-compatible server actually serve the model the spec names?

llama.cpp's server, some proxies and LM Studio answer a chat request for *any* model name with the one
model they have loaded, so a typo would silently run the wrong model. Servers that list their models
(`GET /v1/models`: Ollama, vLLM, llama.cpp, LM Studio, LiteLLM) are asked once each; a model that is
not listed stops `validate` and `run` with one line naming the models the server does serve.
`check_model: false` on a model (or the judge) skips the check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from workbench.errors import ProviderConfigError, WorkbenchError
from workbench.experiment.spec import ExperimentSpec, ModelSpec
from workbench.providers.base import ProviderError
from workbench.providers.registry import create_provider

MAX_LISTED = 12  # model names quoted in the error; big proxies serve hundreds


@dataclass(frozen=True)
class ModelCheck:
    field: str  # where the model is named in the spec, e.g. "models[0].id" or "judge.model"
    model: ModelSpec


def models_to_check(spec: ExperimentSpec, *, with_judge: bool) -> list[ModelCheck]:
    """The openai_compatible models (and judge, when it judges) whose server is to be asked."""
    checks = [
        ModelCheck(f"models[{index}].id", model)
        for index, model in enumerate(spec.models)
        if model.info.lists_models and model.check_model
    ]
    judge = spec.judge
    if with_judge and judge is not None and judge.info.lists_models and judge.check_model:
        checks.append(ModelCheck("judge.model", judge.as_model()))
    return checks


def is_served(model: str, served: Sequence[str]) -> bool:
    """Exact id, or Ollama's implicit `:latest` tag on either side."""
    names = set(served)
    return model in names or f"{model}:latest" in names or model.removesuffix(":latest") in names


def _missing_message(check: ModelCheck, served: Sequence[str]) -> str:
    more = len(served) - MAX_LISTED
    listed = ", ".join(served[:MAX_LISTED]) + (f" (+{more} more)" if more > 0 else "")
    return (
        f"{check.model.base_url} does not serve model {check.model.model!r}; it serves: {listed or 'no models'} "
        "(fix the model id, or set check_model: false to skip this check)"
    )


class ListsModels(Protocol):
    """A provider with `lists_models`: it can say which models its server serves (None: not offered)."""

    async def served_models(self) -> list[str] | None: ...

    async def aclose(self) -> None: ...


async def _served(model: ModelSpec) -> list[str] | None:
    provider = cast(ListsModels, create_provider(model, max_connections=1))
    try:
        return await provider.served_models()
    finally:
        await provider.aclose()


async def _ask_all(checks: Sequence[ModelCheck]) -> dict[tuple[str | None, str | None], list[str] | str | None]:
    """Per server (base_url, key variable): its model list, None (not offered) or why it could not be asked."""
    servers = list(dict.fromkeys((c.model.base_url, c.model.api_key_env) for c in checks))
    first = {server: next(c.model for c in checks if (c.model.base_url, c.model.api_key_env) == server)
             for server in servers}

    async def ask(model: ModelSpec) -> list[str] | str | None:
        try:
            return await _served(model)
        except (ProviderError, WorkbenchError) as exc:
            return str(exc)

    answers = await asyncio.gather(*(ask(first[server]) for server in servers))
    return dict(zip(servers, answers, strict=True))


def check_served_models(spec: ExperimentSpec, spec_path: str | Path, *, with_judge: bool) -> list[str]:
    """Raise ProviderConfigError for a model its server does not list; return notes on servers not asked.

    A server without a model list is fine (nothing to check); an unreachable one is a note here (the run's
    own calls then report it with retries and a resume hint).
    """
    checks = models_to_check(spec, with_judge=with_judge)
    if not checks:
        return []
    answers = asyncio.run(_ask_all(checks))
    notes: list[str] = []
    for check in checks:
        answer = answers[(check.model.base_url, check.model.api_key_env)]
        if isinstance(answer, str):
            note = f"could not ask {check.model.base_url} which models it serves: {answer}"
            if note not in notes:
                notes.append(note)
        elif answer is not None and not is_served(check.model.model, answer):
            raise ProviderConfigError(_missing_message(check, answer), file=spec_path, field=check.field)
    return notes
