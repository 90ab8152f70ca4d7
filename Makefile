# Two commands for a fresh machine: `make demo` and `make test`.
#
# Both install into .venv/ in the repository, with the exact versions in .ci/lock.txt (the set the
# suite passed with; CI tests that set). `make demo` installs only what goannot needs at run time;
# `make test` adds the reference tools and the dev tools. A stamp per set means a second run
# installs nothing. `make lock` refreshes the lock; `make test-latest` tries the newest versions
# pyproject.toml allows, in a separate venv, to see a breaking upstream release before users do.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := .ci/lock.txt
PIP_FLAGS := --disable-pip-version-check --no-input
# setuptools/wheel come from the lock too: the editable install builds without isolation, so no
# unlocked build backend is fetched behind the lock's back.
INSTALL := $(BIN)/python -m pip install $(PIP_FLAGS) --constraint $(LOCK)
EDITABLE := $(INSTALL) --no-build-isolation --editable

.PHONY: demo test test-latest lock bench venv clean typecheck

$(BIN)/python:
	@echo "goannot: creating $(VENV)/ (first run only)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: $(BIN)/python $(LOCK)
	@echo "goannot: installing pip, setuptools, wheel at the locked versions (first run only)"
	$(INSTALL) --quiet pip setuptools wheel
	touch $@

$(VENV)/.demo: $(VENV)/.base pyproject.toml $(LOCK)
	@echo "goannot: installing goannot and its run-time dependencies from $(LOCK) (first run only)"
	$(EDITABLE) .
	touch $@

$(VENV)/.dev: $(VENV)/.demo pyproject.toml $(LOCK)
	@echo "goannot: installing the reference and dev tools from $(LOCK) (first run only)"
	$(EDITABLE) ".[dev]"
	touch $@

venv: $(VENV)/.dev

demo: $(VENV)/.demo
	$(BIN)/goannot demo

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

typecheck: $(VENV)/.dev
	$(BIN)/python -m mypy goannot

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/run.py

# Not part of CI: the newest releases pyproject.toml admits, unlocked, in .venv-latest/.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install $(PIP_FLAGS) --upgrade pip setuptools wheel
	.venv-latest/bin/python -m pip install $(PIP_FLAGS) --upgrade --editable ".[dev]"
	.venv-latest/bin/python -m pip freeze --exclude-editable > .venv-latest/versions.txt
	@echo "goannot: testing the latest allowed versions (listed in .venv-latest/versions.txt)"
	.venv-latest/bin/python -m pytest -q -p no:cacheprovider

# Rewrites .ci/lock.txt from a fresh resolve of every extra; run `make test` after, commit both.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install $(PIP_FLAGS) --quiet --upgrade pip setuptools wheel
	.venv-lock/bin/python -m pip install $(PIP_FLAGS) --quiet --editable ".[dev]"
	{ echo "# Exact versions the test suite passed with (make lock; Python $$(.venv-lock/bin/python -c 'import sys; print(sys.version.split()[0])'))."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable; } > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf .venv-lock
	@echo "goannot: wrote $(LOCK); now run 'make test' and commit it"

clean:
	rm -rf $(VENV) .venv-latest .venv-lock goannot-report
