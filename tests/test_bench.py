"""The speed benchmark's floor: its recording of pattern calls sees the engine's calls and leaves the rules as they were.

The floor (``bench/speed.py``, section ``floor``) replays the pattern calls ``Cleaner().run``
makes; if the engine ever reached the patterns some other way, the recording would be empty
and the floor would claim that cleaning could cost next to nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import regex

from cleaner import Cleaner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import speed  # noqa: E402

TEXT = "Flights to the base resumed on Friday, officials said.\nShare this article\nThe base had been closed.\n"
PLAIN = "Flights to the base resumed on Friday, officials said.\nThe base had been closed since March.\n"


def test_the_recording_sees_the_call_that_removes_a_line_and_restores_the_patterns():
    c = Cleaner()
    before = {(rule.id, name): rule.__dict__.get(name) for rule in c.rules for name in ("compiled", "compiled_unless")}
    calls = speed.recorded_calls(c, [TEXT])
    (removal,) = c.run(TEXT).removals
    remover = next(rule for rule in c.rules if rule.id == removal.rule_id)
    assert remover.pattern in {call[0].__self__.pattern for call in calls if speed._finds(call)}
    after = {(rule.id, name): rule.__dict__.get(name) for rule in c.rules for name in ("compiled", "compiled_unless")}
    assert all(not isinstance(pattern, speed._Recorder) for pattern in after.values())
    assert all(after[key] is pattern for key, pattern in before.items() if isinstance(pattern, regex.Pattern))
    assert removal.text == "Share this article"


def test_a_text_no_rule_may_match_records_no_call_that_finds_anything():
    calls = speed.recorded_calls(Cleaner(), [PLAIN])
    assert not any(speed._finds(call) for call in calls)
