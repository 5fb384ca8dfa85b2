"""What the benchmark scripts share: the CPU's name, and their sections of docs/benchmarks.md."""

from __future__ import annotations

import platform
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def write_section(name: str, heading: str, body: str) -> Path:
    """Put ``body`` between the ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` markers of
    docs/benchmarks.md, replacing what was there; a new section goes at the end under ``heading``.
    The other scripts' sections are left as they are."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{body}\n{end}"
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + block + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
    return BENCHMARKS
