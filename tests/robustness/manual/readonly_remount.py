"""Root only, not part of the suite: acknowledged commits vs a filesystem that turns read-only.

    sudo .venv/bin/python tests/robustness/manual/readonly_remount.py [--rows 3000] [--events 3]

For each synchronous mode (NORMAL, FULL) and event: a fresh 64 MB ext4 image on a loop device, mounted
with errors=remount-ro; a child process commits output rows through a workbench Store (groups of 10,
like the runner's writer) and prints the number of acknowledged rows after every commit; once it has
passed --rows, an ext4 error is injected (/sys/fs/ext4/<dev>/trigger_fs_error), the filesystem goes
read-only, and the child's next commit fails. The image is then unmounted, checked (e2fsck -fy) and
mounted again, and the rows found are compared with the rows that were acknowledged.
Lost = acknowledged - found. Result measured on 2026-12-01: see README.md beside this file.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

WRITER = """
import sys
from datetime import UTC, datetime
from sqlalchemy import insert
from workbench.store.db import Store
from workbench.store.models import Case, Experiment, Output, Run, Variant
store = Store(sys.argv[1])
now = datetime.now(UTC)
with store.session() as s:
    s.execute(insert(Experiment), [{"id": 1, "name": "ro", "spec_path": "x", "spec_hash": "h", "spec": {},
                                    "created_at": now}])
    s.execute(insert(Variant), [{"id": 1, "experiment_id": 1, "key": "v", "task": "vacancy_text", "language": "nl",
                                 "user_template": "u", "template_hash": "t"}])
    s.execute(insert(Case), [{"id": 1, "experiment_id": 1, "key": "c", "data": {}}])
    s.execute(insert(Run), [{"id": 1, "experiment_id": 1, "total_calls": 0, "settings": {}, "started_at": now}])
    s.commit()
done = 0
text = "wij zoeken een collega " * 60
while True:
    rows = [{"run_id": 1, "variant_id": 1, "case_id": 1, "model": "m", "repeat": done + i, "swap_name": "",
             "swap_group": "", "status": "ok", "text": text, "request_hash": "k", "created_at": now}
            for i in range(10)]
    try:
        with store.session() as s:
            s.execute(insert(Output), rows)
            s.commit()
    except Exception as exc:
        print("failed", type(exc).__name__, str(exc).splitlines()[0], flush=True)
        break
    done += 10
    print("ack", done, flush=True)
"""


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def one_event(mode: str, rows: int, folder: Path) -> tuple[int, int, str]:
    image, mount = folder / f"{mode}.img", folder / f"{mode}-mnt"
    mount.mkdir(exist_ok=True)
    sh("truncate", "-s", "64M", str(image))
    sh("mkfs.ext4", "-q", "-F", str(image))
    sh("mount", "-o", "loop,errors=remount-ro", str(image), str(mount))
    device = Path(subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(mount)], check=True, capture_output=True,
                                 text=True).stdout.strip()).name
    db = mount / "wb.db"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, WORKBENCH_SQLITE_SYNC=mode))
    acknowledged, outcome = 0, ""
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("ack"):
            acknowledged = int(line.split()[1])
            if acknowledged == rows:
                Path(f"/sys/fs/ext4/{device}/trigger_fs_error").write_text("readonly-test\n")
        else:
            outcome = line.strip()
            break
    child.kill()
    child.wait()
    time.sleep(0.5)
    sh("umount", str(mount))
    subprocess.run(["e2fsck", "-fy", str(image)], capture_output=True)  # exit 1 = errors corrected
    sh("mount", "-o", "loop", str(image), str(mount))
    try:
        conn = sqlite3.connect(db)
        found = conn.execute("SELECT count(*) FROM outputs").fetchone()[0]
        conn.close()
    except sqlite3.Error as exc:
        found, outcome = 0, f"{outcome}; reopen failed: {exc}"
    sh("umount", str(mount))
    image.unlink()
    return acknowledged, found, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--events", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (loop devices, mount, /sys/fs/ext4)")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("normal", "full"):
            for event in range(args.events):
                acknowledged, found, outcome = one_event(mode, args.rows, Path(tmp))
                print(f"synchronous={mode.upper():6} event {event + 1}: acknowledged {acknowledged:5}, found "
                      f"{found:5}, lost {acknowledged - found:4}  ({outcome[:90]})", flush=True)


if __name__ == "__main__":
    main()
