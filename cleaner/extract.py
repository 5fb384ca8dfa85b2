"""HTML recognition and extraction of the main text with trafilatura.

The only module that imports trafilatura, and only when HTML is seen, so that
plain-text runs start fast.
"""

from __future__ import annotations

import re

MODES = ("precision", "balanced", "recall")
DEFAULT_MODE = "balanced"

_SNIFF_BYTES = 4096
_HTML_START = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|!--|meta|title|div|p|article|section|main)\b", re.I)
_TEXT_START = re.compile("[ \t\n\r\f\v]*\ufeff?[ \t\n\r\f\v]*<")  # _HTML_START's opening, on a string
_HTML_TAG = re.compile(rb"<(?:html|head|body|div|p|article|section|main|span|a|meta|title|script|table)\b[^>]*>", re.I)


def looks_like_html(document: str | bytes) -> bool:
    """True when the start of ``document`` is an HTML page or fragment, not prose.

    The document must open with a tag (after whitespace or a BOM) and hold a
    common HTML element within its first 4 KB, so that prose which happens to
    start with ``<`` is not mistaken for markup.
    """
    if isinstance(document, str):
        if not _TEXT_START.match(document):  # prose: no need to encode 4 KB to learn that
            return False
        head = document[:_SNIFF_BYTES].encode("utf-8", "replace")
    else:
        head = document[:_SNIFF_BYTES]
    return bool(_HTML_START.match(head)) and bool(_HTML_TAG.search(head))


def html_to_text(html: str | bytes, *, mode: str = DEFAULT_MODE, url: str | None = None) -> str | None:
    """The main text of an HTML page, one paragraph a line, or None when trafilatura finds none.

    ``mode`` picks trafilatura's trade-off: ``precision`` (favor_precision),
    ``balanced`` or ``recall`` (favor_recall). Comments are left out.
    """
    if mode not in MODES:
        raise ValueError(f"extraction mode must be one of {', '.join(MODES)}, not {mode!r}")
    import trafilatura  # deferred: costs about half a second to import

    return trafilatura.extract(
        html,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        favor_precision=mode == "precision",
        favor_recall=mode == "recall",
        deduplicate=False,
        with_metadata=False,
    )
