# The course's two commands: `make book` and `make test`. Everything else is a helper target.
# Only Python 3.11+ and make are assumed; the virtual environment is created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install book exercises test lab bench clean

help:
	@echo "make book   - set up .venv, build the student notebooks and the book (_build/html)"
	@echo "make test   - set up .venv, then run the whole test suite"
	@echo "make lab    - open JupyterLab on exercises/ (students)"
	@echo "make bench  - run the speed benchmarks"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# ---- exercises (nbgrader) -------------------------------------------------------------
exercises: install

# ---- book (Jupyter Book 1.x) ------------------------------------------------------------
book: install exercises

# ---- tests ------------------------------------------------------------------------------
test: install
	$(BIN)/python -m pytest -q

lab: install
	$(BIN)/jupyter lab exercises/

bench: install
	$(BIN)/python benchmarks/activations.py

clean:
	rm -rf _build .pytest_cache .hypothesis
