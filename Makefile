# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
DB ?= data/demo.duckdb

.PHONY: run test test-fast demo lint bench clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DB): | $(BIN)/.installed
	$(BIN)/python -m servicequality demo --out $(DB) --if-missing

demo: $(DB)

# A database built by an older version gets its rollups rebuilt first (a no-op when they are current).
run: $(BIN)/.installed $(DB)
	$(BIN)/python -m servicequality refresh --db $(DB) --if-stale
	$(BIN)/python -m servicequality.ui.serve --port $(PORT) --db $(DB)

# axe-core (npm) for the browser accessibility check; without npm that test skips (CI requires it).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility test will be skipped (install Node.js and npm to run it)"; fi

# Both cores, a test file to a worker (its module fixtures built once): 49 min against 58-65 min in
# one process on this 2-core machine (2026-12-03), well inside CI's 90.
test: $(BIN)/.installed node_modules/.installed
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The fast tier while developing (under 2 min): no browser, no whole pages, no medium store.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser"

# Builds data/bench.duckdb (10M tickets, ~10 min) or reuses it, refreshes its rollups, times every
# page against the bare scan and pandas, the browser and the import; writes BENCHMARKS.md.
# Faster partial runs: make bench BENCH_ARGS="--skip-import" (see python -m tools.bench.run -h).
# The pages' reads are recorded on the medium demo (same branches and dates, 1M tickets): the pages'
# own unoptimised queries (Explore, Rows) make recording on 10M rows slow; the timing is on BENCH_DB.
BENCH_DB ?= data/bench.duckdb
BENCH_ARGS ?=
bench: $(BIN)/.installed
	$(BIN)/python -m servicequality demo --scale medium --out data/medium.duckdb --if-missing
	$(BIN)/python -m tools.bench.run --db $(BENCH_DB) --record-db data/medium.duckdb $(BENCH_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache
