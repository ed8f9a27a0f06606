"""The `simulated` provider: offline, deterministic per seed, realistic NL/EN recruitment texts.

Every completion it returns has `simulated=True`; the store, exports, reports and UI label such
outputs SIMULATED. Planted effects (see `ExperimentSpec.models[].simulate`) let the statistics be
calibrated against a known truth.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from workbench.providers.anthropic_messages import MESSAGES_PARAMS
from workbench.providers.base import Completion, CompletionRequest, Provider
from workbench.providers.openai_chat import CHAT_PARAMS
from workbench.providers.registry import ProviderInfo, register

if TYPE_CHECKING:
    from workbench.experiment.spec import ModelSpec

SIMULATED_LABEL = "SIMULATED"


def _rng(request: CompletionRequest) -> random.Random:
    seed = request.params.get("seed", 0)
    digest = hashlib.sha256(f"{seed}|{request.cache_key()}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _tokens(text: str) -> int:
    return max(1, round(len(text.split()) * 1.35))


def _limit(text: str, max_tokens: object) -> tuple[str, str]:
    """Cut the text at `max_tokens` as a real model would (finish_reason "length"), else "stop"."""
    if not isinstance(max_tokens, int) or _tokens(text) <= max_tokens:
        return text, "stop"
    words = text.split(" ")
    keep = max(1, int(max_tokens / 1.35))
    while keep > 1 and _tokens(" ".join(words[:keep])) > max_tokens:
        keep -= 1
    return " ".join(words[:keep]), "length"


class SimulatedProvider:
    name = "simulated"

    async def complete(self, request: CompletionRequest) -> Completion:
        # The generators load with the first call, not when the provider registers (every `validate`).
        from workbench.providers.simulated.judge import judge, judge_pair
        from workbench.providers.simulated.scores import name_shift
        from workbench.providers.simulated.style import applicable_effects, read_style
        from workbench.providers.simulated.writers import write

        started = time.perf_counter()
        simulate = request.params.get("simulate") or {}
        latency_ms = float(simulate.get("latency_ms") or 0.0)
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        meta = request.metadata
        rng = _rng(request)
        prompt = "\n".join(m.content for m in request.messages)
        fx = applicable_effects(simulate, meta)
        seed = request.params.get("seed", 0)
        name_sd = float(simulate.get("name_sd") or 0.0)
        if name_sd and meta.get("swap_name"):
            fx = replace(fx, score_shift=fx.score_shift + name_shift(seed, str(meta["swap_name"]), name_sd))
        if meta.get("judge_pairwise"):
            first = applicable_effects(simulate, {"variant": meta.get("first_variant")})
            second = applicable_effects(simulate, {"variant": meta.get("second_variant")})
            bias = float(simulate.get("position_bias") or 0.0)
            text = judge_pair(prompt, str(meta["judge_pairwise"]), first, second, bias, rng)
        elif meta.get("judge_rubric"):
            judged = applicable_effects(simulate, {"variant": meta.get("judged_variant")})
            text = judge(prompt, str(meta["judge_rubric"]), judged, rng)
        else:
            style = read_style(prompt)
            variables = dict(meta.get("case") or {})
            if isinstance(variables.get("candidates"), list):
                # Several candidates in one prompt: each gets the effects planted for its own group.
                variables["candidates"] = [
                    {**c, "_shift": applicable_effects(simulate, {**meta, "swap_group": c.get("group")}).score_shift
                     + name_shift(seed, str(c.get("name", "")), name_sd)}
                    for c in variables["candidates"]
                    if isinstance(c, dict)
                ]
            text = write(
                str(meta.get("task", "vacancy_text")),
                variables,
                str(meta.get("language", "en")),
                style,
                fx,
                rng,
            )
        text, finish_reason = _limit(text, request.params.get("max_tokens"))
        return Completion(
            text=text,
            input_tokens=_tokens(prompt),
            output_tokens=_tokens(text),
            latency_s=time.perf_counter() - started,
            cost_usd=0.0,
            model=f"{request.model} ({SIMULATED_LABEL})",
            finish_reason=finish_reason,
            simulated=True,
        )

    async def aclose(self) -> None:
        return None


def _create(model: ModelSpec, key_env: str | None, **client_options: Any) -> Provider:
    return SimulatedProvider()


register(ProviderInfo(
    name="simulated", factory=_create, description="Offline, deterministic synthetic recruitment texts (SIMULATED)",
    offline=True, simulated=True,
    # Either API's params; `simulate`: the simulated judge's planted effects (judge: {params: {simulate: ...}}).
    params=CHAT_PARAMS | MESSAGES_PARAMS | {"simulate"},
))
