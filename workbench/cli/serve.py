"""Start the Streamlit server for `workbench ui`: check the port first, and stop the server with us.

`subprocess.call` left Streamlit listening when `workbench ui` itself was stopped with SIGTERM (systemd,
docker stop, kill): Python's default SIGTERM handling ends the parent at once and orphans the child.
"""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
from collections.abc import Mapping, Sequence
from types import FrameType

STOP_TIMEOUT_S = 10.0


def port_problem(port: int, host: str = "") -> str | None:
    """Why Streamlit could not listen on `port` (out of range, in use, not allowed), or None."""
    if not 1 <= port <= 65535:
        return f"port {port} is not a TCP port; use a number from 1 to 65535 (default 8501)"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit's server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} is already in use (another `workbench ui`?); choose one with --port"
            if exc.errno == errno.EACCES:
                return f"port {port} needs administrator rights; use a port above 1023"
            return f"cannot listen on port {port}: {exc.strerror}"
    return None


def run_child(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run `command` until it exits; SIGTERM/SIGHUP to us are passed on to it, and we wait for it to stop."""
    child = subprocess.Popen(list(command), env=dict(env))

    def forward(signum: int, _frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    interrupts = 0
    try:
        while True:
            try:
                code = child.wait()
                return 128 - code if code < 0 else code  # killed by a signal: the shell's 128 + N
            except KeyboardInterrupt:  # Ctrl-C reaches the child too (same process group): let it finish
                interrupts += 1
                if interrupts > 1:
                    child.terminate()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
