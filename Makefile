# backprop-lab: every entry point. `make test` and `make grade` set up .venv by themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
GRADE_STAMP := $(VENV)/.installed-grade
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check
SUBMISSIONS ?=
OUT ?= out
JOBS ?= 0
# make grade options (see README): MERGE=1 keeps OUT's other students, COMPARE=OLD_OUT lists
# changed scores, DUE='2026-11-20 23:59 -08:00' flags late work, CANVAS_ASSIGNMENT names the
# Canvas column, ALLOW_UNSANDBOXED=1 grades even where no sandbox is possible.
MERGE ?=
COMPARE ?=
DUE ?=
CANVAS_ASSIGNMENT ?=
ALLOW_UNSANDBOXED ?=
# PRIOR=DIR: earlier years' submissions or public solutions for the similarity report
PRIOR ?=
GRADE_FLAGS := $(if $(MERGE),--merge) $(if $(COMPARE),--compare "$(COMPARE)") \
	$(if $(DUE),--due "$(DUE)") $(if $(CANVAS_ASSIGNMENT),--canvas-assignment "$(CANVAS_ASSIGNMENT)") \
	$(if $(ALLOW_UNSANDBOXED),--allow-unsandboxed) $(if $(PRIOR),--prior "$(PRIOR)")

.PHONY: help venv sandbox-tools container-image test grade similarity check skeleton handout autograder notebook lint bench catalog lock clean

help:
	@echo "make grade        grade the bundled sample submissions (SUBMISSIONS=PATH OUT=DIR JOBS=N"
	@echo "                  MERGE=1 COMPARE=OLD_OUT DUE=datetime CANVAS_ASSIGNMENT=name"
	@echo "                  ALLOW_UNSANDBOXED=1: grade even where no sandbox is possible"
	@echo "                  PRIOR=DIR: earlier or public solutions for the similarity report)"
	@echo "make similarity   only the similarity report (SUBMISSIONS=PATH [PRIOR=DIR] OUT=DIR)"
	@echo "make test         the project's whole test suite"
	@echo "make check        public checks on the reference (PACKAGE=path/to/folder-with-backprop)"
	@echo "make handout      dist/handout.zip for students"
	@echo "make autograder   dist/autograder.zip for Gradescope (Otter)"
	@echo "make notebook     rebuild the student notebook from its source"
	@echo "make skeleton     regenerate assignments/backprop from solutions/backprop"
	@echo "make bench        speed benchmark: make grade vs Otter vs the numpy start-up floor"
	@echo "make catalog      docs/feedback-catalog.md: the feedback each known mistake gets"
	@echo "make lint         ruff"

# Grading needs only requirements/grade.txt (a subset of lock.txt at the same versions); Otter,
# Jupyter and the test tools come with the full set, which every other target installs.
# --no-compile: Python caches the bytecode of what grading imports, not of every file.
$(GRADE_STAMP): requirements/grade.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_INSTALL) --no-compile -r requirements/grade.txt
	@touch $(GRADE_STAMP)

# The full set also installs the grader and its Otter plugin as a package (editable: it is this
# checkout), so that `otter run` and `otter generate` import the plugin by its name.
$(STAMP): requirements/lock.txt requirements/grade.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_INSTALL) -r requirements/lock.txt
	$(PY) $(PIP_INSTALL) --no-deps --no-build-isolation -e .
	@touch $(STAMP) $(GRADE_STAMP)

venv: $(STAMP)

# Student code runs in a bubblewrap sandbox (Debian/Ubuntu package bubblewrap; util-linux gives
# unshare and setpriv). As root, a missing one is installed; otherwise grading says which mode
# it falls back to (README, "Student code is untrusted").
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the students' sandbox)"; \
	    apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1; } || \
	    echo "warning: could not install bubblewrap: grading without namespaces"; \
	  else echo "note: bubblewrap (bwrap) is not installed: grading without namespaces"; fi; }

# pytest-xdist runs test files side by side (the suite keeps two cores busy); each artefact
# (the autograder zip, the handout) is still built once per run, and the longest files start
# first, in tests/conftest.py's order (xdist would reorder them by test count). Bytecode is
# cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): otherwise every
# worker rewrites each test module's asserts again, and every process the tests start (make
# grade, Otter and its kernel) compiles the grader again.
TEST_WORKERS ?= 6
test: export PYTHONDONTWRITEBYTECODE =
test: $(STAMP) sandbox-tools container-image
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The Debian image tests/test_container.py runs the grader in (once per checkout; set-up, like
# the virtualenv). Where the machine cannot run containers it says why and the tests skip.
container-image: $(STAMP)
	@$(PY) tests/container_image.py

grade: $(GRADE_STAMP) sandbox-tools
	$(PY) -m autograder.grade $(if $(SUBMISSIONS),"$(SUBMISSIONS)") --out "$(OUT)" --jobs $(JOBS) $(GRADE_FLAGS)

# Which submissions share code, without grading; reads the code, never runs it.
similarity: $(GRADE_STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "make similarity: give SUBMISSIONS=PATH (an export, a folder or .zip of submissions)"; exit 2; }
	$(PY) -m autograder.similarity "$(SUBMISSIONS)" --out "$(OUT)" $(if $(PRIOR),--prior "$(PRIOR)")

PACKAGE ?= solutions
check: $(STAMP)
	$(PY) assignments/check.py --package $(PACKAGE)

skeleton:
	$(PYTHON) autograder/packaging/build_skeleton.py

notebook: $(STAMP)
	$(PY) assignments/notebook_source.py

handout: $(STAMP)
	$(PY) autograder/packaging/build_handout.py --out dist/handout.zip

autograder: $(STAMP)
	$(PY) -m autograder.packaging.build_autograder --out dist/autograder.zip

bench: $(STAMP)
	$(PY) tools/bench.py

lint: $(STAMP)
	$(PY) -m ruff check .

lock:
	rm -rf /tmp/backprop-lab-lock && $(PYTHON) -m venv /tmp/backprop-lab-lock
	/tmp/backprop-lab-lock/bin/pip install --quiet -r requirements/direct.txt
	( echo "# Full pin set for .venv (make venv). Regenerate: make lock"; \
	  /tmp/backprop-lab-lock/bin/pip freeze --all | grep -v -e '^otter-grader' -e '^pip=='; \
	  echo "otter-grader[grading]==7.0.0" ) > requirements/lock.txt
	rm -rf /tmp/backprop-lab-lock && $(PYTHON) -m venv /tmp/backprop-lab-lock
	grep -v '^otter-grader' requirements/lock.txt > /tmp/backprop-lab-lock/constraints.txt
	/tmp/backprop-lab-lock/bin/pip install --quiet -c /tmp/backprop-lab-lock/constraints.txt \
	  $$(grep -iE '^(numpy|pyyaml|pillow|tqdm)==' requirements/direct.txt)
	( echo "# What \`make grade\` installs: grading only (numpy, PyYAML, Pillow, tqdm) and their"; \
	  echo "# dependencies, at the same versions as requirements/lock.txt. Regenerate: make lock"; \
	  /tmp/backprop-lab-lock/bin/pip freeze ) > requirements/grade.txt

clean:
	rm -rf $(VENV) dist out .pytest_cache .ruff_cache

catalog: $(STAMP)
	$(PY) tools/catalog.py
