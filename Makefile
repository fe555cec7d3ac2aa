# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
DB ?= data/demo.duckdb

.PHONY: run test demo lint bench clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DB): | $(BIN)/.installed
	$(BIN)/python -m servicequality demo --out $(DB) --if-missing

demo: $(DB)

run: $(BIN)/.installed $(DB)
	$(BIN)/python -m servicequality.serve --port $(PORT) --db $(DB)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache
