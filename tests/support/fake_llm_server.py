"""A fast fake OpenAI + Anthropic HTTP server for tests and benchmarks (stdlib asyncio only).

Speaks `POST /v1/chat/completions`, `POST /v1/messages`, `GET /v1/models` (when `models` is set), the
OpenAI Files/Batches endpoints and the Anthropic Message Batches endpoints, with injectable faults. Run it:

* in-process, on a background thread: `with FakeLLMServer() as srv: ...` (what the pytest fixture does);
* as a subprocess, for benchmarks that must not share the GIL with the client:
  `python -m tests.support.fake_llm_server --port 8765` from the repo root (prints `READY <base_url>`), or
  `FakeLLMServerProcess()`, which has the same `base_url` / `configure` / `stats` / `reset` API
  through the admin endpoints `POST /_fake/configure`, `POST /_fake/reset`, `GET /_fake/stats`.

Over HTTPS with `FakeLLMServer(ssl_context=...)` / `FakeLLMServerProcess(certfile=..., keyfile=...)`
(`--certfile/--keyfile`): `tests/support/tls.py` makes a throwaway CA and server certificate.

Rate limits (`rate_limits={"requests": 500, "tokens": 90000}`, also "input_tokens"/"output_tokens"), per
model and per `rate_window_s` (60; shorter for a benchmark's scaled time base), are enforced as the
providers do: a token bucket per limit that holds one window's worth and refills continuously; a request
is admitted when every bucket covers it (prompt tokens + `max_tokens` reserved, the unused part given back
when the answer is made) and otherwise answered 429 with the provider's body and `retry-after`. Every
answer carries the provider's rate-limit headers (`x-ratelimit-*` on /v1/chat/completions,
`anthropic-ratelimit-*` on /v1/messages) unless `rate_headers=False`. `stats.admitted` lists
[monotonic time, input tokens, output tokens] per admitted request, to check every window afterwards.

Faults, by priority: the `x-fake-fault` request header (any route), then `script` (one entry per
completion request), then `fault_rates` (probabilities per completion request). Fault kinds: an HTTP
status ("429", "500", "503", "529", "401", ...), "hang" (never answer), "truncate" (Content-Length larger
than the body, then close), "malformed" (cut-off JSON), "html" (a 200 text/html page), "empty" (`{}`),
"close" (drop the connection without a response) and "ok".

Holds, for tests that must catch a run in the middle without racing it: `hold_after=N` answers the first
N completion requests and keeps every later one waiting (no answer, no timeout) until `hold_after` is
raised or set to None; `hold_batches=True` keeps every batch in progress until it is set back to False.
Each recorded request (`stats.recent`) carries `delay_s`, the latency the server chose for it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import itertools
import json
import math
import random
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx2
import pytest

STATUS_FAULTS = frozenset(
    {"400", "401", "403", "404", "408", "409", "422", "429", "500", "502", "503", "504", "529"}
)
OTHER_FAULTS = frozenset({"ok", "hang", "truncate", "malformed", "html", "empty", "close"})
FAULT_KINDS = STATUS_FAULTS | OTHER_FAULTS
LATENCY_DISTS = ("fixed", "uniform", "lognormal")
_COMPLETION_ROUTES = frozenset({"POST /v1/chat/completions", "POST /v1/messages"})
_RETRY_AFTER_STATUSES = frozenset({429, 503, 529})
_MAX_HEADER = 64 * 1024
_REPO_ROOT = Path(__file__).resolve().parents[2]
_PROSE = (
    "candidate experience team role skills growth impact hybrid salary benefits culture mission "
    "onboarding feedback interview vacancy responsibilities requirements inclusive flexible"
)
_WORDS = _PROSE.split()


@dataclass
class FaultConfig:
    """Everything `configure(...)` can set. Defaults: instant, always-successful answers."""

    latency_ms: float = 0.0  # mean added latency per completion request
    latency_dist: str = "fixed"  # fixed | uniform (mean ± spread·mean) | lognormal (sigma = spread)
    latency_spread: float = 0.5
    fault_rates: dict[str, float] = field(default_factory=dict)  # e.g. {"429": 0.05, "hang": 0.001}
    script: list[str] = field(default_factory=list)  # consumed one per completion request
    retry_after: str | None = "1"  # Retry-After on 429/503/529: seconds or an HTTP-date; None = omit
    retry_after_ms: str | None = None  # the non-standard retry-after-ms header; None = omit
    hang_s: float = 600.0  # how long a "hang" holds the connection before closing it
    output_words: int = 24  # length of generated answers (capped by the request's max_tokens)
    models: list[str] | None = None  # known models (others get 404); None = accept any, and no GET /v1/models
    # Like llama.cpp's server: answer chat requests for any model name, while GET /v1/models lists `models`.
    serve_any_model: bool = False
    list_models: bool = True  # False: GET /v1/models answers 404 (a server or proxy without the list)
    require_key: str | None = None  # if set, other keys get a 401 that echoes the key sent
    batch_delay_s: float = 0.2  # batches complete this long after creation
    hold_batches: bool = False  # True: every batch stays in progress (until set back to False)
    hold_after: int | None = None  # completion requests after the first N wait, unanswered, until raised/None
    batch_error_rate: float = 0.0  # probability that one batch line errors
    batch_faults: dict[str, str] = field(default_factory=dict)  # custom_id -> status, e.g. {"row-3": "500"}
    batch_outcome: str = "completed"  # completed | failed | expired (whole-batch outcome)
    record_requests: int = 200  # how many recent requests `stats.recent` keeps
    seed: int = 0
    # Per-model limits per window, by dimension: "requests", "tokens", "input_tokens", "output_tokens".
    rate_limits: dict[str, float] = field(default_factory=dict)
    rate_window_s: float = 60.0  # the limits' window (a "minute"); shorter for a scaled time base
    rate_headers: bool = True  # send the providers' rate-limit headers with every answer


@dataclass
class Stats:
    """Counters kept by the server. `server.stats` returns a consistent copy."""

    total: int = 0
    requests: Counter[str] = field(default_factory=Counter)  # "POST /v1/chat/completions" -> count
    statuses: Counter[int] = field(default_factory=Counter)  # 200 -> count ("hang"/"close" count as 0)
    faults: Counter[str] = field(default_factory=Counter)  # injected fault kind -> count
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0  # TCP connections accepted (keep-alive reuse keeps this low)
    first_request_at: float | None = None  # time.time() of the first API request (not /_fake/)
    last_response_at: float | None = None  # time.time() when the latest API response was written
    recent: list[dict[str, Any]] = field(default_factory=list)  # {method, path, headers, json}
    admitted: list[list[float]] = field(default_factory=list)  # [time, input, output] under rate limits

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "connections": self.connections,
            "requests": dict(self.requests),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "faults": dict(self.faults),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "first_request_at": self.first_request_at,
            "last_response_at": self.last_response_at,
            "recent": self.recent,
            "admitted": self.admitted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        return cls(
            total=data["total"],
            requests=Counter(data["requests"]),
            statuses=Counter({int(k): v for k, v in data["statuses"].items()}),
            faults=Counter(data["faults"]),
            in_flight=data["in_flight"],
            max_in_flight=data["max_in_flight"],
            connections=data["connections"],
            first_request_at=data.get("first_request_at"),
            last_response_at=data.get("last_response_at"),
            recent=list(data["recent"]),
            admitted=[list(entry) for entry in data.get("admitted", [])],
        )

    @property
    def last_json(self) -> Any:
        """JSON body of the most recent request (handy to assert what an SDK really sent)."""
        return self.recent[-1]["json"] if self.recent else None


@dataclass
class _Request:
    method: str
    path: str
    route: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    charge: dict[str, float] | None = None  # what rate-limit admission charged (settled with the answer)
    admitted_at: float = 0.0  # when it was admitted (monotonic)
    record: dict[str, Any] | None = None  # its entry in `recent`, if recorded


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # None | "truncate" | "close" | "hang"


def _validate(changes: dict[str, Any]) -> None:
    names = {f.name for f in dataclasses.fields(FaultConfig)}
    unknown = set(changes) - names
    if unknown:
        raise TypeError(f"unknown fake server option(s): {', '.join(sorted(unknown))}")
    for kind in [*changes.get("fault_rates", {}), *changes.get("script", [])]:
        if str(kind) not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(sorted(FAULT_KINDS))}")
    if changes.get("latency_dist", "fixed") not in LATENCY_DISTS:
        raise ValueError(f"latency_dist must be one of {LATENCY_DISTS}")


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _estimate_tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def _go_duration(seconds: float) -> str:
    """A duration as OpenAI's `x-ratelimit-reset-*` headers print it (Go's format): "12ms", "1.5s", "6m0s"."""
    if seconds < 1:
        return f"{max(0, round(seconds * 1000))}ms"
    minutes, rest = divmod(seconds, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    return f"{int(minutes)}m{text}" if minutes else text


def _chat_prompt(body: dict[str, Any]) -> tuple[str, int]:
    """A chat request's prompt text and its prompt tokens as the fake counts them."""
    messages = body["messages"]
    prompt = "\n".join(f"{m['role']}: {_content_text(m.get('content'))}" for m in messages)
    return prompt, _estimate_tokens(prompt) + 3 * len(messages)


