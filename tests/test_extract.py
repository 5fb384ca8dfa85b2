"""HTML recognition (no trafilatura needed) and extraction through the CLI (skipped without it)."""

from __future__ import annotations

import json

import pytest

from cleaner.extract import looks_like_html

from conftest import HTML, SEEDS, invoke

PAGES = sorted(HTML.glob("*.html"))


@pytest.fixture
def trafilatura():
    return pytest.importorskip("trafilatura")


def test_fixtures_are_present():
    assert [p.name for p in PAGES] == ["article.html", "empty.html", "fragment.html"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_and_fragments_look_like_html(page):
    data = page.read_bytes()
    assert looks_like_html(data)
    assert looks_like_html(data.decode("utf-8"))
    assert looks_like_html(b"\xef\xbb\xbf\n  " + data)  # BOM and whitespace first
    assert looks_like_html("\ufeff\n  " + data.decode("utf-8"))


@pytest.mark.parametrize(
    "start", ["", " \t\r\n\f\v", "\ufeff", "  \ufeff\n", "\u00a0", "\u2028", "\ufeff\ufeff", " " * 4090, " " * 5000, "x"]
)
def test_a_string_is_sniffed_as_its_utf8_bytes_are(start):
    page = (PAGES[0].read_bytes()).decode("utf-8")
    for text in (start + page, start + "<3 you all", start + "<p>one</p>"):
        assert looks_like_html(text) == looks_like_html(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "<3 you all, said the caption under the photo.\nIt was shared widely.",
        "< 5 km from the border, the village was shelled again.",
        "<<< Back to the list of articles",
        "Flights resumed.\n<p>Not at the start.</p>",
        "<b>bold</b> is a tag the sniffer does not count as a page",
        "",
    ],
)
def test_prose_does_not_look_like_html(text):
    assert not looks_like_html(text)


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_seeds_do_not_look_like_html(seed):
    assert not looks_like_html(seed.read_bytes())


def test_clean_html_page_prints_the_body_text(trafilatura):
    result = invoke(["clean"], input=(HTML / "article.html").read_bytes())
    out = result.stdout
    assert "Russia has resumed military flights to its Hmeimim air base in Syria" in out
    assert "Moscow views both of its bases in Syria as key hubs" in out
    assert "<" not in out and ">" not in out
    for junk in ("Privacy policy", "All rights reserved", "Subscribe", "dataLayer"):
        assert junk not in out
    assert out.endswith("\n")
    assert result.stderr == ""


def test_clean_html_fragment(trafilatura):
    out = invoke(["clean"], input=(HTML / "fragment.html").read_bytes()).stdout
    assert out.startswith("The council voted on Monday")
    assert "<p>" not in out


def test_input_format_text_keeps_the_markup():
    data = (HTML / "fragment.html").read_bytes()
    assert invoke(["clean", "--input-format", "text", "--no-default-rules"], input=data).stdout_bytes == data


def test_html_without_text_is_reported_and_prints_nothing(trafilatura):
    result = invoke(["clean"], input=(HTML / "empty.html").read_bytes(), exit_code=3)
    assert result.stdout_bytes == b""
    assert result.stderr.startswith("error: <stdin>")
    assert "no article text" in result.stderr


def test_jsonl_html_field_to_text_field(trafilatura):
    page = (HTML / "article.html").read_text(encoding="utf-8")
    empty = (HTML / "empty.html").read_text(encoding="utf-8")
    text = "".join(json.dumps({"url": u, "html": h}) + "\n" for u, h in (("a", page), ("b", empty)))
    result = invoke(["clean", "--jsonl", "--field", "html", "--to-field", "text"], input=text, exit_code=3)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert list(first) == ["url", "html", "text"]
    assert first["html"] == page
    assert "Russia has resumed military flights" in first["text"]
    assert "<p>" not in first["text"]
    assert second["html"] == empty
    assert second.get("text") is None
    assert "<stdin>:2" in result.stderr
