# The course's two commands: `make book` and `make test`. Everything else is a helper target.
# Only Python 3.11+ and make are assumed; the virtual environment is created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install book pdf axe browser postgres sandbox exercises notebooks check grade test lab bench bench-grading clean frameworks

help:
	@echo "make book   - set up .venv, build the student notebooks and the book (_build/html)"
	@echo "make test   - set up .venv, then run the whole test suite"
	@echo "make pdf    - the whole book as one PDF (_build/html/book.pdf)"
	@echo "make lab    - open JupyterLab on exercises/ (students)"
	@echo "make check  - run the visible tests of your notebooks (NB=path for one)"
	@echo "make bench  - activation speed and accuracy tables (make bench-grading: grading throughput)"
	@echo "make frameworks - add PyTorch (CPU) and Keras 3, so that make test runs tests/frameworks/"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,postgres]'
	@touch $(STAMP)

install: $(STAMP)

# PyTorch 2.13 (CPU) and Keras 3 for tests/frameworks/ (skipped without them, except in CI).
FW_STAMP := $(VENV)/.frameworks-stamp
$(FW_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,postgres,frameworks]'
	@touch $(FW_STAMP)

frameworks: $(FW_STAMP)

# ---- exercises (nbgrader) -------------------------------------------------------------
# course_lib/grading/spec.py --tools/make_notebooks.py--> solutions/<id>/<id>.ipynb (nbgrader source)
#   --nbgrader generate_assignment--> exercises/<id>/<id>.ipynb (student copies). Both are committed.
# Staleness is decided by content, never by file times (course_lib/grading/generate.py), and a
# notebook a student edited is never overwritten: the new version goes beside it as <id>.new.ipynb,
# with one line saying so. A second `make exercises` does nothing.
ASSIGNMENTS := a1_sigmoid_tanh a2_relu_family a3_smooth a4_softmax a5_backprop a6_design

# Kernels started by the course's Python read this; it only drops ipykernel's "running over TCP
# without encryption" start-up warning (local kernels), which would reach students and the book build.
KERNEL_CFG := $(VENV)/etc/ipython/ipython_kernel_config.py
$(KERNEL_CFG): tools/ipython_kernel_config.py | $(STAMP)
	@mkdir -p $(dir $@) && cp $< $@

exercises: install $(KERNEL_CFG)
	@$(BIN)/python tools/make_notebooks.py

notebooks: exercises

# Students: `course check a1_sigmoid_tanh` (in the terminal `make lab` opens); `make check` checks
# all six (or NB=...). It ends with course check's own summary, and make itself does not fail on a
# notebook that is not ready yet (`course check` exits with 1 then).
check: install $(KERNEL_CFG)
	@$(BIN)/course check $(or $(NB),$(ASSIGNMENTS)) || true

# Instructors: see "For instructors" in README.md (`course release|import|grade|feedback|export|report`).
grade: install sandbox
	$(BIN)/course grade

# ---- book (Jupyter Book 1.x) ------------------------------------------------------------
# Warnings are errors (-W), every cross-reference must resolve (-n); notebook execution is
# cached in _build/.jupyter_cache, so a rebuild re-runs only the chapters whose code changed.
# The cache is keyed on each chapter's code, not on the library it imports, so it (and Sphinx's
# doctrees) is dropped whenever course_lib's sources change (hash in _build/.course_lib.sha256).
BOOK_FLAGS ?= -W -n --keep-going
LIB_HASH = $$(find course_lib -name '*.py' | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)
book: install exercises $(KERNEL_CFG)
	@mkdir -p _build
	@if [ "$(LIB_HASH)" != "$$(cat _build/.course_lib.sha256 2>/dev/null)" ]; then \
		echo "course_lib changed: re-executing every chapter"; rm -rf _build/.jupyter_cache _build/.doctrees; \
		echo "$(LIB_HASH)" > _build/.course_lib.sha256; fi
	$(BIN)/jupyter-book build . --builder html $(BOOK_FLAGS)
	@echo "The book is in _build/html/index.html"

# The whole book as one PDF, _build/html/book.pdf (linked from the landing page): every page of the
# HTML build printed by headless Chromium once MathJax has typeset it, put together with pypdf
# (tools/book_pdf.py; about 30 s).
pdf: book browser
	$(BIN)/python tools/book_pdf.py

# $(call apt_ensure,CHECK,PACKAGE,WHY,IF-MISSING): run CHECK; if it fails, install PACKAGE with apt
# when that is possible (root and apt-get), else print a warning saying what will happen.
define apt_ensure
	@if { $(1); } >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing $(2) with apt-get ($(3))"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); \
	else \
		echo "WARNING: $(2) is not installed and cannot be installed here (needs root and apt-get)."; \
		echo "         $(4)"; \
	fi
endef

# Headless Chromium for tests/test_book_browser.py.
browser:
	$(call apt_ensure,command -v chromium || command -v chromium-browser,chromium,needed by the browser test,tests/test_book_browser.py will FAIL. Install the 'chromium' package.)

# axe-core, the accessibility engine tests/test_book_browser.py runs on every page, from the npm
# registry into .venv/axe (npm comes with Debian's `npm` package, installed with apt when missing).
AXE_VERSION := 4.14.1
AXE_JS      := $(VENV)/axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	$(call apt_ensure,command -v npm,npm,needed to install axe-core,tests/test_book_browser.py will FAIL without axe-core.)
	npm install --prefix $(VENV)/axe --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)

# PostgreSQL server binaries for the shared-gradebook test (tests/test_grading_parallel.py starts a
# throw-away server from them).
postgres:
	$(call apt_ensure,ls /usr/lib/postgresql/*/bin/initdb || command -v initdb,postgresql,needed by the shared-gradebook test,The PostgreSQL grading test will be skipped (and FAIL when CI=true). Install 'postgresql'.)

# bubblewrap: the operating-system sandbox every grading kernel and re-check runs in
# (course_lib/grading/sandbox.py); `course grade` refuses to grade without it (--unsandboxed overrides).
sandbox:
	$(call apt_ensure,command -v bwrap,bubblewrap,the grading sandbox,`course grade` and the grading tests will FAIL. Install the 'bubblewrap' package.)

# ---- tests ------------------------------------------------------------------------------
test: install book browser postgres sandbox pdf axe
	$(BIN)/python -m pytest -q

# JupyterLab on exercises/: its terminals start there, with .venv/bin first on PATH (tools/jupyter_lab_config.py),
# so the notebooks' `course check a1_sigmoid_tanh` works as printed; as root (Docker, cloud VMs) it adds --allow-root.
LAB_FLAGS ?=
lab: install $(KERNEL_CFG)
	cd exercises && COURSE_BIN="$(abspath $(BIN))" PATH="$(abspath $(BIN)):$$PATH" $(abspath $(BIN))/jupyter lab \
		--config="$(abspath tools/jupyter_lab_config.py)" $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_FLAGS)

bench: install
	$(BIN)/python benchmarks/activations.py
	$(BIN)/python benchmarks/accuracy.py

# Grading throughput: plain nbgrader against `course grade --workers 1/2` (about 20 minutes at
# the default 40 students; STUDENTS=6 takes a few).
STUDENTS ?= 40
bench-grading: install
	$(BIN)/python benchmarks/grading.py --students $(STUDENTS)

clean:
	rm -rf _build .pytest_cache .hypothesis
