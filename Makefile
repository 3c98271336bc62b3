# Two commands: `make demo` scores the sample week, `make test` runs the test suite.
# Both create .venv and install what they need from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint sample clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/cs-qa score sample_transcripts --mapping examples/sample-chatlogs.yaml --out out --overwrite
	$(BIN)/cs-qa report out --agent A1011

test: $(VENV)/.installed
	$(BIN)/ruff check cs_qa tests scripts
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check cs_qa tests scripts
	$(BIN)/cs-qa rules lint rules/*.yaml

sample:
	$(PYTHON) scripts/make_sample.py --out sample_transcripts

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
