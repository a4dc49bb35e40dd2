# Two set-up commands (see README): `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml scripts/bootstrap.sh scripts/ensure_font.sh
	PYTHON=$(PYTHON) sh scripts/bootstrap.sh $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	# Printouts embed a TrueType CJK font; installs fonts-wqy-zenhei where apt is available and none is found.
	sh scripts/ensure_font.sh
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/counter

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	sh scripts/test_tools.sh
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
