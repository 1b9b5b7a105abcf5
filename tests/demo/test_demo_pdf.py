"""The demo's one-page council summary, from a real (small) demo run."""

from __future__ import annotations

import json

import pytest

from tests.demo.test_demo import demo  # noqa: F401  (the module's demo fixture)

pypdf = pytest.importorskip("pypdf")


def test_summary_pdf_is_one_page_with_the_summary_numbers(demo):  # noqa: F811
    out = demo.options.out_dir
    reader = pypdf.PdfReader(out / "summary.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", " ")
    summary = json.loads((out / "summary.json").read_text())
    total = summary["variants"][0]["requests"]
    assert f"{total} Flevoland requests wait" in text
    for variant in summary["variants"]:
        assert variant["label"] in text
    best = max(summary["variants"], key=lambda v: (v["by_2033"], -v["mw_years_waiting"]))
    assert f"{best['label']} ({best['by_2033']} of {total})" in text
