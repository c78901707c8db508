"""Reading and writing the user's files: the one place every output goes through.

Writing (``write_output``, ``write_outputs``): export ``-o``, ``results --out``, ``drill --out``
and the drill screen's results file, the app's paper test, ``new``, ``import``.

- A folder is refused.
- Anything that is not a regular file (``/dev/null``, a FIFO, a terminal) is written in place:
  never replaced by a regular file.
- A regular file is written as a temporary file beside it and renamed over it, so it is always
  the old content or the new, whole; an existing regular file is only replaced with
  ``force`` (``--force``); without, the error names every file that would be replaced, checked
  before any is written.
- A write that fails (a full disk) leaves nothing behind: no temporary file, no empty file.

Reading (``read_regular``): only a regular file, opened without blocking (a FIFO does not hang,
``/dev/zero`` is not read), at most ``limit`` bytes.

Every error is an ``OutputError`` / ``InputError``: one line, file names shown escaped.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path
from typing import Iterable, Sequence, Union

from nqpf_tutor.core.text import escape
from nqpf_tutor.errors import NqpfError

Data = Union[bytes, str]


class OutputError(NqpfError):
    """A file cannot be written (or would be replaced without --force): one line."""


class InputError(NqpfError):
    """A file cannot be read, is not a regular file, or is too large: one line."""


def _name(path: str | os.PathLike) -> str:
    return escape(os.fspath(path))


def _reason(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "the disk is full"
    if e.errno == errno.EFBIG:
        return "file too large for this disk or limit"
    return e.strerror or str(e)


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


# --------------------------------------------------------------------------------------
# Writing.


def _target(path: str | os.PathLike) -> tuple[Path, os.stat_result | None]:
    """The path to write (a symlink's target, so the link is kept) and its stat (None: new)."""
    p = Path(os.fspath(path)).expanduser()
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
        if p.is_symlink():  # a dangling link: write where it points
            p = Path(os.path.realpath(p))
    except OSError as e:
        raise OutputError(f"cannot write {_name(p)}: {_reason(e)}") from None
    else:
        if stat.S_ISREG(st.st_mode) and p.is_symlink():
            p = Path(os.path.realpath(p))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {_name(p)}: it is a folder; give a file name")
    if st is None and not p.parent.is_dir():
        raise OutputError(f"cannot write {_name(p)}: the folder {_name(p.parent)} does not exist")
    return p, st


def _replace_hint(names: list[str], hint: str | None) -> str:
    if len(names) == 1:
        head = f"{names[0]} already exists"
    else:
        head = f"{', '.join(names[:-1])} and {names[-1]} already exist"
    it = "it" if len(names) == 1 else "them"
    return f"{head}; " + (hint or "add --force to replace {it}").replace("{it}", it)


def check_outputs(paths: Iterable[str | os.PathLike], *, force: bool = False, hint: str | None = None) -> None:
    """Refuse (``OutputError``) before anything is written: a folder, a missing folder, or
    without ``force`` any existing regular file (every one named in the message, then
    ``hint``, where ``{it}`` reads "it" or "them"; default: add --force to replace {it})."""
    existing = []
    for p in paths:
        target, st = _target(p)
        if st is not None and stat.S_ISREG(st.st_mode) and not force:
            existing.append(_name(p))
    if existing:
        raise OutputError(_replace_hint(existing, hint))


def _bytes(data: Data) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _in_place(path: Path, data: bytes) -> None:
    """Write to a device, FIFO or terminal without replacing it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise OutputError(f"cannot write {_name(path)}: a FIFO with nothing reading from it") from None
        raise OutputError(f"cannot write {_name(path)}: {_reason(e)}") from None
    try:
        os.set_blocking(fd, True)
        _write_all(fd, data)
    except OSError as e:
        raise OutputError(f"cannot write {_name(path)}: {_reason(e)}") from None
    finally:
        os.close(fd)


class _Staged:
    """A regular file's new content, written and synced in a temporary file beside it."""

    def __init__(self, path: Path, st: os.stat_result | None, data: bytes) -> None:
        self.path, self.st = path, st
        self.tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except OSError as e:
            raise OutputError(f"cannot write {_name(path)}: {_reason(e)}") from None
        try:
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if st is not None:
                os.chmod(self.tmp, stat.S_IMODE(st.st_mode))
        except OSError as e:
            self.discard()
            raise OutputError(f"cannot write {_name(path)}: {_reason(e)}") from None

    def commit(self, force: bool) -> None:
        try:
            if force or self.st is not None:
                os.replace(self.tmp, self.path)
            else:
                try:  # a new file: never over one that appeared meanwhile
                    os.link(self.tmp, self.path)
                except FileExistsError:
                    raise OutputError(_replace_hint([_name(self.path)], None)) from None
                except OSError as e:
                    if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                        raise
                    os.replace(self.tmp, self.path)  # a file system without hard links
                self.discard()
        except OutputError:
            self.discard()
            raise
        except OSError as e:
            self.discard()
            raise OutputError(f"cannot write {_name(self.path)}: {_reason(e)}") from None

    def discard(self) -> None:
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def write_outputs(items: Sequence[tuple[str | os.PathLike, Data]], *, force: bool = False,
                  hint: str | None = None) -> list[Path]:
    """Write several files as one: all checked first (``check_outputs``), all regular files
    staged in temporary files, then put in place; a failure leaves none of them written.
    Returns the paths written (a symlink's own path, as given)."""
    check_outputs([p for p, _ in items], force=force, hint=hint)
    staged: list[_Staged] = []
    in_place: list[tuple[Path, bytes]] = []
    try:
        for p, data in items:
            target, st = _target(p)
            if st is not None and stat.S_ISREG(st.st_mode) and not force:
                raise OutputError(_replace_hint([_name(p)], hint))  # appeared since the check
            if st is None or stat.S_ISREG(st.st_mode):
                staged.append(_Staged(target, st, _bytes(data)))
            else:
                in_place.append((target, _bytes(data)))
        done: list[_Staged] = []
        for s in staged:
            try:
                s.commit(force)
            except OutputError:
                for d in done:  # the new files of this set go again; replaced ones cannot
                    if d.st is None:
                        try:
                            os.unlink(d.path)
                        except OSError:
                            pass
                raise
            done.append(s)
    finally:
        for s in staged:
            s.discard()
    for target, data in in_place:
        _in_place(target, data)
    return [Path(os.fspath(p)).expanduser() for p, _ in items]


def write_output(path: str | os.PathLike, data: Data, *, force: bool = False, hint: str | None = None) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path``: see the module's rules."""
    return write_outputs([(path, data)], force=force, hint=hint)[0]


def is_special(path: str | os.PathLike) -> bool:
    """True for an existing target that is not a regular file or a folder (``/dev/null``, a
    FIFO, a terminal): written in place, and nothing is written beside it."""
    try:
        mode = os.stat(Path(os.fspath(path)).expanduser()).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def free_name(path: Path) -> Path:
    """``path``, or ``NAME-2.ext``, ``NAME-3.ext``... the first that does not exist yet."""
    if not os.path.lexists(path):
        return path
    i = 2
    while os.path.lexists(path.with_name(f"{path.stem}-{i}{path.suffix}")):
        i += 1
    return path.with_name(f"{path.stem}-{i}{path.suffix}")


# --------------------------------------------------------------------------------------
# Reading.


def read_regular(path: str | os.PathLike, *, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    Opened without blocking and checked with ``fstat`` on the open file: a FIFO, a device
    (a link to ``/dev/zero``), a folder or a symlink loop is an ``InputError`` at once.
    """
    p = os.fspath(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(f"{escape(p)}: no such file") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError(f"{escape(p)}: is a symlink loop, not a {what}") from None
        raise InputError(f"{escape(p)}: cannot read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{escape(p)}: is {_kind(st.st_mode)}, not a {what}")
        if st.st_size > limit:
            raise InputError(f"{escape(p)}: too large for a {what} ({_size(st.st_size)}; the limit is {_size(limit)})")
        os.set_blocking(fd, True)
        buf = io.BytesIO()
        while buf.tell() <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - buf.tell()) or 1)
            if not chunk:
                break
            buf.write(chunk)
        if buf.tell() > limit:  # it grew while read
            raise InputError(f"{escape(p)}: too large for a {what} (over {_size(limit)})")
        return buf.getvalue()
    except OSError as e:
        raise InputError(f"{escape(p)}: cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB".replace(".0 MB", " MB")
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} KB"
    return f"{n} bytes"


__all__ = ["InputError", "OutputError", "check_outputs", "free_name", "is_special", "read_regular", "write_output",
           "write_outputs"]
