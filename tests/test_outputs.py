"""What the verbs write does not change by accident: byte for byte against captured fixtures.

The fixtures in ``tests/fixtures/outputs/`` were captured with ``python -m
tests.fixtures.outputs`` (run-ids and timestamps live only in folder names, which are not
compared; the checkout's absolute path is written as ``<ROOT>``, so they hold on any
clone). A restructuring must leave every file identical; a change meant to alter outputs
re-captures them and says so in its commit.
"""

from __future__ import annotations

import difflib
import json

import pytest
from fixtures.outputs import COMMANDS, FIXTURES, IMAGES, content, listing, produce


@pytest.mark.slow
@pytest.mark.parametrize("verb", list(COMMANDS))
def test_verb_writes_the_captured_files(verb, tmp_path):
    folder = produce(verb, tmp_path)
    expected = json.loads((FIXTURES / verb / "SHA256SUMS.json").read_text())
    got = listing(folder)
    assert sorted(got) == sorted(expected), "a different set of files was written"
    for name, digest in expected.items():
        if got[name] == digest:
            continue
        if name.endswith(IMAGES):
            pytest.fail(f"{verb}: {name} differs from the captured image")
        old = (FIXTURES / verb / name).read_text().splitlines()
        new = content(folder / name).decode().splitlines()
        diff = "\n".join(list(difflib.unified_diff(old, new, "captured", "now", lineterm=""))[:40])
        pytest.fail(f"{verb}: {name} differs from the captured file:\n{diff}")
