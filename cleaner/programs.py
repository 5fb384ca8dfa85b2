"""Compiled patterns kept across processes: what ``regex`` makes of a pattern, as plain values.

``regex`` parses a pattern and writes its matching code in Python: about a millisecond for a
typical rule, 8 ms for the largest shipped one, more than all the rest of a one-line run
(a pre-commit hook, a pipe). What comes out is a list of numbers, the "program", that
``regex``'s C core turns into a pattern object in microseconds. A pack validated for the
pack cache keeps each pattern's program there, keyed like the pack on ``regex``'s version,
so later processes (and the workers a rule set is sent to) skip the compiler.

The program is the arguments ``regex.compile`` hands to ``regex._regex.compile``: not a
public interface. So every step falls back to ``regex.compile``: a program that cannot be
captured is not kept, and one that cannot be restored, or restores to another pattern,
is compiled again.
"""

from __future__ import annotations

import enum
import threading

Program = tuple  # (arguments with flags as plain ints, positions of those flags)

_capturing = threading.Lock()


def capture(pattern: str, flags: int) -> Program | None:
    """The program ``regex`` writes for ``pattern`` (compiled afresh, bypassing its cache), or
    None if it cannot be taken (raises what ``regex.compile`` raises for a bad pattern)."""
    import regex
    from regex import _main

    core = getattr(_main, "_regex", None)
    if core is None or not callable(getattr(core, "compile", None)):
        return None
    recorder = _Recorder(core)
    with _capturing:  # one recorder in place at a time; other threads' compiles pass straight through it
        _main._regex = recorder
        try:
            compiled = regex.compile(pattern, flags, cache_pattern=False)
        except regex.error:
            raise
        except Exception:  # noqa: BLE001 - a regex that compiles some other way: nothing to keep
            return None
        finally:
            _main._regex = core
    arguments = recorder.arguments
    if arguments is None or not arguments or arguments[0] != pattern:
        return None
    program = (tuple(int(a) if isinstance(a, enum.Enum) else a for a in arguments),
               tuple(i for i, a in enumerate(arguments) if isinstance(a, enum.Enum)))
    if not _plain(program):
        return None
    restored = restore(program, pattern, flags)
    return program if restored is not None and restored.flags == compiled.flags else None


def restore(program: Program, pattern: str, flags: int):
    """The pattern object of ``program``, or None if it is not ``pattern`` compiled with ``flags``
    (or cannot be restored here)."""
    import regex
    from regex import _main

    try:
        arguments, flagged = program
        arguments = list(arguments)
        for index in flagged:
            arguments[index] = regex.RegexFlag(arguments[index])
        compiled = _main._regex.compile(*arguments)
    except Exception:  # noqa: BLE001 - another regex, a damaged cache: compiled the usual way
        return None
    return compiled if compiled.pattern == pattern and compiled.flags & flags == flags else None


class _Recorder:
    """Stands in for ``regex``'s C module while a pattern is compiled, noting what the compiler
    hands over in the capturing thread."""

    def __init__(self, core) -> None:
        self._core = core
        self._thread = threading.get_ident()
        self.arguments: tuple | None = None

    def compile(self, *arguments):
        if threading.get_ident() == self._thread:
            self.arguments = arguments
        return self._core.compile(*arguments)

    def __getattr__(self, name: str):
        return getattr(self._core, name)


def _plain(value) -> bool:
    """Whether marshal can keep ``value`` (the pack cache is written with marshal)."""
    import marshal

    try:
        marshal.dumps(value)
    except ValueError:
        return False
    return True
