# Firstline — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
ARGS ?=
PYTEST_ARGS ?=

.PHONY: demo test install lint lint-imports messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $(STAMP) $@

install: $(STAMP)

# Django's compilemessages needs GNU msgfmt; polib compiles the catalogues without it.
messages: $(STAMP)
	$(BIN)/python -m firstline.i18n_compile

demo: $(STAMP) messages
	$(BIN)/firstline demo $(ARGS)

test: $(TEST_STAMP) messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check firstline tests bench

# The layers between apps (pyproject.toml [tool.importlinter]): reports → domain apps →
# people → areas/accounts → core, no cycles.
lint-imports: $(TEST_STAMP)
	$(BIN)/lint-imports

bench: $(TEST_STAMP)
	@ls bench/*.py

clean:
	rm -rf $(VENV) var/static
