"""`pip install prompt-workbench && workbench ui` works from a wheel, not only from a source checkout.

Builds the wheel from a copy of the project's files, installs it (no dependencies, no index) into a
fresh venv that sees this environment's already-installed dependencies through a path file (never its
editable install of workbench), then starts `workbench ui` from an empty folder on a free loopback
port, fetches the page and Streamlit's health endpoint, runs the installed main script once through
Streamlit's AppTest (the app itself, with its pages, renders from the installed package) and stops
the server. Offline: nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import urllib.request
from pathlib import Path

import pytest

from tests.ui.browser import free_port, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command outside the checkout (`python -c` puts its working folder on sys.path)."""
    env = dict(env if env is not None else os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the freshly built wheel installed; returns its bin/ folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build leaves no build/ or *.egg-info in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "workbench", src / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index", "--no-build-isolation",
         "--wheel-dir", tmp / "dist", src, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("prompt_workbench-*.whl")

    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).strip())
    # Our dependencies as a plain path entry: the .pth files in that folder (the editable install of
    # workbench) are not processed, so `workbench` can only come from the wheel.
    (site / "_workbench_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel,
         cwd=tmp)
    where = _run(python, "-c", "import workbench, workbench.ui.entry as e; print(workbench.__file__); print(e.SCRIPT)",
                 cwd=tmp)
    for line in where.splitlines():
        assert Path(line).is_relative_to(site), f"workbench imported from outside the wheel install: {line}"
    return venv / "bin"


def test_workbench_ui_serves_the_page_from_a_wheel(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"  # no streamlit_app.py, no .streamlit/ and no source tree around
    work.mkdir()
    env = dict(os.environ, WORKBENCH_DB_URL=f"sqlite:///{tmp_path / 'ui.db'}",
               WORKBENCH_UI_STATE_DIR=str(tmp_path / "state"), WORKBENCH_PROMPTS_DIR=str(work / "prompts"),
               WORKBENCH_EXPERIMENTS_DIR=str(work / "experiments"), WORKBENCH_UI_LANG="en")
    env.pop("PYTHONPATH", None)
    port = free_port()
    log = open(tmp_path / "streamlit.log", "wb")  # noqa: SIM115 - closed below, after the server
    proc = subprocess.Popen([installed / "workbench", "ui", "--port", str(port)], cwd=work, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert (response.status, response.read()) == (200, b"ok")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            assert b'<div id="root">' in response.read()
    finally:
        stop(proc)
        log.close()
    served = (tmp_path / "streamlit.log").read_text(errors="replace")
    assert f"{url}" in served, served  # the URL `workbench ui` printed: it served on 127.0.0.1 only

    # The page above is Streamlit's static shell; the app script runs per browser session. Run the
    # installed script once as a session would, from the same empty folder.
    render = textwrap.dedent("""
        from streamlit.testing.v1 import AppTest
        from workbench.ui.entry import SCRIPT
        at = AppTest.from_file(str(SCRIPT), default_timeout=60).run()
        assert not at.exception, [e.message for e in at.exception]
        print("sidebar widgets:", len(at.sidebar))
    """)
    out = _run(installed / "python", "-c", render, cwd=work, env=env)
    assert "sidebar widgets:" in out
