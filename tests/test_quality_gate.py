"""Quality gate: on a fixed sample of real pages, the shipped packs keep what must stay and
remove what must go, at least as well as pinned here (see data/quality/ATTRIBUTION.md).

The floors are the counts measured when the sample was added; a rule change that loses a
snippet of article text, or lets a removed snippet back in, fails this test.
"""

import gzip
import json
import re
from pathlib import Path

import pytest

trafilatura = pytest.importorskip("trafilatura")

from cleaner import Cleaner  # noqa: E402

SAMPLE = Path(__file__).parent / "data" / "quality"
PAGES = json.loads((SAMPLE / "snippets.json").read_text(encoding="utf-8"))
WITH_PRESENT_FLOOR = 83  # of 84 "with" snippets (trafilatura alone: 83)
WITHOUT_ABSENT_FLOOR = 81  # of 82 "without" snippets (trafilatura alone: 80)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def outputs():
    cleaner = Cleaner()
    result = {}
    for name in PAGES:
        html = gzip.decompress((SAMPLE / "html" / f"{name}.gz").read_bytes())
        alone = trafilatura.extract(html, output_format="txt", include_comments=False) or ""
        result[name] = (normalise(alone), normalise(cleaner.run(html, input_format="html").text))
    return result


def test_sample_is_complete():
    assert len(PAGES) == 28
    assert sum(len(p["with"]) for p in PAGES.values()) == 84
    assert sum(len(p["without"]) for p in PAGES.values()) == 82


def test_article_snippets_stay(outputs):
    present = sum(normalise(s) in outputs[n][1] for n, page in PAGES.items() for s in page["with"])
    assert present >= WITH_PRESENT_FLOOR


def test_boilerplate_snippets_go(outputs):
    absent = sum(normalise(s) not in outputs[n][1] for n, page in PAGES.items() for s in page["without"])
    assert absent >= WITHOUT_ABSENT_FLOOR


@pytest.mark.parametrize("name", sorted(PAGES))
def test_rules_never_lose_a_snippet_trafilatura_kept(outputs, name):
    alone, cleaned = outputs[name]
    lost = [s for s in PAGES[name]["with"] if normalise(s) in alone and normalise(s) not in cleaned]
    assert lost == []
