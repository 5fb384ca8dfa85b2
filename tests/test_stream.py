"""--jsonl on stdin with worker processes: same bytes, same messages, in input order."""

import io
import json
import subprocess
import sys
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import workers
from cleaner.workers import CHUNK_BYTES, CHUNK_LINES

APPEAL = "A Message from The Example Times:\nDear readers,\nPlease support us.\nRemind me later.\n"
PAD = "filler " * 60  # records of about 600 bytes: a few thousand of them fill several chunks
ARTICLE = "The council voted on Tuesday to keep the old depot, after a long debate over its future.\n"


def corpus(records: int, bad_line: int) -> bytes:
    lines = []
    for number in range(1, records + 1):
        if number == bad_line:
            lines.append(b"{not json\n")
            continue
        text = ARTICLE + (APPEAL if number % 3 == 0 else "")
        lines.append(json.dumps({"id": number, "text": text, "pad": PAD}).encode() + b"\n")
    return b"".join(lines)


def run(data: bytes, jobs: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", "--jsonl", "--stats", "-j", jobs],
        input=data,
        capture_output=True,
    )


def test_two_workers_give_the_same_output_messages_and_stats_as_one():
    records = 2 * CHUNK_LINES + 500
    data = corpus(records, bad_line=CHUNK_LINES + 7)
    assert len(data) > 2 * CHUNK_BYTES  # three chunks or more, so the pool is used
    one, two = run(data, "1"), run(data, "2")
    assert one.returncode == two.returncode == 3  # the invalid line
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert f"<stdin>:{CHUNK_LINES + 7}: invalid JSON".encode() in two.stderr
    out = two.stdout.splitlines()
    assert len(out) == records
    assert [json.loads(line)["id"] for i, line in enumerate(out) if i != CHUNK_LINES + 6] == [
        n for n in range(1, records + 1) if n != CHUNK_LINES + 7
    ]
    assert b"Remind me later" not in two.stdout


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([b"", b"\n", b"\r\n", b"\r", b"a", b"{}", b'"x"', b"\xc3\xa9", b"z" * 40]), max_size=60),
    st.integers(min_value=1, max_value=50),
)
def test_a_stream_is_cut_into_the_lines_iterating_it_gives(pieces, block):
    data = b"".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workers, "CHUNK_BYTES", block)  # lines longer than a block, and many in one
        chunks = list(workers._chunks(io.BytesIO(data)))
    assert [line for _, chunk in chunks for line in chunk] == list(io.BytesIO(data))
    assert [start for start, _ in chunks] == list(accumulate([1, *(len(chunk) for _, chunk in chunks)]))[: len(chunks)]
    assert all(chunk for _, chunk in chunks)
