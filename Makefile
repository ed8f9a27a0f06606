# One-command entry points for a fresh machine (Python 3.11+ with venv). See README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
WB := $(VENV)/bin/workbench

.PHONY: demo test test-fast lint ui bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

## The pinned local model server (the [real-model] extra): llama-cpp-python is built from source, CPU only
## and not tied to this CPU (GGML_NATIVE=OFF); pip's wheel cache makes every later install fast.
$(VENV)/.real-model: $(VENV)/.installed
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
		$(PY) -m pip install --quiet -e '.[dev,real-model]'
	touch $@

## Offline demo: run the Dutch vacancy-tone experiment on the simulated provider and report on it.
demo: $(VENV)/.installed
	$(WB) run experiments/vacancy_tone_nl.yaml
	mkdir -p reports
	$(WB) report latest --out reports/vacancy-tone-nl.html

## Lint + the whole test suite (SQLite); when WORKBENCH_TEST_PG_URL points at a PostgreSQL server
## (CI starts one), the suite runs a second time with every test database on PostgreSQL (without the
## browser, real-model, `calibration` and `packaging` tests: they never touch a database).
test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy workbench
	env -u WORKBENCH_TEST_PG_URL $(PY) -m pytest
	if [ -n "$$WORKBENCH_TEST_PG_URL" ]; then $(PY) -m pytest -m "not browser and not calibration and not packaging and not real_model"; fi

# The inner loop (< 60 s on 2 cores, two pytest-xdist workers): unit and component tests on SQLite, without the calibration, crash,
# browser, packaging, real-model and PostgreSQL tests and without the process-heavy folders (`heavy`).
FAST_MARKERS = not slow and not calibration and not browser and not packaging and not real_model and not postgres and not heavy
test-fast: $(VENV)/.installed
	env -u WORKBENCH_TEST_PG_URL $(PY) -m pytest -q -n 2 -m "$(FAST_MARKERS)"

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy workbench

ui: $(VENV)/.installed
	$(WB) ui

bench: $(VENV)/.installed
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) workbench.db workbench.db-wal workbench.db-shm reports
