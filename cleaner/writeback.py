"""Writing files so that an interrupted run leaves each one either old or new, never half.

The new content goes to a temporary file in the same folder, which is synced
and then renamed over the original (``os.replace`` is atomic on one file
system). The temporary name ends in ``.cleaner-tmp``; one left by a killed run
is removed when a later run walks that folder.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from .files import TEMP_SUFFIX


class AtomicFile:
    """A binary file that replaces ``path`` only on :meth:`commit`.

    ``like`` names a file whose permission bits the new file takes (the
    original, when cleaning in place). Leaving the ``with`` block without a
    commit, by an exception or Ctrl-C included, removes the temporary file.
    """

    def __init__(self, path: Path, *, like: Path | None = None) -> None:
        self.path = path
        self.like = like
        import tempfile  # not at the top: a run that writes nothing need not import it

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        self.handle = os.fdopen(fd, "wb")
        self.done = False

    def write(self, data: bytes) -> int:
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if self.like is not None:
            mode = stat.S_IMODE(self.like.stat().st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(self.temp, mode)
        os.replace(self.temp, self.path)
        self.done = True

    def discard(self) -> None:
        if not self.done:
            self.handle.close()
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.done = True

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()


def write_atomic(path: Path, data: bytes, *, like: Path | None = None) -> None:
    """Replace ``path`` with ``data`` atomically (see :class:`AtomicFile`)."""
    with AtomicFile(path, like=like) as out:
        out.write(data)
        out.commit()


def is_read_only(path: Path) -> bool:
    """True when the owner may not write ``path`` (checked on the mode bits, so it holds for root too)."""
    return not stat.S_IMODE(path.stat().st_mode) & stat.S_IWUSR
