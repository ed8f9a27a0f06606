"""What the OpenAI and Anthropic providers share: key handling, one SDK call path, pricing, errors.

Calls go through the SDK's own request path (`client.post`: base URL, auth and version headers,
idempotency key, status errors raised as `APIStatusError` subclasses) with an already plain JSON body,
and the 2xx body is decoded by the subclass. That skips the SDKs' per-call TypedDict transform and
pydantic response models, which cost more CPU than the HTTP exchange itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from workbench.providers import pricing
from workbench.providers.base import Completion, CompletionRequest, Provider, ProviderError
from workbench.providers.errors import ErrorContext, MissingAPIKeyError, map_sdk_error
from workbench.providers.http import DEFAULT_MAX_CONNECTIONS, build_http_client, response_json
from workbench.providers.rate_headers import read_rate_limits

if TYPE_CHECKING:  # httpx2 comes with the SDK, imported when a client is built
    import httpx2

    from workbench.experiment.spec import ModelSpec


DEFAULT_TIMEOUT = 60.0  # seconds


def field_of(obj: Any, key: str) -> Any:
    """`obj[key]` for a decoded JSON object, None for anything else (broken bodies stay survivable)."""
    return obj.get(key) if isinstance(obj, Mapping) else None


def _seconds(timeout: Any) -> float | None:
    """A client timeout (a number or an httpx Timeout) in seconds, when it is one number."""
    if isinstance(timeout, int | float):
        return float(timeout)
    read = getattr(timeout, "read", None)
    return float(read) if isinstance(read, int | float) else None


def resolve_key(name: str, api_key: str | None, api_key_env: str | None) -> str:
    key = api_key or (os.environ.get(api_key_env) if api_key_env else None)
    if not key:
        raise MissingAPIKeyError(f"{name}: {api_key_env or 'api_key'} is not set")
    return key


class ClientArgs(TypedDict, total=False):
    """The keyword arguments every SDK-backed provider's constructor takes (its own ones come on top).

    name: the provider name in messages and prices (default: the class's `default_name`); api_key: the
    key itself, else the variable `api_key_env` names (default: the class's `default_key_env`);
    base_url: None = the SDK's *_BASE_URL variable, then the public endpoint; timeout: seconds for
    connect, pool wait and each read; http_client: an httpx2.AsyncClient to use instead of the
    SDK's aiohttp client; prices: {"input_per_mtok": ..., "output_per_mtok": ...} instead of the price
    table; max_connections: the pool size (the runner passes its concurrency).
    """

    api_key: str | None
    base_url: str | None
    timeout: float
    http_client: httpx2.AsyncClient | None
    name: str
    api_key_env: str | None
    default_headers: Mapping[str, str] | None
    prices: Mapping[str, float] | None
    max_connections: int


class SDKProvider:
    """Base for providers backed by an official SDK client; subclasses set `_client` and the hooks."""

    path = ""  # endpoint path for `client.post`, e.g. "/chat/completions"
    _request_options: ClassVar[Any] = {}
    default_name: ClassVar[str] = ""
    default_key_env: ClassVar[str | None] = None

    _client: Any
    _raw_response: type[httpx2.Response]  # `cast_to` for client.post: the SDK's raw response
    base_url: str

    def _setup(self, args: ClientArgs, aiohttp_client: type[httpx2.AsyncClient]) -> dict[str, Any]:
        """Resolve the key and record the shared state; return the SDK client's constructor arguments.

        `aiohttp_client` is the SDK's own `DefaultAioHttpClient` (an httpx2.AsyncClient on aiohttp), see
        providers/http.py."""
        import httpx2

        name = args.get("name", self.default_name)
        key_env = args.get("api_key_env", self.default_key_env)
        key = resolve_key(name, args.get("api_key"), key_env)
        prices, http_client = args.get("prices"), args.get("http_client")
        timeout = args.get("timeout", DEFAULT_TIMEOUT)
        self._raw_response = httpx2.Response
        self.name = name
        self._key_env = key_env
        self._secrets: tuple[str, ...] = (key,)
        self._prices = dict(prices) if prices else None
        self._owns_http_client = http_client is None
        headers = args.get("default_headers")
        # An explicit api_key also stops the SDKs from consulting profiles / workload-identity files;
        # base_url None -> the SDK reads its *_BASE_URL variable, then the public endpoint.
        return {
            "api_key": key,
            "base_url": args.get("base_url"),
            "timeout": timeout,
            "max_retries": 0,  # retries are the runner's, so they honour Retry-After and show in progress
            "http_client": http_client or build_http_client(
                aiohttp_client, timeout, args.get("max_connections", DEFAULT_MAX_CONNECTIONS)
            ),
            "default_headers": dict(headers) if headers else None,
        }

    @classmethod
    def from_spec(cls, model: ModelSpec, key_env: str | None, **client_options: Any) -> Provider:
        """The registry's factory (`ProviderInfo.factory`): a client for `model`'s connection."""
        make: Any = cls  # the subclasses' constructors all take these keywords
        client: Provider = make(base_url=model.base_url, api_key_env=key_env, prices=model.prices, **client_options)
        return client

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def client(self) -> Any:
        """The SDK client, for endpoints beyond single calls (the Batch APIs of `--batch`)."""
        return self._client

    def _body(self, request: CompletionRequest) -> dict[str, Any]:
        raise NotImplementedError

    def _completion(self, data: Any, model: str, latency: float, *, batch: bool = False) -> Completion:
        raise NotImplementedError

    def _priced(self, text: str, input_tokens: int, output_tokens: int, *, latency: float, model: str,
                reported: str | None, finish_reason: str | None, batch: bool) -> Completion:
        """A decoded answer as a Completion with its cost (`reported`: the model name the API answered with)."""
        return Completion(
            text=text,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_s=latency,
            cost_usd=self._cost(model, reported, input_tokens, output_tokens, batch=batch),
            model=reported or model,
            finish_reason=finish_reason,
        )

    def _cost(
        self, model: str, reported: str | None, input_tokens: int, output_tokens: int, *, batch: bool = False
    ) -> float | None:
        if self._prices:
            return pricing.price_from_rates(self._prices, input_tokens, output_tokens, batch=batch)
        for candidate in (reported, model):  # the dated name the API reports is the most precise
            if candidate:
                cost = pricing.price(self.name, candidate, input_tokens, output_tokens, batch=batch)
                if cost is not None:
                    return cost
        return None

    def map_error(self, exc: BaseException, model: str, timeout: float | None = None) -> ProviderError | None:
        """`exc` as a redacted ProviderError (None when it is not a provider failure)."""
        timeout = timeout or _seconds(getattr(self._client, "timeout", None))
        context = ErrorContext(self.name, self.base_url, model, self._key_env, self._secrets, timeout)
        return map_sdk_error(exc, context)

    def batch_body(self, request: CompletionRequest) -> dict[str, Any]:
        """The JSON body `complete()` sends for `request` (a Batch API request's body/params)."""
        return self._body(request)

    async def complete(self, request: CompletionRequest) -> Completion:
        body = self._body(request)
        start = time.perf_counter()
        data: Any = None
        error: ProviderError | None = None
        options = self._request_options
        if request.timeout is not None:
            options = {**options, "timeout": request.timeout}
        try:
            # cast_to=httpx Response: the SDK's raw response, whose `.headers` carry the rate-limit state.
            response = await self._client.post(self.path, body=body, cast_to=self._raw_response, options=options)
            data = response_json(response)
        except Exception as exc:
            error = self.map_error(exc, request.model, request.timeout)
            if error is None:
                raise
        if error is not None:
            # Raised outside the except block so the SDK exception (whose text can quote the key) is
            # not even attached as __context__; the mapped message is redacted and self-contained.
            raise error
        completion = self._completion(data, request.model, time.perf_counter() - start)
        completion.rate_limits = read_rate_limits(response.headers)
        return completion

    async def aclose(self) -> None:
        # Closes the pooled connections; a caller-supplied http_client is the caller's to close.
        if self._owns_http_client:
            await self._client.close()