def _message_prompt(body: dict[str, Any]) -> tuple[str, int]:
    """A Messages request's prompt text (system first) and its input tokens as the fake counts them."""
    system = body.get("system") or ""
    if not isinstance(system, str):
        system = " ".join(_content_text(b) for b in system)
    prompt = "\n".join(
        [f"system: {system}"] * bool(system)
        + [f"{m['role']}: {_content_text(m.get('content'))}" for m in body["messages"]]
    )
    return prompt, _estimate_tokens(prompt)


class _App:
    """Routing, fault injection and response generation; lives on the server's event loop."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self.base_url = ""
        self.stats = Stats()
        self.lock = threading.Lock()  # guards stats/config against readers on other threads
        self.rng = random.Random(config.seed)
        self.script: deque[str] = deque(config.script)
        self.recent: deque[dict[str, Any]] = deque(maxlen=config.record_requests)
        self.ids = itertools.count(1)
        self.files: dict[str, dict[str, Any]] = {}
        self.openai_batches: dict[str, dict[str, Any]] = {}
        self.anthropic_batches: dict[str, dict[str, Any]] = {}
        self.buckets: dict[str, dict[str, list[float]]] = {}  # model -> dimension -> [level, updated]
        self.completions = 0  # completion requests seen (for `hold_after`)

    # ---- configuration / stats (called from any thread) -------------------------------------
    def configure(self, changes: dict[str, Any]) -> None:
        _validate(changes)
        with self.lock:
            for key, value in changes.items():
                setattr(self.config, key, value)
            if "script" in changes:
                self.script = deque(str(k) for k in changes["script"])
            if "seed" in changes:
                self.rng = random.Random(changes["seed"])
            if "record_requests" in changes:
                self.recent = deque(self.recent, maxlen=changes["record_requests"])

    def reset(self) -> None:
        with self.lock:
            self.config = FaultConfig()
            self.rng = random.Random(0)
            self.script = deque()
            self.stats = Stats()
            self.recent = deque(maxlen=self.config.record_requests)
            self.files.clear()
            self.openai_batches.clear()
            self.anthropic_batches.clear()
            self.buckets.clear()
            self.completions = 0

    def snapshot(self) -> Stats:
        with self.lock:
            s = self.stats
            return Stats(
                total=s.total,
                requests=Counter(s.requests),
                statuses=Counter(s.statuses),
                faults=Counter(s.faults),
                in_flight=s.in_flight,
                max_in_flight=s.max_in_flight,
                connections=s.connections,
                first_request_at=s.first_request_at,
                last_response_at=s.last_response_at,
                recent=list(self.recent),
                admitted=[list(entry) for entry in s.admitted],
            )

    # ---- helpers ------------------------------------------------------------------------------
    def _next_id(self, prefix: str) -> str:
        n = next(self.ids)
        return f"{prefix}{n:06d}{hashlib.blake2b(str(n).encode(), digest_size=6).hexdigest()}"

    def _latency(self, req: _Request) -> float:
        override = req.headers.get("x-fake-latency-ms")
        if override is not None:
            return float(override) / 1000.0
        cfg = self.config
        mean = cfg.latency_ms / 1000.0
        if mean <= 0:
            return 0.0
        if cfg.latency_dist == "uniform":
            return max(
                0.0, self.rng.uniform(mean * (1 - cfg.latency_spread), mean * (1 + cfg.latency_spread))
            )
        if cfg.latency_dist == "lognormal":
            sigma = cfg.latency_spread
            return self.rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)
        return mean

    def _pick_fault(self, req: _Request) -> str:
        header = req.headers.get("x-fake-fault")
        if header:
            return header.strip()
        if req.route not in _COMPLETION_ROUTES:
            return "ok"
        with self.lock:
            if self.script:
                return self.script.popleft()
        for kind, p in self.config.fault_rates.items():
            if p > 0 and self.rng.random() < p:
                return kind
        return "ok"

    def _error(self, req: _Request, status: int, message: str | None = None) -> _Response:
        anthropic_style = req.path.startswith("/v1/messages")
        key = _presented_key(req.headers)
        kinds = {
            400: ("invalid_request_error", "Invalid request (fake server)."),
            401: ("authentication_error", f"Incorrect API key provided: {key}."),
            403: ("permission_error", "Your API key does not have permission to use this resource."),
            404: ("not_found_error", "The requested resource does not exist."),
            408: ("timeout_error", "Request timed out."),
            409: ("conflict_error", "Conflict."),
            422: ("invalid_request_error", "Unprocessable request."),
            429: ("rate_limit_error", "Rate limit reached (fake server)."),
            529: ("overloaded_error", "Overloaded."),
        }
        etype, default = kinds.get(status, ("api_error", "The server had an error processing your request."))
        text = message or default
        if anthropic_style:
            payload: dict[str, Any] = {
                "type": "error",
                "error": {"type": etype, "message": text},
                "request_id": self._next_id("req_"),
            }
        else:
            payload = {"error": {"message": text, "type": etype, "param": None, "code": etype}}
        headers: dict[str, str] = {}
        if status in _RETRY_AFTER_STATUSES:
            retry_after = req.headers.get("x-fake-retry-after", self.config.retry_after)
            if retry_after is not None:
                headers["retry-after"] = retry_after
            if self.config.retry_after_ms is not None:
                headers["retry-after-ms"] = self.config.retry_after_ms
        return _Response(status, _dumps(payload), headers=headers)

    # ---- dispatch -----------------------------------------------------------------------------
    def _held(self, index: int) -> bool:
        limit = self.config.hold_after
        return limit is not None and index >= limit

    async def handle(self, req: _Request) -> _Response:
        if req.route.startswith(("POST /_fake/", "GET /_fake/")):
            return self._admin(req)
        if req.route in _COMPLETION_ROUTES:
            with self.lock:
                index = self.completions
                self.completions += 1
            while self._held(index):  # released by configure(hold_after=...) from the test's thread
                await asyncio.sleep(0.01)
        fault = self._pick_fault(req)
        if fault not in FAULT_KINDS:
            return _Response(400, _dumps({"error": {"message": f"unknown x-fake-fault {fault!r}"}}))
        if fault == "ok" and self.config.rate_limits and req.route in _COMPLETION_ROUTES:
            refused = self._admit(req)
            if refused is not None:
                return refused
        delay = self._latency(req) if req.route in _COMPLETION_ROUTES else 0.0
        if req.record is not None:
            req.record["delay_s"] = delay
        if delay > 0:
            await asyncio.sleep(delay)
        if fault != "ok":
            with self.lock:
                self.stats.faults[fault] += 1
            injected = self._fault(req, fault)
            if injected is not None:
                return injected
        cfg = self.config
        if cfg.require_key is not None and _presented_key(req.headers) != cfg.require_key:
            return self._error(req, 401)
        handler = _ROUTES.get(req.route)
        if handler is None:
            return self._error(req, 404, f"No route for {req.method} {req.path} (fake server).")
        try:
            return handler(self, req)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self._error(req, 400, f"Invalid request: {exc!r} (fake server).")

    def _fault(self, req: _Request, fault: str) -> _Response | None:
        if fault in STATUS_FAULTS:
            return self._error(req, int(fault))
        if fault == "hang":
            return _Response(0, action="hang")
        if fault == "close":
            return _Response(0, action="close")
        if fault == "html":
            return _Response(200, b"<html><body>502 Bad Gateway</body></html>", content_type="text/html")
        if fault == "empty":
            return _Response(200, b"{}")
        handler = _ROUTES.get(req.route)
        if handler is None or fault not in ("truncate", "malformed"):
            return None
        good = handler(self, req)
        cut = good.body[: max(1, len(good.body) // 2)]
        if fault == "malformed":
            return _Response(200, cut)  # correct Content-Length, broken JSON
        return _Response(200, good.body, action="truncate")  # sends half, announces all, then closes

    def _admin(self, req: _Request) -> _Response:
        if req.route == "POST /_fake/configure":
            try:
                self.configure(req.json or {})
            except (TypeError, ValueError) as exc:
                return _Response(400, _dumps({"error": str(exc)}))
            return _Response(200, b"{}")
        if req.route == "POST /_fake/reset":
            self.reset()
            return _Response(200, b"{}")
        if req.route == "GET /_fake/stats":
            return _Response(200, _dumps(self.snapshot().to_json()))
        return _Response(404, b'{"error":"unknown admin route"}')

    # ---- rate limits --------------------------------------------------------------------------
    def _bucket_levels(self, model: str, now: float) -> dict[str, list[float]]:
        """The model's buckets, refilled up to `now` (each holds one window's worth, full at first)."""
        window = self.config.rate_window_s
        buckets = self.buckets.setdefault(model, {})
        for dim, limit in self.config.rate_limits.items():
            bucket = buckets.setdefault(dim, [float(limit), now])
            bucket[0] = min(float(limit), bucket[0] + (now - bucket[1]) * limit / window)
            bucket[1] = now
        return buckets

    def _request_cost(self, req: _Request) -> tuple[str, int, int]:
        """(model, prompt tokens, output tokens reserved) as the server counts them on arrival."""
        body = req.json
        if req.route == "POST /v1/messages":
            return body["model"], _message_prompt(body)[1], int(body.get("max_tokens") or 0)
        reserved = body.get("max_completion_tokens", body.get("max_tokens"))
        return body["model"], _chat_prompt(body)[1], int(reserved or 0)

    def _admit(self, req: _Request) -> _Response | None:
        """Charge the request to its model's buckets, or refuse it with the provider's 429."""
        if not isinstance(req.json, dict) or "model" not in req.json:
            return None
        model, prompt, reserved = self._request_cost(req)
        need = {"requests": 1.0, "tokens": float(prompt + reserved),
                "input_tokens": float(prompt), "output_tokens": float(reserved)}
        now = time.monotonic()
        with self.lock:
            buckets = self._bucket_levels(model, now)
            short = [dim for dim, bucket in buckets.items() if bucket[0] < need[dim]]
            if not short:
                for dim, bucket in buckets.items():
                    bucket[0] -= need[dim]
                req.charge, req.admitted_at = need, now
                return None
            dim = short[0]
            limit = self.config.rate_limits[dim]
            wait = (need[dim] - buckets[dim][0]) / (limit / self.config.rate_window_s)
            used = limit - buckets[dim][0]
        return self._rate_limited(req, model, dim, limit, used, need[dim], wait)

    def _settle(self, req: _Request, model: str, input_tokens: int, output_tokens: int) -> dict[str, str]:
        """The answer is made: give back the unused reservation, log the usage; the rate-limit headers."""
        charge = req.charge
        if charge is None:
            return {}
        now = time.monotonic()
        unused = charge["output_tokens"] - output_tokens
        with self.lock:
            buckets = self._bucket_levels(model, now)
            for dim in ("tokens", "output_tokens"):
                if dim in buckets:
                    buckets[dim][0] = min(self.config.rate_limits[dim], buckets[dim][0] + unused)
            self.stats.admitted.append([req.admitted_at, float(input_tokens), float(output_tokens)])
            return self._limit_headers(req, buckets, now)

    def _limit_headers(self, req: _Request, buckets: dict[str, list[float]], now: float) -> dict[str, str]:
        """x-ratelimit-* (OpenAI: reset as a duration) or anthropic-ratelimit-* (reset as RFC 3339 time)."""
        if not self.config.rate_headers:
            return {}
        window = self.config.rate_window_s
        headers: dict[str, str] = {}
        anthropic_style = req.path.startswith("/v1/messages")
        for dim, (level, _) in buckets.items():
            limit = self.config.rate_limits[dim]
            refill = (limit - max(0.0, level)) / (limit / window) if level < limit else 0.0
            remaining = str(max(0, math.floor(level)))
            if anthropic_style:
                name = f"anthropic-ratelimit-{dim.replace('_', '-')}"
                headers[f"{name}-limit"] = str(int(limit))
                headers[f"{name}-remaining"] = remaining
                headers[f"{name}-reset"] = _iso(time.time() + refill)
            elif dim in ("requests", "tokens"):
                headers[f"x-ratelimit-limit-{dim}"] = str(int(limit))
                headers[f"x-ratelimit-remaining-{dim}"] = remaining
                headers[f"x-ratelimit-reset-{dim}"] = _go_duration(refill)
        return headers

    def _rate_limited(
        self, req: _Request, model: str, dim: str, limit: float, used: float, requested: float, wait: float
    ) -> _Response:
        """The provider's 429 for a rate limit, with its body, `retry-after` and rate-limit headers."""
        window = self.config.rate_window_s
        if req.path.startswith("/v1/messages"):
            unit = {"requests": "requests", "tokens": "tokens", "input_tokens": "input tokens",
                    "output_tokens": "output tokens"}[dim]
            message = (
                f"This request would exceed the rate limit for your organization (fake-org) of "
                f"{int(limit):,} {unit} per minute. For details, refer to: "
                "https://docs.claude.com/en/api/rate-limits. You can see the response headers for current "
                "usage. Please reduce the prompt length or the maximum tokens requested, or try again later."
            )
            payload: dict[str, Any] = {
                "type": "error",
                "error": {"type": "rate_limit_error", "message": message},
                "request_id": self._next_id("req_"),
            }
        else:
            unit = "requests per min (RPM)" if dim == "requests" else "tokens per min (TPM)"
            message = (
                f"Rate limit reached for {model} in organization org-fake on {unit}: Limit {int(limit)}, "
                f"Used {round(used)}, Requested {round(requested)}. Please try again in {_go_duration(wait)}. "
                "Visit https://platform.openai.com/account/rate-limits to learn more."
            )
            kind = "requests" if dim == "requests" else "tokens"
            payload = {"error": {"message": message, "type": kind, "param": None, "code": "rate_limit_exceeded"}}
        # Whole seconds, as the providers send them; fractions under a scaled time base (a shorter window).
        retry = str(max(1, math.ceil(wait))) if window >= 60 else f"{max(0.001, wait):.3f}"
        with self.lock:
            headers = self._limit_headers(req, self._bucket_levels(model, time.monotonic()), time.monotonic())
        headers["retry-after"] = retry
        return _Response(429, _dumps(payload), headers=headers)

    # ---- completions --------------------------------------------------------------------------
    def _generate(self, model: str, prompt: str, last: str, max_tokens: int | None) -> tuple[str, int, bool]:
        """Deterministic answer: model name, a hash of the whole prompt, then the last message echoed."""
        digest = hashlib.blake2b(f"{model}\x00{prompt}".encode(), digest_size=4).hexdigest()
        words = last.split()[:12] or ["hello"]
        n = max(1, self.config.output_words)
        body = [words[i] if i < len(words) else _WORDS[(i + len(prompt)) % len(_WORDS)] for i in range(n)]
        text = f"[fake {model} #{digest}] " + " ".join(body)
        truncated = False
        if max_tokens is not None and _estimate_tokens(text) > max_tokens:
            text, truncated = text[: max(1, max_tokens * 4)], True
        return text, _estimate_tokens(text), truncated

    def _check_model(self, req: _Request, model: str) -> _Response | None:
        known = self.config.models
        if known is not None and model not in known and not self.config.serve_any_model:
            return self._error(
                req, 404, f"The model `{model}` does not exist or you do not have access to it."
            )
        return None

    def chat_body(self, body: dict[str, Any]) -> dict[str, Any]:
        model = body["model"]
        messages = body["messages"]
        prompt, in_tokens = _chat_prompt(body)
        max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
        last = _content_text(messages[-1].get("content")) if messages else ""
        text, out_tokens, truncated = self._generate(model, prompt, last, max_tokens)
        return {
            "id": self._next_id("chatcmpl-fake"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "length" if truncated else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": in_tokens,
                "completion_tokens": out_tokens,
                "total_tokens": in_tokens + out_tokens,
            },
            "system_fingerprint": "fp_fake",
        }

    def message_body(self, body: dict[str, Any]) -> dict[str, Any]:
        model = body["model"]
        messages = body["messages"]
        prompt, in_tokens = _message_prompt(body)
        last = _content_text(messages[-1].get("content")) if messages else ""
        text, out_tokens, truncated = self._generate(model, prompt, last, int(body["max_tokens"]))
        return {
            "id": self._next_id("msg_fake"),
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "max_tokens" if truncated else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": in_tokens, "output_tokens": out_tokens},
        }

    def _answer(self, req: _Request, make: Any, usage_keys: tuple[str, str]) -> _Response:
        """A completion (`make(body)`), settled against the rate limits (`usage_keys`: its usage fields)."""
        missing = self._check_model(req, req.json["model"])
        if missing:
            return missing
        body = make(req.json)
        usage = body["usage"]
        headers = self._settle(req, body["model"], usage[usage_keys[0]], usage[usage_keys[1]])
        return _Response(200, _dumps(body), headers=headers)

    def chat(self, req: _Request) -> _Response:
        return self._answer(req, self.chat_body, ("prompt_tokens", "completion_tokens"))

    def messages(self, req: _Request) -> _Response:
        return self._answer(req, self.message_body, ("input_tokens", "output_tokens"))

    def models_list(self, req: _Request) -> _Response:
        names = self.config.models
        if names is None or not self.config.list_models:
            return self._error(req, 404, "Not found")
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in names]
        return _Response(200, _dumps({"object": "list", "data": data}))

    # ---- OpenAI files + batches ---------------------------------------------------------------
    def file_upload(self, req: _Request) -> _Response:
        fields = _parse_multipart(req.headers.get("content-type", ""), req.body)
        filename, content = fields["file"]
        purpose = fields.get("purpose", (None, b"batch"))[1].decode()
        file_id = self._next_id("file-")
        meta = {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename or "upload.jsonl",
            "purpose": purpose,
            "status": "processed",
        }
        self.files[file_id] = {"meta": meta, "content": content}
        return _Response(200, _dumps(meta))

    def file_get(self, req: _Request) -> _Response:
        stored = self.files.get(_path_arg(req.path, 3))
        return _Response(200, _dumps(stored["meta"])) if stored else self._error(req, 404)

    def file_content(self, req: _Request) -> _Response:
        stored = self.files.get(_path_arg(req.path, 3))
        if not stored:
            return self._error(req, 404)
        return _Response(200, stored["content"], content_type="application/octet-stream")

    def batch_create(self, req: _Request) -> _Response:
        body = req.json
        stored = self.files.get(body["input_file_id"])
        if stored is None:
            return self._error(req, 404, f"No such File object: {body['input_file_id']}")
        lines = [json.loads(line) for line in stored["content"].splitlines() if line.strip()]
        now = time.time()
        batch = {
            "id": self._next_id("batch_"),
            "object": "batch",
            "endpoint": body["endpoint"],
            "errors": None,
            "input_file_id": body["input_file_id"],
            "completion_window": body.get("completion_window", "24h"),
            "status": "in_progress",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": int(now),
            "in_progress_at": int(now),
            "expires_at": int(now) + 86400,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "metadata": body.get("metadata"),
        }
        self.openai_batches[batch["id"]] = {
            "batch": batch,
            "lines": lines,
            "ready_at": now + self.config.batch_delay_s,
        }
        return _Response(200, _dumps(batch))

    def _line_fault(self, custom_id: str) -> str | None:
        fault = self.config.batch_faults.get(custom_id)
        if (
            fault is None
            and self.config.batch_error_rate > 0
            and self.rng.random() < self.config.batch_error_rate
        ):
            fault = "500"
        return fault

    def _finish_openai_batch(self, entry: dict[str, Any]) -> None:
        batch = entry["batch"]
        if batch["status"] != "in_progress" or self.config.hold_batches or time.time() < entry["ready_at"]:
            return
        now = int(time.time())
        outcome = self.config.batch_outcome
        if outcome == "failed":
            batch.update(status="failed", failed_at=now)
            batch["errors"] = {
                "object": "list",
                "data": [{"code": "invalid_file", "message": "fake failure"}],
            }
            return
        if outcome == "expired":
            batch.update(status="expired", expired_at=now)
            return
        ok_lines: list[bytes] = []
        error_lines: list[bytes] = []
        for line in entry["lines"]:
            custom_id = line["custom_id"]
            fault = self._line_fault(custom_id)
            if fault is None:
                response = {
                    "status_code": 200,
                    "request_id": self._next_id("req_"),
                    "body": self.chat_body(line["body"]),
                }
                target = ok_lines
            else:
                status = int(fault) if fault.isdigit() else 500
                err = {
                    "error": {"message": f"fake batch error {status}", "type": "server_error", "code": None}
                }
                response = {"status_code": status, "request_id": self._next_id("req_"), "body": err}
                target = error_lines
            target.append(
                _dumps(
                    {
                        "id": self._next_id("batch_req_"),
                        "custom_id": custom_id,
                        "response": response,
                        "error": None,
                    }
                )
            )
        batch.update(status="completed", finalizing_at=now, completed_at=now)
        batch["request_counts"] = {
            "total": len(entry["lines"]),
            "completed": len(ok_lines),
            "failed": len(error_lines),
        }
        for key, lines, name in (
            ("output_file_id", ok_lines, "output"),
            ("error_file_id", error_lines, "error"),
        ):
            if lines:
                file_id = self._next_id("file-")
                content = b"\n".join(lines) + b"\n"
                meta = {
                    "id": file_id,
                    "object": "file",
                    "bytes": len(content),
                    "created_at": now,
                    "filename": f"batch_{name}.jsonl",
                    "purpose": "batch_output",
                    "status": "processed",
                }
                self.files[file_id] = {"meta": meta, "content": content}
                batch[key] = file_id

    def batch_get(self, req: _Request) -> _Response:
        entry = self.openai_batches.get(_path_arg(req.path, 3))
        if entry is None:
            return self._error(req, 404)
        self._finish_openai_batch(entry)
        return _Response(200, _dumps(entry["batch"]))

    def batch_cancel(self, req: _Request) -> _Response:
        entry = self.openai_batches.get(_path_arg(req.path, 3))
        if entry is None:
            return self._error(req, 404)
        batch = entry["batch"]
        if batch["status"] == "in_progress":
            now = int(time.time())
            batch.update(status="cancelled", cancelling_at=now, cancelled_at=now)
        return _Response(200, _dumps(batch))

    # ---- Anthropic message batches ------------------------------------------------------------
    def mbatch_create(self, req: _Request) -> _Response:
        requests = req.json["requests"]
        now = time.time()
        batch = {
            "id": self._next_id("msgbatch_"),
            "type": "message_batch",
            "processing_status": "in_progress",
            "request_counts": {
                "processing": len(requests),
                "succeeded": 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "ended_at": None,
            "created_at": _iso(now),
            "expires_at": _iso(now + 86400),
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": None,
        }
        self.anthropic_batches[batch["id"]] = {
            "batch": batch,
            "requests": requests,
            "ready_at": now + self.config.batch_delay_s,
            "results": b"",
        }
        return _Response(200, _dumps(batch))

    def _finish_anthropic_batch(self, entry: dict[str, Any], *, cancel: bool = False) -> None:
        batch = entry["batch"]
        if batch["processing_status"] == "ended" or (
            not cancel and (self.config.hold_batches or time.time() < entry["ready_at"])
        ):
            return
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        lines: list[bytes] = []
        for item in entry["requests"]:
            custom_id = item["custom_id"]
            if cancel or self.config.batch_outcome in ("expired", "failed"):
                kind = "canceled" if cancel else "expired"
                result: dict[str, Any] = {"type": kind}
            elif (fault := self._line_fault(custom_id)) is not None:
                kind = "errored"
                status = int(fault) if fault.isdigit() else 500
                etype = "overloaded_error" if status == 529 else "api_error"
                result = {
                    "type": "errored",
                    "error": {
                        "type": "error",
                        "error": {"type": etype, "message": f"fake batch error {status}"},
                    },
                }
            else:
                kind = "succeeded"
                result = {"type": "succeeded", "message": self.message_body(item["params"])}
            counts[kind] += 1
            lines.append(_dumps({"custom_id": custom_id, "result": result}))
        now = time.time()
        batch.update(processing_status="ended", ended_at=_iso(now), request_counts=counts)
        if cancel:
            batch["cancel_initiated_at"] = _iso(now)
        batch["results_url"] = f"{self.base_url}/v1/messages/batches/{batch['id']}/results"
        entry["results"] = b"\n".join(lines) + b"\n"

    def mbatch_get(self, req: _Request) -> _Response:
        entry = self.anthropic_batches.get(_path_arg(req.path, 4))
        if entry is None:
            return self._error(req, 404)
        self._finish_anthropic_batch(entry)
        return _Response(200, _dumps(entry["batch"]))

    def mbatch_results(self, req: _Request) -> _Response:
        entry = self.anthropic_batches.get(_path_arg(req.path, 4))
        if entry is None:
            return self._error(req, 404)
        self._finish_anthropic_batch(entry)
        if entry["batch"]["processing_status"] != "ended":
            return self._error(req, 404, "Batch results are not available yet.")
        return _Response(200, entry["results"], content_type="application/binary")

    def mbatch_cancel(self, req: _Request) -> _Response:
        entry = self.anthropic_batches.get(_path_arg(req.path, 4))
        if entry is None:
            return self._error(req, 404)
        self._finish_anthropic_batch(entry, cancel=True)
        return _Response(200, _dumps(entry["batch"]))


_ROUTES = {
    "POST /v1/chat/completions": _App.chat,
    "POST /v1/messages": _App.messages,
    "GET /v1/models": _App.models_list,
    "POST /v1/files": _App.file_upload,
    "GET /v1/files/{id}": _App.file_get,
    "GET /v1/files/{id}/content": _App.file_content,
    "POST /v1/batches": _App.batch_create,
    "GET /v1/batches/{id}": _App.batch_get,
    "POST /v1/batches/{id}/cancel": _App.batch_cancel,
    "POST /v1/messages/batches": _App.mbatch_create,
    "GET /v1/messages/batches/{id}": _App.mbatch_get,
    "GET /v1/messages/batches/{id}/results": _App.mbatch_results,
    "POST /v1/messages/batches/{id}/cancel": _App.mbatch_cancel,
}


def _route(method: str, path: str) -> str:
    """`GET /v1/batches/batch_1` -> `GET /v1/batches/{id}` (stats group by route, not by id)."""
    parts = path.rstrip("/").split("/")
    if len(parts) >= 4 and parts[1] == "v1":
        if parts[2] in ("files", "batches") and len(parts) >= 4:
            parts[3] = "{id}"
        elif parts[2] == "messages" and len(parts) >= 5 and parts[3] == "batches":
            parts[4] = "{id}"
    return f"{method} {'/'.join(parts)}"


def _path_arg(path: str, index: int) -> str:
    return path.split("/")[index]


def _presented_key(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else headers.get("x-api-key", "")


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(b.get("text", "")) if isinstance(b, dict) else str(b) for b in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return ""


def _parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Minimal multipart/form-data parser: {field: (filename, bytes)}."""
    boundary = None
    for part in content_type.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise ValueError("multipart body without boundary")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        field_name = filename = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                for item in line.split(";")[1:]:
                    key, _, value = item.strip().partition("=")
                    if key == "name":
                        field_name = value.strip('"')
                    elif key == "filename":
                        filename = value.strip('"')
        if field_name:
            fields[field_name] = (filename, data)
    return fields


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    length = headers.get("content-length")
    if length is not None:
        return await reader.readexactly(int(length)) if int(length) else b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # trailer terminator (no trailers expected)
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    return b""


class FakeLLMServer:
    """The fake server on a background thread. Use as a context manager or call start()/stop()."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: ssl.SSLContext | None = None, **config: Any
    ) -> None:
        _validate(config)
        self.host = host
        self.port = port
        self.ssl_context = ssl_context  # a server-side context: speak HTTPS
        self._app = _App(FaultConfig(**config))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._conns: set[asyncio.Task[None]] = set()

    # ---- public API ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """`http(s)://127.0.0.1:PORT` — Anthropic's base_url; OpenAI's is `openai_base_url`."""
        return f"{'https' if self.ssl_context else 'http'}://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.base_url

    @property
    def stats(self) -> Stats:
        return self._app.snapshot()

    @property
    def config(self) -> FaultConfig:
        return self._app.config

    def configure(self, **changes: Any) -> None:
        """Change fault settings (see FaultConfig); `script=[...]` replaces the queued script."""
        self._app.configure(changes)

    def reset(self) -> None:
        """Default config, zeroed stats, no files or batches."""
        self._app.reset()

    def start(self) -> FakeLLMServer:
        ready = threading.Event()
        errors: list[BaseException] = []
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self.start_async())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-llm-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.stop_async(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- running inside an existing event loop ----------------------------------------------
    async def start_async(self) -> None:
        server = await asyncio.start_server(
            self._on_connection, self.host, self.port, backlog=4096, limit=_MAX_HEADER, ssl=self.ssl_context
        )
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        self._app.base_url = self.base_url

    async def stop_async(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._conns):
            task.cancel()
        if self._conns:
            await asyncio.gather(*self._conns, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    # ---- HTTP/1.1 -----------------------------------------------------------------------------
    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        with self._app.lock:
            self._app.stats.connections += 1
        try:
            await self._serve(reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._conns.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        app = self._app
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # client closed the keep-alive connection
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await _read_body(reader, headers)
            path = target.split("?", 1)[0]
            req = _Request(method, path, _route(method, path), headers, body)
            if body and "json" in headers.get("content-type", ""):
                try:
                    req.json = json.loads(body)
                except ValueError:
                    req.json = None
            with app.lock:
                stats = app.stats
                stats.total += 1
                stats.requests[req.route] += 1
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
                if not path.startswith("/_fake/"):
                    if stats.first_request_at is None:
                        stats.first_request_at = time.time()
                    req.record = {"method": method, "path": path, "headers": headers, "json": req.json}
                    app.recent.append(req.record)
            try:
                resp = await app.handle(req)
            except Exception as exc:  # a bug in the fake must surface as a 500, not a dropped connection
                resp = _Response(500, _dumps({"error": {"message": f"fake server bug: {exc!r}"}}))
            finally:
                with app.lock:  # max(): a reset() may have swapped in fresh stats meanwhile
                    app.stats.in_flight = max(0, app.stats.in_flight - 1)
            with app.lock:
                app.stats.statuses[resp.status] += 1
            if resp.action == "hang":
                await asyncio.sleep(app.config.hang_s)
                return
            if resp.action == "close":
                return
            keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            reason = _reason(resp.status)
            head_lines = [
                f"HTTP/1.1 {resp.status} {reason}",
                f"content-type: {resp.content_type}",
                f"content-length: {len(resp.body)}",
                f"x-request-id: req_fake_{app.stats.total}",
                f"connection: {'keep-alive' if keep_alive and resp.action is None else 'close'}",
                *(f"{k}: {v}" for k, v in resp.headers.items()),
            ]
            out = ("\r\n".join(head_lines) + "\r\n\r\n").encode("latin-1")
            if resp.action == "truncate":
                writer.write(out + resp.body[: len(resp.body) // 2])
                await writer.drain()
                return
            writer.write(out + resp.body)
            await writer.drain()
            if not path.startswith("/_fake/"):
                with app.lock:
                    app.stats.last_response_at = time.time()
            if not keep_alive:
                return


def _reason(status: int) -> str:
    if status == 529:
        return "Site Overloaded"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class FakeLLMServerProcess:
    """The fake server in a subprocess (no GIL sharing with the client); same API via admin routes."""

    def __init__(
        self,
        port: int = 0,
        *,
        certfile: str | None = None,
        keyfile: str | None = None,
        cafile: str | None = None,
        **config: Any,
    ) -> None:
        """`certfile`/`keyfile` (PEM): serve HTTPS; the admin client trusts the CA in `cafile`."""
        _validate(config)
        self._port = port
        self._initial = config
        self._tls = (certfile, keyfile) if certfile else None
        self._proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=cafile) if cafile else True
        self._admin = httpx2.Client(timeout=10.0, trust_env=False, verify=verify)

    @property
    def openai_base_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.base_url

    def start(self) -> FakeLLMServerProcess:
        # Run by path, not `-m tests.support...`: textstat's wheel installs a top-level `tests` package
        # that can shadow this repo's tests/ depending on sys.path order; the file path always works.
        cmd = [sys.executable, str(Path(__file__).resolve()), "--port", str(self._port)]
        if self._tls:
            cmd += ["--certfile", str(self._tls[0]), "--keyfile", str(self._tls[1] or self._tls[0])]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=_REPO_ROOT)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"fake LLM server did not start: {line!r}")
        self.base_url = line.split(" ", 1)[1]
        if self._initial:
            self.configure(**self._initial)
        return self

    def configure(self, **changes: Any) -> None:
        _validate(changes)
        self._admin.post(f"{self.base_url}/_fake/configure", json=changes).raise_for_status()

    def reset(self) -> None:
        self._admin.post(f"{self.base_url}/_fake/reset").raise_for_status()

    @property
    def stats(self) -> Stats:
        response = self._admin.get(f"{self.base_url}/_fake/stats")
        response.raise_for_status()
        return Stats.from_json(response.json())

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None
        self._admin.close()

    def __enter__(self) -> FakeLLMServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--latency-dist", choices=LATENCY_DISTS, default="fixed")
    parser.add_argument("--latency-spread", type=float, default=0.5)
    parser.add_argument("--fault-rate", action="append", default=[], metavar="KIND=P", help="e.g. 429=0.05")
    parser.add_argument("--batch-delay-s", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--certfile", help="PEM certificate chain: serve HTTPS")
    parser.add_argument("--keyfile", help="PEM private key (default: in --certfile)")
    args = parser.parse_args(argv)
    rates = {k: float(v) for k, _, v in (item.partition("=") for item in args.fault_rate)}
    context = None
    if args.certfile:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.certfile, args.keyfile)
    server = FakeLLMServer(
        args.host,
        args.port,
        ssl_context=context,
        latency_ms=args.latency_ms,
        latency_dist=args.latency_dist,
        latency_spread=args.latency_spread,
        fault_rates=rates,
        batch_delay_s=args.batch_delay_s,
        seed=args.seed,
    )

    async def serve() -> None:
        await server.start_async()
        print(f"READY {server.base_url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop_async()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


# ---- pytest fixtures (import them into a conftest.py) ---------------------------------------------
@pytest.fixture(scope="session")
def fake_llm_server_session() -> Iterator[FakeLLMServer]:
    """One server thread for the whole session; `fake_llm_server` resets it around every test."""
    with FakeLLMServer() as server:
        yield server


@pytest.fixture
def fake_llm_server(fake_llm_server_session: FakeLLMServer) -> Iterator[FakeLLMServer]:
    """A running fake server with default config and zeroed stats: `.base_url`, `.configure()`, `.stats`."""
    fake_llm_server_session.reset()
    yield fake_llm_server_session
    fake_llm_server_session.reset()


if __name__ == "__main__":
    main()
