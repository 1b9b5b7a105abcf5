"""The allocation kernels write the same bytes as before their inputs were typed (issue 17)."""

from __future__ import annotations

import json

from tests.waitlist.golden_kernels import GOLDEN, kernel_digests


def test_kernels_match_the_golden_digests() -> None:
    expected = json.loads(GOLDEN.read_text())
    actual = kernel_digests()
    assert actual.keys() == expected.keys()
    changed = sorted(k for k in expected if actual[k] != expected[k])
    assert not changed, f"kernel output changed for {changed}"
