# Two commands: `make demo` scores the sample week and writes its printable reports,
# `make test` runs the test suite.
# Both create .venv and install what they need from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo screenshot test lint sample clean fuzz

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
	$(BIN)/python -m mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check cs_qa tests scripts calibration bench
	$(BIN)/cs-qa rules lint rules/*.yaml

# Property tests with new random inputs (the Hypothesis profile "fuzz", tests/conftest.py):
# rounds of FUZZ_EXAMPLES examples per test until FUZZ_MINUTES have passed (a round that
# has started is finished), stopping at the first failure. Failing inputs are kept in
# .hypothesis/fuzz and tried first by the next fuzz run; `make test` stays derandomised.
FUZZ_MINUTES ?= 20
FUZZ_EXAMPLES ?= 200
FUZZ_TESTS ?= tests/test_properties.py tests/test_notation_properties.py tests/test_checks_call.py \
	tests/test_pack_safety.py
fuzz: $(VENV)/.installed
	@end=$$(( $$(date +%s) + 60 * $(FUZZ_MINUTES) )); round=1; \
	while :; do \
		echo "== fuzz round $$round, $(FUZZ_EXAMPLES) examples per test, $$(date '+%F %T')"; \
		HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) nice $(BIN)/pytest \
			-p no:cacheprovider --hypothesis-show-statistics $(FUZZ_TESTS) || exit 1; \
		[ $$(date +%s) -lt $$end ] || break; \
		round=$$((round + 1)); \
	done; \
	echo "== fuzz: $$round round(s), no failure, $$(date '+%F %T')"

sample:
	$(PYTHON) scripts/make_sample.py --out sample_transcripts

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
