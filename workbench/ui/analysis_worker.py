"""Worker for big runs: `python -m workbench.ui.analysis_worker URL RUN_ID OUT.pkl`.

Computes the UI's run analysis in its own process and writes it atomically as a pickle; older
results of the same run are removed. Errors go to stderr as one line (exit 2) for the page to show.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    url, run_id, out = argv[0], int(argv[1]), Path(argv[2])
    if hasattr(os, "nice"):
        os.nice(10)  # page renders (the Streamlit server) come first; this result can wait a moment
    from workbench.store.db import Store
    from workbench.ui.run_stats import analyse_for_pages

    try:
        store = Store(url)
        result = analyse_for_pages(store, run_id)
        store.dispose()
    except Exception as exc:  # one line for the page; the worker has no other audience
        print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 2
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, out)
    for old in out.parent.glob(f"analysis-run{run_id}-*.pkl"):
        if old != out:
            old.unlink(missing_ok=True)
    out.with_suffix(".err").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
