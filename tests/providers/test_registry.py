"""The provider registry: what the built-in providers declare, that declaring it stays cheap, and that the
rest of the workbench reads capabilities from it (a toy provider end to end: test_toy_provider.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbench.errors import ProviderConfigError
from workbench.experiment.spec import ModelSpec
from workbench.providers import pricing, registry
from workbench.providers.base import CompletionRequest, Message
from workbench.runner.token_estimate import max_output_tokens

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.heavy  # a second Python process
def test_registering_every_provider_imports_no_sdk_http_client_or_numpy() -> None:
    probe = ("from workbench.providers import registry\nimport sys\nnames = registry.names()\n"
             "heavy = ('openai', 'anthropic', 'httpx2', 'aiohttp', 'numpy', 'genai_prices', 'workbench.runner')\n"
             "print(','.join(names), '|', ' '.join(m for m in heavy if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    names, heavy = (part.strip() for part in proc.stdout.split("|"))
    assert names == "openai,anthropic,openai_compatible,simulated"
    assert heavy == ""


def test_what_the_built_in_providers_declare() -> None:
    info = registry.providers()
    table = {name: (i.key_env, i.price_id, i.batch is not None, i.sdk, i.offline, i.simulated, i.needs_base_url,
                    i.lists_models, i.extra_params, i.default_max_tokens) for name, i in info.items()}
    assert table == {
        "openai": ("OPENAI_API_KEY", "openai", True, "openai", False, False, False, False, False, None),
        "anthropic": ("ANTHROPIC_API_KEY", "anthropic", True, "anthropic", False, False, False, False, False, 1024),
        "openai_compatible": (None, None, False, "openai", False, False, True, True, True, None),
        "simulated": (None, None, False, None, True, True, False, False, False, None),
    }
    assert registry.sdk_modules() == ("openai", "anthropic")
    assert "simulate" in info["simulated"].params and "simulate" not in info["openai"].params
    assert {"min_p", "top_k"} <= info["openai_compatible"].params


def test_capabilities_drive_spec_checks_pricing_and_token_reservations() -> None:
    local = ModelSpec(id="openai_compatible:llama3", base_url="http://127.0.0.1:9/v1", params={"min_p": 0.1})
    assert (local.simulated, local.info.lists_models, registry.key_env(local)) == (False, True, None)
    with pytest.raises(ValueError, match=r"openai_compatible models need base_url \(e.g. http://localhost:11434/v1\)"):
        ModelSpec(id="openai_compatible:llama3")
    with pytest.raises(ValueError, match="unknown parameter 'min_p' for openai models"):
        ModelSpec(id="openai:gpt-4o-mini", params={"min_p": 0.1})
    assert ModelSpec(id="simulated:default").simulated
    assert registry.key_env(ModelSpec(id="simulated:default", api_key_env="SOME_KEY")) is None  # offline: no key
    assert registry.key_env(ModelSpec(id="anthropic:claude-haiku-4-5")) == "ANTHROPIC_API_KEY"
    assert registry.is_simulated("simulated:judge") and not registry.is_simulated("openai:gpt-4o-mini")
    assert not registry.is_simulated("nosuch:model")

    assert pricing.price("openai", "gpt-4o-mini", 1000, 1000) is not None  # price_id "openai"
    assert pricing.price("openai_compatible", "gpt-4o-mini", 1000, 1000) is None  # no price_id
    assert pricing.price("nosuch", "gpt-4o-mini", 1000, 1000) is None

    def request(provider: str) -> CompletionRequest:
        return CompletionRequest(provider, "m", (Message("user", "hi"),))

    assert max_output_tokens(request("anthropic")) == 1024  # the Messages API's default_max_tokens
    assert max_output_tokens(request("openai")) is None


def test_an_unknown_provider_name_is_a_one_line_config_error_listing_the_registered_ones() -> None:
    with pytest.raises(ProviderConfigError, match="unknown provider 'nosuch'; use one of openai, anthropic, "
                                                  "openai_compatible, simulated"):
        registry.get("nosuch")


def test_the_providers_command_lists_what_each_provider_can_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from workbench.cli import app

    monkeypatch.setenv("COLUMNS", "250")
    result = CliRunner().invoke(app, ["providers"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: " ".join(line.split()) for line in result.stdout.splitlines()
            if line.split() and line.split()[0] in registry.names()}
    assert list(rows) == ["openai", "anthropic", "openai_compatible", "simulated"]
    assert "OPENAI_API_KEY" in rows["openai"] and "Batch API (--batch), priced (genai-prices)" in rows["openai"]
    assert "needs base_url, checks served models" in rows["openai_compatible"]
    assert "offline, SIMULATED" in rows["simulated"] and "built-in" in rows["simulated"]
    assert "workbench.providers" in result.stdout
