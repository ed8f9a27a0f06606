"""The fake LLM server itself: fault injection, stats, batch APIs (driven by the real SDKs), subprocess."""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import anthropic
import httpx2
import openai
import pytest

from tests.support.fake_llm_server import FakeLLMServer, FakeLLMServerProcess

KEY = "sk-test-fake"


def chat(srv: FakeLLMServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key=KEY, base_url=srv.openai_base_url, max_retries=0, timeout=5.0)


def claude(srv: FakeLLMServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=KEY, base_url=srv.anthropic_base_url, max_retries=0, timeout=5.0)


async def test_header_fault_applies_to_one_request(fake_llm_server: FakeLLMServer) -> None:
    client = chat(fake_llm_server)
    msgs = [{"role": "user", "content": "hi"}]
    with pytest.raises(openai.RateLimitError) as info:
        await client.chat.completions.create(model="m", messages=msgs, extra_headers={"x-fake-fault": "429"})  # type: ignore[arg-type]
    assert info.value.response.headers["retry-after"] == "1"
    ok = await client.chat.completions.create(model="m", messages=msgs)  # type: ignore[arg-type]
    assert ok.choices[0].message.content
    assert fake_llm_server.stats.statuses == {429: 1, 200: 1}
    await client.close()


async def test_fault_rates_are_seeded_and_roughly_right(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(fault_rates={"500": 0.3}, seed=42)
    async with httpx2.AsyncClient(base_url=fake_llm_server.base_url) as http:
        body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
        codes = [(await http.post("/v1/chat/completions", json=body)).status_code for _ in range(300)]
    share = codes.count(500) / len(codes)
    assert 0.2 < share < 0.4
    assert fake_llm_server.stats.faults["500"] == codes.count(500)


async def test_latency_distributions(fake_llm_server: FakeLLMServer) -> None:
    """Each completion's latency is drawn from the configured distribution — checked on the draws the
    server records (`delay_s`), so a busy machine cannot change the outcome — and the server really waits
    that long: the measured time is never shorter (only a lower bound; load can only add time)."""

    async def draws(n: int) -> list[float]:
        elapsed = []
        async with httpx2.AsyncClient(base_url=fake_llm_server.base_url) as http:
            body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
            for _ in range(n):
                start = time.perf_counter()
                (await http.post("/v1/messages", json=body)).raise_for_status()
                elapsed.append(time.perf_counter() - start)
        chosen = [float(r["delay_s"]) for r in fake_llm_server.stats.recent[-n:]]
        # asyncio may wake a timer up to its clock resolution early: 1 ms of slack, never more
        assert all(e >= d - 0.001 for e, d in zip(elapsed, chosen, strict=True)), (elapsed, chosen)
        return chosen

    fake_llm_server.configure(latency_ms=30)
    assert await draws(3) == [0.03] * 3
    fake_llm_server.configure(latency_ms=20, latency_dist="lognormal", latency_spread=0.5, seed=1)
    lognormal = await draws(40)
    # mean 20 ms by construction (μ = log 20 ms − σ²/2); coefficient of variation √(e^{σ²} − 1) = 0.53
    assert 0.015 < statistics.mean(lognormal) < 0.025
    assert 0.3 < statistics.stdev(lognormal) / statistics.mean(lognormal) < 0.8
    fake_llm_server.configure(latency_ms=20, latency_dist="uniform", latency_spread=0.5)
    uniform = await draws(20)
    assert all(0.01 <= d <= 0.03 for d in uniform) and len(set(uniform)) == len(uniform)


def test_configure_rejects_unknown_options(fake_llm_server: FakeLLMServer) -> None:
    with pytest.raises(TypeError):
        fake_llm_server.configure(latencyms=5)
    with pytest.raises(ValueError):
        fake_llm_server.configure(script=["418"])


async def test_usage_and_max_tokens_truncation(fake_llm_server: FakeLLMServer) -> None:
    client = claude(fake_llm_server)
    msg = await client.messages.create(
        model="claude-haiku-4-5", max_tokens=3, messages=[{"role": "user", "content": "hello"}]
    )
    assert msg.stop_reason == "max_tokens" and msg.usage.output_tokens == 3
    assert msg.usage.input_tokens > 0
    await client.close()


async def test_openai_batch_roundtrip(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(batch_delay_s=0.05, batch_faults={"row-1": "500"})
    client = chat(fake_llm_server)
    lines = [
        {
            "custom_id": f"row-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"q{i}"}]},
        }
        for i in range(3)
    ]
    jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
    uploaded = await client.files.create(file=("batch.jsonl", jsonl), purpose="batch")
    assert uploaded.bytes == len(jsonl) and uploaded.purpose == "batch"
    batch = await client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "in_progress" and batch.request_counts and batch.request_counts.total == 3
    while batch.status == "in_progress":
        await asyncio.sleep(0.02)
        batch = await client.batches.retrieve(batch.id)
    assert batch.status == "completed"
    assert batch.request_counts is not None and batch.request_counts.completed == 2
    assert batch.output_file_id and batch.error_file_id
    output = [json.loads(x) for x in (await client.files.content(batch.output_file_id)).text.splitlines()]
    assert sorted(o["custom_id"] for o in output) == ["row-0", "row-2"]
    first = output[0]["response"]
    assert first["status_code"] == 200 and first["body"]["choices"][0]["message"]["content"]
    errors = [json.loads(x) for x in (await client.files.content(batch.error_file_id)).text.splitlines()]
    assert errors[0]["custom_id"] == "row-1" and errors[0]["response"]["status_code"] == 500
    assert fake_llm_server.stats.requests["GET /v1/batches/{id}"] >= 1
    await client.close()


async def test_anthropic_batch_roundtrip(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(batch_delay_s=0.05, batch_faults={"b": "529"})
    client = claude(fake_llm_server)
    params = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    batch = await client.messages.batches.create(
        requests=[{"custom_id": "a", "params": params}, {"custom_id": "b", "params": params}]  # type: ignore[list-item]
    )
    assert batch.processing_status == "in_progress" and batch.request_counts.processing == 2
    while batch.processing_status != "ended":
        await asyncio.sleep(0.02)
        batch = await client.messages.batches.retrieve(batch.id)
    assert batch.request_counts.succeeded == 1 and batch.request_counts.errored == 1
    assert batch.results_url and batch.results_url.startswith(fake_llm_server.base_url)
    results = {item.custom_id: item.result async for item in await client.messages.batches.results(batch.id)}
    assert results["a"].type == "succeeded" and results["b"].type == "errored"
    assert results["a"].message.content[0].text.startswith("[fake claude-haiku-4-5")  # type: ignore[union-attr]
    await client.close()


async def test_anthropic_batch_cancel(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(batch_delay_s=60)
    client = claude(fake_llm_server)
    params = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    batch = await client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])  # type: ignore[list-item]
    cancelled = await client.messages.batches.cancel(batch.id)
    assert cancelled.processing_status == "ended" and cancelled.request_counts.canceled == 1
    await client.close()


def test_subprocess_server_has_the_same_api() -> None:
    with FakeLLMServerProcess(latency_ms=0) as srv:
        srv.configure(script=["503"])
        with httpx2.Client(base_url=srv.base_url, trust_env=False) as http:
            body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
            assert http.post("/v1/chat/completions", json=body).status_code == 503
            assert http.post("/v1/chat/completions", json=body).status_code == 200
        stats = srv.stats
        assert stats.requests["POST /v1/chat/completions"] == 2
        assert stats.statuses[503] == 1 and stats.faults["503"] == 1
        srv.reset()
        assert srv.stats.total == 1  # only the stats request itself
