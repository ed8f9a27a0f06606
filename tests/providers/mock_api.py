"""Test helpers for provider tests: an httpx2 MockTransport API double and a key-leak check."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import httpx2

SECRET_KEY = "sk-proj-SECRET0123456789abcdefSECRET"  # must never show up in an error message


class MockAPI:
    """httpx2.MockTransport that records requests and answers from a queue (default: 200 `{}`).

    The SDKs run their real request building, status handling and parsing on top of it.
    """

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self._replies: deque[httpx2.Response | Exception] = deque()
        self.client = httpx2.AsyncClient(transport=httpx2.MockTransport(self._handle))

    def reply(
        self,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        content = raw if raw is not None else json.dumps({} if body is None else body).encode()
        all_headers = {"content-type": content_type, **(headers or {})}
        self._replies.append(httpx2.Response(status, content=content, headers=all_headers))

    def fail(self, exc: Exception) -> None:
        """Make the next request raise `exc` inside the transport (e.g. httpx2.ConnectError)."""
        self._replies.append(exc)

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self._replies.popleft() if self._replies else httpx2.Response(200, json={})
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def last_json(self) -> Any:
        return json.loads(self.requests[-1].content)


def assert_no_secret(exc: BaseException, secret: str = SECRET_KEY) -> None:
    seen: BaseException | None = exc
    while seen is not None:
        for text in (str(seen), repr(seen)):
            assert secret not in text, f"API key leaked in {type(seen).__name__}: {text}"
        seen = seen.__cause__ or seen.__context__
