"""Worker for big runs: `WORKBENCH_DB_URL=URL python -m workbench.ui.verdict_worker RUN_ID OUT.json`.

Computes the UI's run analysis in its own process and writes it atomically as JSON (mode 0600, see
workbench.ui.codec — never a pickle); older results of the same run are removed. The database URL comes
through the environment, so a password never shows in `ps`. Errors go to stderr as one line (exit 2).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESULT_GLOB = "analysis-run{run_id}-*.json"


def main(argv: list[str]) -> int:
    run_id, out = int(argv[0]), Path(argv[1])
    if hasattr(os, "nice"):
        os.nice(10)  # page renders (the Streamlit server) come first; this result can wait a moment
    from workbench.store.db import Store
    from workbench.ui import codec
    from workbench.ui.private_files import write_private
    from workbench.ui.run_stats import analyse_and_store

    try:
        store = Store()  # $WORKBENCH_DB_URL, set by the server for this process only
        result = analyse_and_store(store, run_id, must_store=False)  # in the database for every session too
        store.dispose()
        data = codec.dumps(result)
    except Exception as exc:  # one line for the page; the worker has no other audience
        print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 2
    write_private(out, data)
    for old in out.parent.glob(RESULT_GLOB.format(run_id=run_id)):
        if old != out:
            old.unlink(missing_ok=True)
    out.with_suffix(".err").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
