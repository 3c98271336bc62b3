from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_transcripts"
SAMPLE_MAPPING = ROOT / "examples" / "sample-chatlogs.yaml"
REALDATA = ROOT.parent / "shared" / "realdata" / "jddc2019" / "chat_sample_a.tsv"


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The sample week scored once with the default pack (shared by the tests that read it)."""
    from cs_qa.ingest.mapping import load_mapping
    from cs_qa.pack import load_pack
    from cs_qa.run import score_inputs

    out = tmp_path_factory.mktemp("sample") / "out"
    summary = score_inputs([SAMPLE], load_pack(None), out, mapping=load_mapping(SAMPLE_MAPPING))
    return summary
