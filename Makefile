# Two commands on a fresh machine: `make estimate` and `make test`. Only python3 (with venv) is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: estimate test lint typecheck bench catalog docs clean

$(BIN)/cost: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/cost
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

estimate: $(BIN)/cost
	$(BIN)/cost estimate production

test: $(VENV)/.test-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py

# Rebuild the shipped catalog from the shared price data (must reproduce pricing_data/ byte for byte).
catalog: $(BIN)/cost
	$(BIN)/cost catalog build --from ../shared/aws-prices --region ap-northeast-2

docs: $(BIN)/cost
	$(BIN)/python -m stackcost.reconcile docs/seed-reconciliation.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
