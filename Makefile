# backprop-lab: every entry point. `make test` and `make grade` set up .venv by themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUBMISSIONS ?=
OUT ?= out
JOBS ?= 0

.PHONY: help venv test grade check skeleton handout autograder notebook lint bench catalog lock clean

help:
	@echo "make grade        grade the bundled sample submissions (SUBMISSIONS=PATH OUT=DIR JOBS=N)"
	@echo "make test         the project's whole test suite"
	@echo "make check        public checks on the reference (PACKAGE=path/to/folder-with-backprop)"
	@echo "make handout      dist/handout.zip for students"
	@echo "make autograder   dist/autograder.zip for Gradescope (Otter)"
	@echo "make notebook     rebuild the student notebook from its source"
	@echo "make skeleton     regenerate assignments/backprop from solutions/backprop"
	@echo "make bench        speed benchmark: make grade vs Otter vs the numpy start-up floor"
	@echo "make catalog      docs/feedback-catalog.md: the feedback each known mistake gets"
	@echo "make lint         ruff"

$(STAMP): requirements/lock.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	@touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

grade: $(STAMP)
	$(PY) -m autograder.grade $(SUBMISSIONS) --out $(OUT) --jobs $(JOBS)

PACKAGE ?= solutions
check: $(STAMP)
	$(PY) assignments/check.py --package $(PACKAGE)

skeleton:
	$(PYTHON) assignments/build_skeleton.py

notebook: $(STAMP)
	$(PY) assignments/notebook_source.py

handout: $(STAMP)
	$(PY) assignments/build_handout.py --out dist/handout.zip

autograder: $(STAMP)
	$(PY) autograder/otter/build.py --out dist/autograder.zip

bench: $(STAMP)
	$(PY) tools/bench.py

lint: $(STAMP)
	$(PY) -m ruff check .

lock:
	rm -rf /tmp/backprop-lab-lock && $(PYTHON) -m venv /tmp/backprop-lab-lock
	/tmp/backprop-lab-lock/bin/pip install --quiet -r requirements/direct.txt
	( echo "# Full pin set for .venv (make venv). Regenerate: make lock"; \
	  /tmp/backprop-lab-lock/bin/pip freeze | grep -v '^otter-grader'; \
	  echo "otter-grader[grading]==7.0.0" ) > requirements/lock.txt

clean:
	rm -rf $(VENV) dist out .pytest_cache .ruff_cache

catalog: $(STAMP)
	$(PY) tools/catalog.py
