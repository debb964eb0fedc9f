# The two commands of the README: `make figures` and `make test`.
# Both create .venv with the Python given by PYTHON and install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: figures test bench docs lint clean cases fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## figures: regenerate every figure and table of experiments/ into experiments/output/, then the pages
## rendered from them (experiments/report_*.py, e.g. docs/case-studies/idlib-2020.md)
figures: $(VENV)/.installed
	@set -e; for script in $(filter-out experiments/report_%,$(sort $(wildcard experiments/[!_]*.py))) \
		$(sort $(wildcard experiments/report_*.py)); do \
		echo "== $$script"; $(BIN)/python $$script; \
	done

## test: the default test suite (known answers, properties, cross-checks with pygambit and lrsnash)
test: $(VENV)/.installed-dev
	@command -v lrsnash >/dev/null || timeout 120 apt-get install -y -q lrslib >/dev/null 2>&1 || \
		echo "lrslib (lrsnash) could not be installed: its cross-check is skipped"
	$(BIN)/python -m pytest -q

## fuzz: 10,000 hostile inputs per reader (scenario, .nfg, .efg, expression), each in a worker limited to
## 10 s and 2 GiB; prints the counts by outcome and keeps every failing input in tests/data/fuzz-corpus
fuzz: $(VENV)/.installed-dev
	$(BIN)/python tests/fuzz_harness.py --count $(or $(COUNT),10000) --seed $(or $(SEED),0)

## bench: benchmarks against lrsnash, QuantEcon, nashpy and pygambit (not part of `make test`)
bench: $(VENV)/.installed-dev
	@command -v lrsnash >/dev/null || apt-get install -y -q lrslib >/dev/null 2>&1 || \
		echo "lrslib (lrsnash) could not be installed: its benchmark rows are skipped"
	$(BIN)/python benchmarks/run.py

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@ $(VENV)/.installed

## docs: the documentation site (MkDocs, API reference from the docstrings), built with --strict into site/
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis site

## cases: recode the Idlib ceasefires from games/coding (the proxies and the coding sheet)
cases: $(VENV)/.installed
	$(BIN)/python tools/recode_cases.py
