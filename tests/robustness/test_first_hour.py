"""The first hour with real keys (#14): failed runs explained, costs that include the judge and never show an
unknown price as $0, prompts you can edit and rerun, and reports that show the answer.

The one-line, exit-2 inputs of the issue are in the bad-input corpus (`test_bad_inputs.py`, FIRST_HOUR);
this file holds the cases that need a run, a server or a second process.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.support.no_network import closed_port
from workbench.cli import app
from workbench.experiment.plan import build_plan

ROOT = Path(__file__).resolve().parents[2]
BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def cli(*args: str, columns: int = 200, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns), **(env or {})})


def one_line_error(result: Result) -> str:
    message = result.stderr.strip()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert message.startswith("error:") and "\n" not in message, message
    assert "Traceback" not in result.output
    return message


def outputs_digest(db: Path, run_id: int) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT * FROM outputs WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        conn.close()


SMALL_SPEC = """name: small
variants: [v1.yaml]
dataset: cases.csv
models: [{models}]
repeats: 1
scorers: [length]
"""
VARIANT = "id: v1\ntask: vacancy_text\nlanguage: en\nuser: |\n  Ad for {{ job_title }}\n"


def small_experiment(folder: Path, models: str = "simulated:default") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "v1.yaml").write_text(VARIANT)
    (folder / "cases.csv").write_text("id,job_title\na,Nurse\nb,Chef\n")
    spec = folder / "spec.yaml"
    spec.write_text(SMALL_SPEC.format(models=models))
    return spec


# --- 1. every call fails ------------------------------------------------------------------------------

def test_every_call_failing_gives_a_summary_one_line_and_the_resume_command(tmp_path: Path) -> None:
    """Ollama not started: the summary, the cause, the resume command; exit 2; earlier results untouched.
    (README: "an unreachable provider ... gives one line ... and exit code 2")"""
    db = tmp_path / "wb.db"
    assert cli("run", str(small_experiment(tmp_path / "ok")), "--db", str(db)).exit_code == 0
    before = outputs_digest(db, 1)
    down = small_experiment(tmp_path / "down", f"{{id: 'openai_compatible:llama3', "
                                               f"base_url: 'http://127.0.0.1:{closed_port()}/v1'}}")
    result = cli("run", str(down), "--db", str(db), "--max-attempts", "1")
    message = one_line_error(result)
    assert "all 2 calls failed" in message and "cannot reach" in message
    assert f"workbench run {down} --resume --db {db}" in message
    assert "Run 2: 0/2 outputs · 2 errors" in result.stdout
    assert outputs_digest(db, 1) == before, "the earlier run must be untouched"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM outputs WHERE run_id = 2 AND status = 'error'").fetchone() == (2,)


# --- 2. costs -----------------------------------------------------------------------------------------

def priced_spec(tmp_path: Path, judge: str = "openai:gpt-4o-mini") -> Path:
    text = (ROOT / "experiments/vacancy_tone_nl.yaml").read_text()
    text = text.replace("  - simulated:default", "  - openai:gpt-4o-mini").replace("model: simulated:judge",
                                                                                   f"model: {judge}")
    text = text.replace("prompts/", f"{ROOT}/prompts/").replace("experiments/data", f"{ROOT}/experiments/data")
    spec = tmp_path / "priced.yaml"
    spec.write_text(text)
    return spec


def test_validate_and_dry_run_count_the_judge_calls() -> None:
    """README: "`--dry-run` ... shows generation and judge calls" — the demo makes 180 + 360 calls."""
    result = cli("validate", str(ROOT / "experiments/vacancy_tone_nl.yaml"))
    assert result.exit_code == 0, result.output
    assert "180 generation calls + 360 judge calls (2 rubrics per output)" in " ".join(result.stdout.split())


def test_dry_run_prices_generation_plus_judge(tmp_path: Path) -> None:
    """README: "the estimate is generation + judge"."""
    result = cli("run", str(priced_spec(tmp_path)), "--dry-run", "--db", str(tmp_path / "never.db"))
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    line = re.search(r"Estimated cost: \$([\d.,]+) generation \+ \$([\d.,]+) judge = \$([\d.,]+)", words)
    assert line, words
    generation, judge, total = (float(x.replace(",", "")) for x in line.groups())
    assert judge > 0 and generation > 0 and total == pytest.approx(generation + judge, abs=2e-4)
    assert "judge" in result.stdout and "360" in result.stdout
    assert not (tmp_path / "never.db").exists()


def test_batch_estimate_halves_generation_but_not_the_judge(tmp_path: Path) -> None:
    plan = build_plan(priced_spec(tmp_path))
    standard = {e.role: e for e in plan.estimate()}
    batched = {e.role: e for e in plan.estimate(batch=True)}
    assert batched["generation"].batch and not batched["judge"].batch
    assert batched["generation"].cost_usd == pytest.approx(standard["generation"].cost_usd * 0.5, rel=1e-6)
    assert batched["judge"].cost_usd == standard["judge"].cost_usd
    assert standard["judge"].calls == 2 * standard["generation"].calls == 360


def test_an_unknown_price_is_unknown_never_zero(tmp_path: Path, fake_llm_server: object) -> None:
    """README: "a model without a price shows "unknown", never $0" — dry run, run summary, list, report."""
    url = fake_llm_server.openai_base_url  # type: ignore[attr-defined]
    spec = small_experiment(tmp_path, f"{{id: 'openai_compatible:llama3', base_url: '{url}'}}")
    dry = cli("run", str(spec), "--dry-run")
    assert dry.exit_code == 0 and "unknown" in dry.stdout and "$0.0000" not in dry.stdout, dry.output
    db = str(tmp_path / "wb.db")
    run = cli("run", str(spec), "--db", db)
    assert run.exit_code == 0, run.output
    assert "Cost unknown" in run.stdout and "$0.0000" not in run.stdout
    listed = cli("list", "--db", db)
    assert "unknown" in listed.stdout and "$0.0000" not in listed.stdout
    assert cli("report", "latest", "--db", db, "--out", str(tmp_path / "r.html")).exit_code == 0
    assert "cost unknown" in (tmp_path / "r.html").read_text()
    # With prices the same run is priced.
    spec.write_text(SMALL_SPEC.format(models=f"{{id: 'openai_compatible:llama3', base_url: '{url}', "
                                             "prices: {input_per_mtok: 1.0, output_per_mtok: 2.0}}"))
    priced = cli("run", str(spec), "--db", db, "--no-cache")
    assert priced.exit_code == 0 and re.search(r"Cost \$0\.\d{4} ·", priced.stdout), priced.stdout


# --- 3. prompt versions ---------------------------------------------------------------------------------

def test_editing_a_prompt_stores_a_new_version_and_a_new_run(tmp_path: Path) -> None:
    """README: "Edit a prompt file and run again: a new version of the variant and a new run"."""
    spec, db = small_experiment(tmp_path), str(tmp_path / "wb.db")
    assert cli("run", str(spec), "--db", db).exit_code == 0
    variant = tmp_path / "v1.yaml"
    variant.write_text(VARIANT.replace("Ad for", "Vacancy for"))
    preview = cli("validate", str(spec), "--db", db)
    assert "changed since version 1: will be stored as version 2" in preview.stdout, preview.output
    again = cli("run", str(spec), "--db", db)
    assert again.exit_code == 0, again.output
    assert "this run uses version 2" in " ".join(again.stdout.split())
    conn = sqlite3.connect(db)
    versions = conn.execute("SELECT version, user_template, template_hash, created_at FROM variants "
                            "ORDER BY version").fetchall()
    assert [(v, t.strip()) for v, t, _, _ in versions] == [(1, "Ad for {{ job_title }}"),
                                                           (2, "Vacancy for {{ job_title }}")]
    assert all(h and c for _, _, h, c in versions)
    used = dict(conn.execute("SELECT o.run_id, v.version FROM outputs o JOIN variants v ON v.id = o.variant_id "
                             "GROUP BY o.run_id, v.version").fetchall())
    assert used == {1: 1, 2: 2}, "each run keeps the version it was made with"
    report = cli("report", "2", "--db", db, "--out", str(tmp_path / "r.html"))
    assert "v1: version 2 of" in report.stdout and "+1/−1 lines" in report.stdout
    html = (tmp_path / "r.html").read_text()
    assert "Prompt versions" in html and "-Ad for {{ job_title }}" in html and "+Vacancy for {{ job_title }}" in html
    old = cli("report", "1", "--db", db, "--out", str(tmp_path / "r1.html"))
    assert old.exit_code == 0 and "all version 1" in old.stdout


def test_resume_refuses_to_mix_prompt_versions(tmp_path: Path) -> None:
    spec, db = small_experiment(tmp_path), tmp_path / "wb.db"
    assert cli("run", str(spec), "--db", str(db)).exit_code == 0
    (tmp_path / "v1.yaml").write_text(VARIANT.replace("Ad for", "Job ad for"))
    before = hashlib.sha256("\n".join(sqlite3.connect(db).iterdump()).encode()).hexdigest()
    message = one_line_error(cli("run", str(spec), "--db", str(db), "--resume"))
    assert "changed since run 1" in message and "v1.yaml" in message
    assert hashlib.sha256("\n".join(sqlite3.connect(db).iterdump()).encode()).hexdigest() == before


# --- 4. reports -----------------------------------------------------------------------------------------

@dataclass
class Demo:
    folder: Path
    db: str
    run: Result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The Dutch demo with a U+202E planted in every job title (so in the outputs) and in one case id."""
    import csv

    folder = tmp_path_factory.mktemp("demo")
    with (ROOT / "experiments/data/vacancies_nl.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["job_title"] = f"{BIDI}{row['job_title']}"
    rows[8]["id"] += BIDI
    with (folder / "vacancies.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    spec = (ROOT / "experiments/vacancy_tone_nl.yaml").read_text().replace(
        "experiments/data/vacancies_nl.csv", str(folder / "vacancies.csv")).replace("prompts/", f"{ROOT}/prompts/")
    (folder / "spec.yaml").write_text(spec)
    db = str(folder / "wb.db")
    run = cli("run", str(folder / "spec.yaml"), "--db", db, columns=80)
    assert run.exit_code == 0, run.output
    return Demo(folder, db, run)


def test_bidi_controls_are_neutralised_in_html_markdown_and_terminal(demo: Demo) -> None:
    """README: "bidirectional control characters ... are shown as [U+202E]"."""
    for name in ("r.html", "r.md"):
        result = cli("report", "latest", "--db", demo.db, "--out", str(demo.folder / name), "--force")
        assert result.exit_code == 0, result.output
        assert BIDI not in result.stdout
        text = (demo.folder / name).read_text(encoding="utf-8")
        assert BIDI not in text, name
        assert re.search(r"\[U\+202E\]\w", text), name  # in the example outputs: shown, not obeyed
    assert "case: nl-09[U+202E]" in (demo.folder / "r.html").read_text(encoding="utf-8")  # chart labels
    # Terminal: a model label from the spec, printed in tables (rich lays out the neutralised text).
    spec = small_experiment(demo.folder / "label", f"{{id: 'simulated:default', label: 'sim{BIDI}ulated'}}")
    dry = cli("run", str(spec), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert BIDI not in dry.stdout and "sim[U+202E]ulated" in dry.stdout
    assert BIDI not in demo.run.stdout


def test_html_report_keeps_card_titles_apart_and_formats_like_the_terminal(demo: Demo) -> None:
    result = cli("report", "latest", "--db", demo.db, "--out", str(demo.folder / "fmt.html"), columns=120)
    assert result.exit_code == 0, result.output
    html = (demo.folder / "fmt.html").read_text(encoding="utf-8")
    titles = re.findall(r'<div class="example-title">(.*?)</div>\s*<div class="example-text">', html, re.S)
    assert titles and all('<span class="tag">SIMULATED</span>' in t for t in titles), titles[:2]
    # One format per quantity: every MDE the terminal prints appears identically in the HTML.
    terminal_mdes = set(re.findall(r"MDE (\d+\.\d+ pp|\d[\d.]*)", result.stdout))
    assert terminal_mdes and any(m.endswith(" pp") for m in terminal_mdes), result.stdout
    for mde in terminal_mdes:
        assert f"MDE {mde}" in html, mde
    assert "max-width: 1100px" not in html and 'name="viewport"' in html


def test_terminal_output_fits_80_columns(demo: Demo) -> None:
    """README: "terminal output is readable at 80 columns" — nothing wider, no truncated names or verdicts."""
    summary = demo.run.stdout
    report = cli("report", "latest", "--db", demo.db, columns=80)
    assert report.exit_code == 0, report.output
    for text in (summary, report.stdout):
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert "variant     ok  err  words  read." in summary and "j:clari  j:inclu" in summary
    for name in ("formal", "inclusive", "informal"):
        assert f" {name} " in summary
    verdicts = report.stdout.split("Verdicts vs")[1].split("n = ")[0]
    assert not re.search(r"\S…", verdicts), "rich marks a cut cell with '…' (the CIs use ' … ')"
    assert re.search(r"^readability\s+inclusive\s+\+\d+\.\d\d\s+\+[\d.]+ … \+[\d.]+\s+[\d.]+ E better", verdicts, re.M)
    assert re.search(r"n\.s\. MDE \d+\.\d pp", verdicts)
    assert "Run 1: 180/180 outputs · 0 errors · 360 judge scores" in summary


def test_cost_estimate_and_list_fit_80_columns(tmp_path: Path) -> None:
    """The cost table of `validate` and `--dry-run` and the `list` table at 80 columns: no line wider, no cut
    cell, a model id such as openai_compatible:llama3.1 on one line."""
    spec = priced_spec(tmp_path)
    spec.write_text(spec.read_text().replace(
        "  - openai:gpt-4o-mini\n", "  - openai:gpt-4o-mini\n  - {id: 'openai_compatible:llama3.1', "
        "base_url: 'http://127.0.0.1:9/v1', check_model: false}\n", 1))
    validated = cli("validate", str(spec), columns=80)
    dry = cli("run", str(spec), "--dry-run", "--db", str(tmp_path / "never.db"), columns=80,
              env={"OPENAI_API_KEY": "sk-test"})
    db = str(tmp_path / "wb.db")
    assert cli("run", str(small_experiment(tmp_path / "sim")), "--db", db).exit_code == 0
    listed = cli("list", "--db", db, columns=80)
    for result in (validated, dry, listed):
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
        assert "…" not in result.stdout
    for result in (validated, dry):
        assert re.search(r"^openai_compatible:llama3\.1 +generation +180 ", result.stdout, re.M), result.stdout
        said = " ".join(result.stdout.split())
        assert re.search(r"Estimated cost: \$[\d.]+ \+ unknown generation \+ \$[\d.]+ judge = \$[\d.]+ \+ unknown",
                         said), said
    assert re.search(r"^ +1 small \(SIMULATED\) +completed +2/2 ", listed.stdout, re.M), listed.stdout


def test_cost_estimate_keeps_long_model_ids_whole_at_80_columns(tmp_path: Path) -> None:
    """A model id longer than the column beside the numbers (openai_compatible:meta-llama/...) gets a line of
    its own above its rows at 80 columns: never folded mid-name, never cut, numbers still aligned."""
    long_id = "openai_compatible:meta-llama/Llama-3.1-70B-Instruct-Turbo"
    spec = priced_spec(tmp_path)
    spec.write_text(spec.read_text().replace(
        "  - openai:gpt-4o-mini\n", f"  - openai:gpt-4o-mini\n  - {{id: '{long_id}', "
        "base_url: 'http://127.0.0.1:9/v1', check_model: false}\n", 1))
    for columns in (80, 160):
        result = cli("validate", str(spec), columns=columns)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= columns, [line for line in lines if len(line) > columns]
        assert "…" not in result.stdout
        if columns == 80:
            assert long_id in lines and "openai:gpt-4o-mini" in lines, result.stdout  # stacked: id on its own
            rows = [line for line in lines if line.startswith("  generation ") or line.startswith("  judge ")]
            assert len(rows) == 3 and len({len(line.rstrip()) for line in rows}) == 1, rows  # right-aligned
        else:
            assert re.search(rf"^{re.escape(long_id)} +generation +180 ", result.stdout, re.M), result.stdout


def test_name_swap_reports_names_and_repeats_apart(tmp_path: Path) -> None:
    """'20 cases × 9 names × 2 repeats', not '× 18 repeats'; the audit's flag column fits 80 columns."""
    db = str(tmp_path / "wb.db")
    assert cli("run", str(ROOT / "experiments/screening_name_swap_nl.yaml"), "--db", db).exit_code == 0
    report = cli("report", "latest", "--db", db, "--out", str(tmp_path / "r.md"), columns=80)
    assert report.exit_code == 0, report.output
    assert "20 cases × 9 names × 2 repeats" in report.stdout and "18 repeats" not in report.stdout
    assert "20 cases × 9 names × 2 repeats" in (tmp_path / "r.md").read_text()
    audit = report.stdout.split("Name-swap audit")[1]
    header = next(line for line in audit.splitlines() if "flag" in line)
    assert header.index("flag") < 40 and max(len(x) for x in report.stdout.splitlines()) <= 80
    assert re.search(r"^structured\s+moroccan_dutch\s+red ", audit, re.M), audit


def test_power_uses_effect_with_a_pilot_run(tmp_path: Path) -> None:
    db = str(tmp_path / "wb.db")
    assert cli("run", str(ROOT / "experiments/vacancy_tone_en.yaml"), "--db", db).exit_code == 0
    result = cli("power", "1", "--effect", "0.5", "--metric", "words", "--db", db)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    # the asked-for effect, corrected for the pilot comparison's family (Holm/BH over its tests)
    assert re.search(r"To detect d_z = 0\.5 \(--effect\) with 80% power[^:]*: \d+ test cases", said), said
    assert "the observed effect" not in said


# --- 5. files -------------------------------------------------------------------------------------------

def test_export_and_report_replace_their_own_files_and_infer_the_format(tmp_path: Path) -> None:
    spec, db = small_experiment(tmp_path), str(tmp_path / "wb.db")
    assert cli("run", str(spec), "--db", db).exit_code == 0
    for _ in range(2):  # the second time replaces the first export / report without --force
        assert cli("export", "latest", "--db", db, "--out", str(tmp_path / "x.parquet")).exit_code == 0
        assert cli("export", "latest", "--db", db, "--out", str(tmp_path / "x.csv")).exit_code == 0
        assert cli("report", "latest", "--db", db, "--out", str(tmp_path / "x.html")).exit_code == 0
    assert (tmp_path / "x.parquet").read_bytes()[:4] == b"PAR1", "format taken from --out"
    assert cli("export", "latest", "--db", db, "--out", str(tmp_path / "cases.csv")).exit_code == 2
    forced = cli("export", "latest", "--db", db, "--out", str(tmp_path / "cases.csv"), "--force")
    assert forced.exit_code == 0 and (tmp_path / "cases.csv").read_text().startswith("output_id,run_id")


# --- 6. --batch against a server without the Batch API ----------------------------------------------

class _NoBatchAPI(http.server.BaseHTTPRequestHandler):
    """Answers 200 to everything: `{}` (mode "empty") or objects with ids but no batch status."""

    mode = "empty"

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body: dict[str, object] = {}
        if self.mode == "no-status":
            body = {"id": "file-1" if "files" in self.path else "batch_1", "object": "batch"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("mode", ["empty", "no-status"])
def test_batch_against_a_server_without_the_batch_api_stops(tmp_path: Path, mode: str) -> None:
    """It used to poll batch "None" forever; now each request fails once with the reason (exit 2)."""
    handler = type("Handler", (_NoBatchAPI,), {"mode": mode})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        spec = small_experiment(tmp_path, f"{{id: 'openai:gpt-4o-mini', base_url: '{url}'}}")
        env = dict(os.environ, WORKBENCH_BATCH_POLL_S="0.05", COLUMNS="200")
        proc = subprocess.run([sys.executable, "-m", "workbench", "run", str(spec), "--batch", "--db",
                               str(tmp_path / "wb.db"), "--max-attempts", "2"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180, check=False)
    finally:
        server.shutdown()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "does not answer like the openai Batch API" in proc.stderr and "run without --batch" in proc.stderr


# --- 7. workbench ui ------------------------------------------------------------------------------------

def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _processes_with(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "streamlit" in cmdline:
                pids.append(int(entry.name))
    return pids


@pytest.fixture
def free_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port
    for pid in _processes_with(f"--server.port {port}"):  # never leave a server behind, pass or fail
        os.kill(pid, 9)


def test_sigterm_to_workbench_ui_stops_streamlit_too(tmp_path: Path, free_port: int) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "ui", "--port", str(free_port), "--db",
                             str(tmp_path / "wb.db")], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _listening(free_port):
            assert proc.poll() is None, "workbench ui exited before Streamlit listened"
            assert time.monotonic() < deadline, "Streamlit did not start listening"
            time.sleep(0.2)
        proc.terminate()  # SIGTERM, as systemd, docker stop or kill send it
        proc.wait(timeout=60)
        deadline = time.monotonic() + 60
        while _processes_with(f"--server.port {free_port}") or _listening(free_port):
            assert time.monotonic() < deadline, "Streamlit is still running after `workbench ui` was stopped"
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()


# --- 8. start-up ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["--help"], ["validate", "experiments/vacancy_tone_nl.yaml"]])
def test_help_and_validate_do_not_load_the_heavy_libraries(command: list[str]) -> None:
    """What keeps `workbench --help` and `validate` fast (README "Speed"; timed in bench/bench_startup.py)."""
    probe = ("import sys; sys.argv = ['workbench', *sys.argv[1:]]\nfrom workbench.cli import main\ntry:\n main()\n"
             "except SystemExit:\n pass\nheavy = ('sqlalchemy', 'alembic', 'pandas', 'numpy', 'scipy', 'altair', "
             "'openai', 'anthropic', 'genai_prices', 'streamlit')\n"
             "sys.stderr.write('LOADED ' + ' '.join(m for m in heavy if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe, *command], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.stderr.strip().endswith("LOADED"), proc.stderr[-2000:]


def test_list_loads_the_store_but_not_pandas(tmp_path: Path) -> None:
    """`workbench list` needs SQLAlchemy and Alembic's revision check, not pandas, NumPy or SciPy (#14 item 7)."""
    db = str(tmp_path / "wb.db")
    assert cli("list", "--db", db).exit_code == 0  # the schema exists before the measured call
    probe = ("import sys; sys.argv = ['workbench', *sys.argv[1:]]\nfrom workbench.cli import main\ntry:\n main()\n"
             "except SystemExit:\n pass\nheavy = ('sqlalchemy', 'pandas', 'numpy', 'scipy', 'altair', 'openai', "
             "'anthropic', 'streamlit')\nsys.stderr.write('LOADED ' + ' '.join(m for m in heavy if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe, "list", "--db", db], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.stderr.strip().endswith("LOADED sqlalchemy"), proc.stderr[-2000:]


def test_run_makes_its_first_call_before_loading_scipy_or_pandas(tmp_path: Path) -> None:
    """`workbench run` imports the statistics (SciPy, pandas) only for the summary after the calls, or
    while the first results come in (cli/preload.py), never before the first call (bench_run_overhead.py:
    they were ~1.4 s of its start-up through the sequential runner's imports)."""
    probe = (
        "import sys; sys.argv = ['workbench', *sys.argv[1:]]\n"
        "from workbench.providers.simulated import SimulatedProvider\n"
        "real = SimulatedProvider.complete\n"
        "async def first(self, request):\n"
        " if not hasattr(SimulatedProvider, 'seen'):\n"
        "  SimulatedProvider.seen = [m for m in ('scipy', 'pandas') if m in sys.modules]\n"
        " return await real(self, request)\n"
        "SimulatedProvider.complete = first\n"
        "from workbench.cli import main\ntry:\n main()\nexcept SystemExit:\n pass\n"
        "sys.stderr.write('AT FIRST CALL ' + ' '.join(SimulatedProvider.seen))"
    )
    proc = subprocess.run([sys.executable, "-c", probe, "run", "experiments/vacancy_tone_nl.yaml", "--db",
                           str(tmp_path / "wb.db")], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.stderr.strip().endswith("AT FIRST CALL"), proc.stderr[-2000:]
