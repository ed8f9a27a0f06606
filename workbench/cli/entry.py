"""The `workbench` process itself (console script and `python -m workbench`): the CLI, then a quick exit.

When a command has finished, everything it produced is written: results are committed as they
arrive, terminal output is flushed below. What is left is the interpreter's teardown, which frees
every module and object one by one: ~0.5 s after a run that loaded pandas and SciPy on an idle
2-core machine, between the summary and the shell prompt (bench/bench_run_overhead.py, "shutdown").
So the process ends with os._exit once what the interpreter would still do has been done: other
non-daemon threads joined, the atexit handlers run (multiprocessing's, temporary files', the store's
closing of its databases), the standard streams flushed. `WORKBENCH_FAST_EXIT=0` exits the ordinary way.

`workbench.cli.main` stays the plain entry (it raises SystemExit) for code and tests that call it.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

from workbench.switches import switched_on

ENV = "WORKBENCH_FAST_EXIT"
_owns_process = False


def owns_process() -> bool:
    """True when this process is the `workbench` command itself (console script, `python -m workbench`),
    not a program calling the CLI (tests, notebooks): process-wide settings are then the command's to make."""
    return _owns_process


def exit_code(exc: SystemExit) -> int:
    """What the interpreter would exit with for this SystemExit (a message goes to stderr, code 1)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> NoReturn:
    global _owns_process
    _owns_process = True
    from workbench.cli import main as cli_main

    try:
        cli_main()
        code = 0
    except SystemExit as exc:
        code = exit_code(exc)
    if not switched_on(ENV):
        raise SystemExit(code)
    for thread in threading.enumerate():  # the interpreter's order: non-daemon threads finish first
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # logging registers its own shutdown here
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`workbench list | head`): nothing more to say
            code = code or 1
    os._exit(code)
