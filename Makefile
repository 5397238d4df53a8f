# Two commands on a fresh machine: `make estimate` and `make test`. Only python3 (with venv) is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: estimate test lint typecheck bench catalog docs clean screenshot ui

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

# The browser tests drive Debian's chromium (Playwright's own browser download does not work here); the terminal
# tests run the CLI in tmux at 80 and 120 columns.
CHROMIUM := /usr/bin/chromium
TMUX     := /usr/bin/tmux
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM) $(TMUX):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium tmux

test: $(VENV)/.test-deps $(CHROMIUM) $(TMUX)
	$(BIN)/ruff check src tests bench app.py
	$(BIN)/mypy
	$(BIN)/pytest -n 2

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bulk_parse.py
	$(BIN)/python bench/terraform_import.py
	$(BIN)/python bench/billing.py
	$(BIN)/python bench/hostile_inputs.py

# The README's screenshots of the what-if page (desktop 1440x900, phone 390x844), taken by the browser test.
screenshot: $(VENV)/.test-deps $(CHROMIUM)
	STACKCOST_SCREENSHOT_DIR=$(CURDIR)/docs $(BIN)/pytest -q tests/test_browser.py

ui: $(BIN)/cost
	$(BIN)/streamlit run app.py

# Rebuild the shipped catalog from the shared price data (must reproduce pricing_data/ byte for byte).
catalog: $(BIN)/cost
	$(BIN)/cost catalog build --from ../shared/aws-prices --region ap-northeast-2

docs: $(BIN)/cost
	$(BIN)/python -m stackcost.reconcile docs/seed-reconciliation.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
