"""Which providers exist and what each can do: one `ProviderInfo` per provider, registered where it is defined.

Each provider module ends with `register(ProviderInfo(...))`. The registry imports the built-in modules
listed in `BUILTIN_MODULES`, then every module (or `ProviderInfo`) a distribution advertises under the
`workbench.providers` entry-point group, the first time anyone asks which providers there are, so
`workbench --help` loads none of them. Registering must stay cheap: a provider module imports its SDK
inside the factory, never at module level (`workbench validate` lists and checks providers without
calling any).

Everything else asks the registry instead of comparing provider names: `info.simulated` (outputs are
labelled SIMULATED), `info.offline` (no network, no key, no cost), `info.batch` (a Batch API for
`--batch`), `info.price_id` (genai-prices), `info.sdk` (whose exception classes errors.py maps), ...
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from workbench.errors import ProviderConfigError, WorkbenchError
from workbench.providers.base import Provider, ProviderError

if TYPE_CHECKING:
    from workbench.experiment.spec import ConnectionSpec, ModelSpec
    from workbench.runner.batch_backend import BatchBackend

ENTRY_POINT_GROUP = "workbench.providers"
# The providers that ship with the workbench, in the order `unknown provider` errors list them.
BUILTIN_MODULES = (
    "workbench.providers.openai_chat",
    "workbench.providers.anthropic_messages",
    "workbench.providers.openai_compatible",
    "workbench.providers.simulated",
)


class ProviderFactory(Protocol):
    """Builds the client for one connection: `key_env` is the model's `api_key_env` or the provider's
    default; `client_options` (max_connections, timeout, ...) are given to providers that are not offline."""

    def __call__(self, model: ModelSpec, key_env: str | None, **client_options: Any) -> Provider: ...


@dataclass(frozen=True)
class ProviderInfo:
    """What the rest of the workbench needs to know about a provider, in one record."""

    name: str  # the part before ":" in a model id, e.g. "openai" in openai:gpt-4o-mini
    factory: ProviderFactory
    description: str = ""
    key_env: str | None = None  # env var holding the key when the spec names none; None = no key needed
    price_id: str | None = None  # genai-prices provider id; None = cost only from the spec's `prices:`
    # The `--batch` backend for a provider instance built by `factory`; None = calls go one by one.
    batch: Callable[[Provider], BatchBackend] | None = None
    sdk: str | None = None  # module whose APIStatusError/APIConnectionError/... errors.map_sdk_error maps
    offline: bool = False  # answers in-process: no network, no key, costs nothing
    simulated: bool = False  # outputs are synthetic: stored, reported and shown as SIMULATED
    needs_base_url: bool = False  # the spec must give `base_url` (no public default endpoint)
    example_base_url: str = ""  # shown in the error when base_url is missing
    lists_models: bool = False  # `check_model`: ask the server's GET /models before any call
    params: frozenset[str] = frozenset()  # request params the API defines
    # True: the API takes params beyond `params` (local servers' min_p, repeat_penalty...), so only a near
    # miss of a known name is an error; False: any other param is an error (the API would answer 400).
    extra_params: bool = False
    default_max_tokens: int | None = None  # what the provider sends when the spec sets no max_tokens


def batch_backend(target: str) -> Callable[[Provider], BatchBackend]:
    """`ProviderInfo.batch` for the backend class at `module:Class`, imported when `--batch` first needs it
    (registering a provider must not import the batch machinery)."""
    module, _, name = target.partition(":")

    def make(provider: Provider) -> BatchBackend:
        backend: BatchBackend = getattr(importlib.import_module(module), name)(provider)
        return backend

    return make


_registry: dict[str, ProviderInfo] = {}
_loaded = False
_loading = threading.RLock()


def register(info: ProviderInfo) -> ProviderInfo:
    """Add a provider (called at the end of the module that defines it). Returns `info`."""
    existing = _registry.get(info.name)
    if existing is not None and _module_of(existing) != _module_of(info):  # a reload may re-register
        raise ProviderConfigError(
            f"provider {info.name!r} is registered twice ({_module_of(existing)} and {_module_of(info)})"
        )
    _registry[info.name] = info
    return info


def _module_of(info: ProviderInfo) -> str:
    """The module that defines the provider: its factory's, or for a classmethod its class's."""
    owner = getattr(info.factory, "__self__", info.factory)
    return str(getattr(owner, "__module__", "?"))


def source_of(info: ProviderInfo) -> str:
    """Where a provider comes from: "built-in", or the plugin module that registered it."""
    module = _module_of(info)
    return "built-in" if module in BUILTIN_MODULES else module


def _load_entry_point(entry: EntryPoint) -> None:
    try:
        loaded = entry.load()
        if isinstance(loaded, ProviderInfo):
            register(loaded)
        elif not isinstance(loaded, ModuleType):
            raise TypeError(f"{entry.value} is neither a module nor a ProviderInfo")
    except WorkbenchError:
        raise
    except Exception as exc:
        raise ProviderConfigError(
            f"provider plugin {entry.name!r} ({entry.value}, entry point group {ENTRY_POINT_GROUP}) failed to "
            f"load: {type(exc).__name__}: {exc}"
        ) from None
    if isinstance(loaded, ModuleType) and not any(
        _module_of(info) == loaded.__name__ or _module_of(info).startswith(loaded.__name__ + ".")
        for info in _registry.values()
    ):
        raise ProviderConfigError(
            f"provider plugin {entry.name!r} ({entry.value}) registered no provider; end the module with "
            "register(ProviderInfo(...))"
        )


def providers() -> dict[str, ProviderInfo]:
    """Every registered provider by name: the built-ins first, then plugins (loaded on first use)."""
    global _loaded
    with _loading:  # the UI's script threads may ask at once; none may see a half-filled registry
        if not _loaded:
            _loaded = True
            try:
                for module in BUILTIN_MODULES:
                    importlib.import_module(module)
                for entry in entry_points(group=ENTRY_POINT_GROUP):
                    _load_entry_point(entry)
            except BaseException:
                _loaded = False
                raise
            # Built-ins in BUILTIN_MODULES order whichever was imported first, then plugins as they came.
            order = {module: index for index, module in enumerate(BUILTIN_MODULES)}
            ranked = sorted(_registry.values(), key=lambda info: order.get(_module_of(info), len(order)))
            _registry.clear()
            _registry.update((info.name, info) for info in ranked)
    return _registry


def names() -> list[str]:
    return list(providers())


def get(name: str) -> ProviderInfo:
    """The provider called `name`; an unknown name is a one-line ProviderConfigError listing the known ones."""
    info = providers().get(name)
    if info is None:
        raise ProviderConfigError(f"unknown provider {name!r}; use one of {', '.join(names())}", field="models")
    return info


def is_simulated(model_id: str) -> bool:
    """Whether `provider:model` names a model with synthetic outputs (False for an unknown provider)."""
    info = providers().get(model_id.split(":", 1)[0])
    return info is not None and info.simulated


def sdk_modules() -> tuple[str, ...]:
    """The SDK modules whose exceptions providers raise (for errors.map_sdk_error), each once."""
    return tuple(dict.fromkeys(info.sdk for info in providers().values() if info.sdk))


def connection_key(model: ConnectionSpec) -> tuple[str, str | None, str | None]:
    """Models sharing a provider, endpoint and key share one client (and one rate limit)."""
    return (model.provider, model.base_url, model.api_key_env)


def key_env(model: ConnectionSpec) -> str | None:
    """The environment variable that holds `model`'s key (None: the provider needs none)."""
    info = get(model.provider)
    return None if info.offline else (model.api_key_env or info.key_env)


def create_provider(model: ModelSpec, **client_options: Any) -> Provider:
    """Build the provider for `model`; a missing key is a one-line ProviderConfigError."""
    info = get(model.provider)
    try:
        return info.factory(model, key_env(model), **client_options)
    except WorkbenchError:
        raise
    except ProviderError as exc:
        raise ProviderConfigError(f"{exc} (model {model.id})", field="models") from None


def check_credentials(models: Iterable[ModelSpec]) -> None:
    """Fail before the store is touched when a model's API key variable is unset (keys are never read here)."""
    for model in models:
        env = key_env(model)
        if env and not os.environ.get(env):
            raise ProviderConfigError(
                f"{model.provider}: {env} is not set (model {model.id}); export {env}=... or name the variable "
                "that holds the key in api_key_env",
                field="models",
            )
