# Two commands: `make demo` scores the sample week and writes its printable reports,
# `make test` runs the test suite.
# Both create .venv and install what they need from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo screenshot test lint sample clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/cs-qa score sample_transcripts --mapping examples/sample-chatlogs.yaml --out out --overwrite
	$(BIN)/cs-qa report out --agent A1011 --roster examples/roster.csv
	$(BIN)/cs-qa report out --roster examples/roster.csv --html out/report.html
	$(BIN)/cs-qa report out --agent A1011 --roster examples/roster.csv --html out/agent-A1011.html

# The README's screenshot of a printable scorecard (needs chromium).
screenshot: demo
	$(BIN)/python tests/browser.py out/agent-A1011.html docs/scorecard.png

test: $(VENV)/.installed
	$(BIN)/ruff check cs_qa tests scripts calibration bench
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check cs_qa tests scripts calibration bench
	$(BIN)/cs-qa rules lint rules/*.yaml

sample:
	$(PYTHON) scripts/make_sample.py --out sample_transcripts

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
