"""The provider SDK alone: what any program making these calls through the openai SDK can at best do here.

`python bench/sdk_floor.py BASE_URL CALLS CONCURRENCY PROCESSES` makes CALLS chat completions at
CONCURRENCY through `openai.AsyncOpenAI` with the SDK's aiohttp client (the client the workbench uses),
from PROCESSES processes forked at start-up, before anything is imported, so that each imports the SDK
while the others do (the fastest start this machine allows; 1 = one process, no fork). Nothing else:
no spec, plan, store, scoring, analysis or summary, no retries. It exits the moment the last call is
back (os._exit, as `workbench run` does).

bench/bench_run_overhead.py `--sdk-floor P` runs it alternating with `workbench run` against the same
fake server, so a run's start-up, calls phase and shutdown can be read against this floor
(bench/README.md, "The SDK's own floor").
"""

from __future__ import annotations

import asyncio
import os
import sys

SYSTEM = "You are an experienced recruiter writing vacancy texts."


def make_calls(base_url: str, calls: range, concurrency: int) -> None:
    import openai  # here, after the fork: every process imports it at the same time

    async def main() -> None:
        client = openai.AsyncOpenAI(api_key=os.environ.get("OPENAI_API_KEY", "sk-bench"), base_url=base_url,
                                    max_retries=0, http_client=openai.DefaultAioHttpClient())
        slots = asyncio.Semaphore(concurrency)

        async def one(i: int) -> str | None:
            async with slots:
                response = await client.chat.completions.create(model="gpt-4o-mini", messages=[
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"Write a formal vacancy text for nurse level {i % 7} at Clinic {i}."},
                ])
                return response.choices[0].message.content

        await asyncio.gather(*(one(i) for i in calls))
        await client.close()

    asyncio.run(main())


def run(base_url: str, calls: int, concurrency: int, processes: int) -> int:
    if processes == 1:
        make_calls(base_url, range(calls), concurrency)
        return 0
    children = []
    for index in range(processes):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                make_calls(base_url, range(index, calls, processes), max(1, concurrency // processes))
            except BaseException as exc:  # reported, then the child ends
                print(f"process {index}: {type(exc).__name__}: {exc}", file=sys.stderr)
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        children.append(pid)
    return max(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.splitlines()[2].strip())
    url, n, c, p = sys.argv[1], *map(int, sys.argv[2:])
    status = run(url, n, c, p)
    sys.stdout.flush()
    os._exit(status)
