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
    lines = [io.BytesIO(chunk).readlines() for _, chunk in chunks]  # as a worker splits a block
    assert [line for block in lines for line in block] == list(io.BytesIO(data))
    assert [start for start, _ in chunks] == list(accumulate([1, *(len(block) for block in lines)]))[: len(chunks)]
    assert all(chunk.endswith(b"\n") for _, chunk in chunks[:-1]) and all(chunk for _, chunk in chunks)


def stream_outputs(data: bytes, jobs: int, **options) -> list[bytes]:
    """clean_stream on ``data`` as a binary stream (stdin), in process: the chunks' outputs."""
    from cleaner import Cleaner

    job = workers.StreamJob(Cleaner(), "<stdin>", **options)
    return [chunk.output for chunk in workers.clean_stream(io.BytesIO(data), job, jobs=jobs)]


def test_workers_take_their_blocks_from_shared_memory_and_give_the_same_bytes(monkeypatch):
    placed = []
    place = workers._Slots.place
    monkeypatch.setattr(workers._Slots, "place", lambda self, chunk: placed.append(place(self, chunk)) or placed[-1])
    data = corpus(2 * CHUNK_LINES + 500, bad_line=7)
    assert b"".join(stream_outputs(data, 2)) == b"".join(stream_outputs(data, 1))
    assert len(placed) >= 3 and all(slot is not None for slot in placed)


def by_pipe(monkeypatch) -> dict[str, int]:
    """Counts of the blocks that went to a worker, and came back, by pipe (not by slot)."""
    counts = {"to": 0, "back": 0}
    place, returned = workers._Slots.place, workers._returned

    def counted_place(self, chunk):
        slot = place(self, chunk)
        counts["to"] += slot is None
        return slot

    def counted_return(slots, chunk, slot, future):
        counts["back"] += slot is not None and isinstance(future.result().output, bytes)
        return returned(slots, chunk, slot, future)

    monkeypatch.setattr(workers._Slots, "place", counted_place)
    monkeypatch.setattr(workers, "_returned", counted_return)
    return counts


def test_a_record_longer_than_a_slot_goes_by_pipe(monkeypatch):
    counts = by_pipe(monkeypatch)
    data = corpus(2 * CHUNK_LINES + 500, bad_line=7)
    record = json.dumps({"id": 0, "text": ARTICLE + "word " * (3 * CHUNK_BYTES // 5) + "\n" + APPEAL}).encode()
    middle = data.index(b"\n", len(data) // 2) + 1
    data = data[:middle] + record + b"\n" + data[middle:]
    two = b"".join(stream_outputs(data, 2))
    assert two == b"".join(stream_outputs(data, 1))
    assert counts["to"] == 1
    long = [line for line in two.splitlines() if len(line) > 3 * CHUNK_BYTES]
    assert len(long) == 1 and b"Remind me later" not in long[0]


def test_an_output_longer_than_its_slot_comes_back_by_pipe(monkeypatch):
    """--to-field doubles a block of long texts: more than its slot holds."""
    counts = by_pipe(monkeypatch)
    text = ARTICLE + "word " * (CHUNK_BYTES // 10) + "\n" + APPEAL  # half a block
    data = b"".join(json.dumps({"id": n, "text": text}).encode() + b"\n" for n in range(12))
    two = b"".join(stream_outputs(data, 2, to_field="clean"))
    assert two == b"".join(stream_outputs(data, 1, to_field="clean"))
    assert counts["back"] >= 1
    records = [json.loads(line) for line in two.splitlines()]
    assert [r["text"] for r in records] == [text] * 12
    assert all("Remind me later" not in r["clean"] and r["clean"].startswith(ARTICLE) for r in records)


def test_without_fork_the_blocks_go_by_pipe(monkeypatch):
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: spawn)
    monkeypatch.setattr(workers, "_Slots", None)  # not even made
    data = corpus(2 * CHUNK_LINES + 500, bad_line=7)
    assert b"".join(stream_outputs(data, 2)) == b"".join(stream_outputs(data, 1))


def test_without_shared_memory_the_blocks_go_by_pipe(monkeypatch):
    """An address space too small for the slots (a ulimit), say: the run goes on by pipe."""
    import mmap

    def no_memory(*args, **kwargs):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", no_memory)
    counts = by_pipe(monkeypatch)
    data = corpus(2 * CHUNK_LINES + 500, bad_line=7)
    assert b"".join(stream_outputs(data, 2)) == b"".join(stream_outputs(data, 1))
    assert counts == {"to": 0, "back": 0}  # no slot was ever offered
