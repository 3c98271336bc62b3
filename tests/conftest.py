from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_transcripts"
SAMPLE_MAPPING = ROOT / "examples" / "sample-chatlogs.yaml"
REALDATA = ROOT.parent / "shared" / "realdata" / "jddc2019" / "chat_sample_a.tsv"

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE. "ci", the default, is derandomised
# and keeps no database: every run tries the same examples, so a run never fails on
# inputs that another run happened to find. "fuzz" (`make fuzz`) draws new random inputs
# each run, FUZZ_EXAMPLES per test, and keeps the failing ones in .hypothesis/fuzz, where
# the next fuzz run tries them first. Property tests take their number of examples from
# the fuzz profile (`settings.default.max_examples`) and keep their own in CI.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "fuzz")),
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    deadline=None,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The sample week scored once with the default pack (shared by the tests that read it)."""
    from cs_qa.engine.run import score_inputs
    from cs_qa.ingest.mapping import load_mapping
    from cs_qa.packs.loader import load_pack

    out = tmp_path_factory.mktemp("sample") / "out"
    summary = score_inputs([SAMPLE], load_pack(None), out, mapping=load_mapping(SAMPLE_MAPPING))
    return summary
