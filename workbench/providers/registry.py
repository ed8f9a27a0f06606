"""Create a provider instance from a model spec; one instance per distinct connection."""

from __future__ import annotations

from typing import Any

from workbench.errors import ProviderConfigError, WorkbenchError
from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Provider, ProviderError

DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


def connection_key(model: ModelSpec) -> tuple[str, str | None, str | None]:
    """Models sharing a provider, endpoint and key share one client (and one rate limit)."""
    return (model.provider, model.base_url, model.api_key_env)


def create_provider(model: ModelSpec, **client_options: Any) -> Provider:
    """Build the provider for `model`; a missing key is a one-line ProviderConfigError."""
    try:
        if model.provider == "simulated":
            from workbench.providers.simulated import SimulatedProvider

            return SimulatedProvider()
        key_env = model.api_key_env or DEFAULT_KEY_ENV.get(model.provider)
        if model.provider == "openai":
            from workbench.providers.openai_chat import OpenAIProvider

            return OpenAIProvider(
                base_url=model.base_url, api_key_env=key_env, prices=model.prices, **client_options
            )
        if model.provider == "anthropic":
            from workbench.providers.anthropic_messages import AnthropicProvider

            return AnthropicProvider(
                base_url=model.base_url, api_key_env=key_env, prices=model.prices, **client_options
            )
        if model.provider == "openai_compatible":
            from workbench.providers.openai_compatible import OpenAICompatibleProvider

            return OpenAICompatibleProvider(
                base_url=str(model.base_url),
                api_key_env=model.api_key_env,
                prices=model.prices,
                **client_options,
            )
    except WorkbenchError:
        raise
    except ProviderError as exc:
        raise ProviderConfigError(f"{exc} (model {model.id})", field="models") from None
    raise ProviderConfigError(f"unknown provider {model.provider!r}", field="models")


def check_credentials(models: list[ModelSpec]) -> None:
    """Fail before the store is touched when a model's API key variable is unset (keys are never read here)."""
    import os

    for model in models:
        env = model.api_key_env or DEFAULT_KEY_ENV.get(model.provider)
        if env and model.provider != "simulated" and not os.environ.get(env):
            raise ProviderConfigError(
                f"{model.provider}: {env} is not set (model {model.id}); export {env}=... or name the variable "
                "that holds the key in api_key_env",
                field="models",
            )
