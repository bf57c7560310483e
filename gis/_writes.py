"""Writing files safely: the one atomic-write helper every output and every save goes through.

:func:`atomic_write` writes a file under a temporary name beside its target
(``.<name>.part-<pid>-<random><suffix>``), flushes it to disk and moves it over the target with
``os.replace``: a reader, or a process killed at any moment, sees the old file or the new one,
never half of one. The temporary name carries the writer's process id, so the next write of the
same target removes what a killed writer left behind (:func:`remove_leftovers`; also the
temporary folders of :func:`gis.io.write_vector`, made with :func:`temp_dir`).

:func:`write_error` turns an ``OSError`` (read-only folder, no permission, full disk, name too
long) into a :class:`~gis.errors.WriteError` that names the target, not the temporary file, and
says how to fix it.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gis.errors import WriteError

__all__ = ["atomic_write", "disk_full_error", "remove_leftovers", "temp_dir", "write_error"]

#: Bytes of a target's name kept in its temporary names (file names are limited to 255 bytes).
_NAME_BYTES = 120
#: A temporary file of the older naming (no process id) is a leftover after this many seconds.
_OLD_STYLE_AGE_S = 3600.0


def _stem(path: Path) -> str:
    """``.<name>.part-``: the start of every temporary name of ``path`` (name cut to fit)."""
    name = path.name.encode("utf-8")[:_NAME_BYTES].decode("utf-8", errors="ignore")
    return f".{name}.part-"


def _suffix(path: Path) -> str:
    return path.suffix if len(path.suffix) <= 16 else ""


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_leftovers(path: str | os.PathLike) -> list[Path]:
    """Delete temporary files and folders of writes of ``path`` whose process has died.

    A write killed (SIGKILL, power cut) before its ``os.replace`` leaves its temporary file (or,
    for a multi-file export, folder) beside the target. Those of a process still running are
    kept: it may be writing now. Returns what was removed.
    """
    path = Path(path)
    stem = _stem(path)
    removed = []
    try:
        entries = list(path.parent.glob(glob.escape(stem) + "*"))
    except OSError:
        return []
    for entry in entries:
        pid_text = entry.name[len(stem) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
        except OSError:
            continue
    # temporary names of earlier versions: ".<name>.<random>", cleaned once clearly stale
    name = path.name
    try:
        for entry in path.parent.glob(glob.escape(f".{name}.") + "*"):
            if entry.name.startswith(stem) or not entry.is_file():
                continue
            rest = entry.name[len(name) + 2 :]
            age = time.time() - entry.stat().st_mtime
            if len(rest.split(".")[0]) == 8 and age > _OLD_STYLE_AGE_S:
                entry.unlink(missing_ok=True)
                removed.append(entry)
    except OSError:  # a read-only folder, a file gone meanwhile: nothing (more) to clean
        pass
    return removed


def _check_name_length(path: Path) -> None:
    """Raise ENAMETOOLONG for a target name the file system cannot hold, before writing."""
    try:
        limit = os.statvfs(path.parent).f_namemax
    except (OSError, AttributeError):
        limit = 255
    if len(path.name.encode("utf-8")) > limit:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(path))


def temp_dir(path: str | os.PathLike) -> Path:
    """Make a temporary folder beside ``path`` for a multi-file write (removed by its writer,
    or by :func:`remove_leftovers` once the writer has died)."""
    path = Path(path)
    _check_name_length(path)
    remove_leftovers(path)
    return Path(tempfile.mkdtemp(prefix=f"{_stem(path)}{os.getpid()}-", dir=path.parent))


def atomic_write(
    path: str | os.PathLike, write: Callable[[Path], object], *, durable: bool = True
) -> Path:
    """Call ``write(tmp)`` then move the result over ``path``; return ``path``.

    ``tmp`` is a path beside ``path`` that does not exist yet (GDAL refuses to write over a
    file); ``write`` creates it. With ``durable`` (default) the file and its folder are
    fsync'ed, so a power cut after the call keeps the new file. On any error, or if the process
    is stopped, ``path`` is left as it was and the temporary file is removed (by this call, or
    by the next write of ``path`` if the process was killed).
    """
    path = Path(path)
    _check_name_length(path)
    remove_leftovers(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f"{_stem(path)}{os.getpid()}-", suffix=_suffix(path)
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.unlink(tmp_path)
        write(tmp_path)
        if durable:
            with open(tmp_path, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp_path, path)
        if durable:
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        if os.path.lexists(tmp_path):
            if tmp_path.is_dir() and not tmp_path.is_symlink():
                shutil.rmtree(tmp_path, ignore_errors=True)
            else:
                tmp_path.unlink(missing_ok=True)
    return path


def disk_full_error(exc: BaseException, folder: str | os.PathLike) -> OSError | None:
    """An ENOSPC ``OSError`` if ``folder``'s disk is full, else None.

    GDAL reports a full disk as "Cannot write feature" without an errno; call this on a GDAL
    write error to tell a full disk (less than 1 MiB left) from a problem with the data.
    """
    try:
        full = shutil.disk_usage(folder).free < 2**20
    except OSError:
        return None
    if not full:
        return None
    out = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
    out.__cause__ = exc
    return out


_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def write_error(
    exc: OSError,
    target: str | os.PathLike,
    *,
    what: str,
    changed: bool = False,
    writable_hint: str = "choose a writable folder",
) -> WriteError:
    """A :class:`WriteError` for ``exc`` raised while writing ``target``.

    Parameters
    ----------
    exc : OSError
        The error; its errno decides the explanation and the fix.
    target : path-like
        What was being written (named instead of any temporary file).
    what : str
        The action, e.g. ``"save layer 'roads'"``.
    changed : bool
        Whether anything was changed before the error (default: nothing was).
    writable_hint : str
        How to get a writable place, e.g. ``"copy the store and pass --layers COPY"``.
    """
    code = exc.errno
    target = Path(target)
    if code == errno.EROFS:
        why, fix = f"{target.parent} is on a read-only file system", writable_hint
    elif code in _READ_ONLY:
        why = f"no permission to write in {target.parent}"
        fix = f"make it writable (chmod/chown, or ask its owner) or {writable_hint}"
    elif code in _FULL:
        try:
            free = shutil.disk_usage(target.parent).free
            space = f" ({free / 1e6:,.1f} MB free)"
        except OSError:
            space = ""
        why = f"the disk holding {target.parent} is full{space}"
        fix = "free some space and run the command again"
    elif code == errno.ENAMETOOLONG:
        why = f"the file name is too long for the file system ({len(target.name.encode()):,} bytes)"
        fix = "use a shorter name"
    else:
        why = exc.strerror or type(exc).__name__
        fix = f"check the folder, or {writable_hint}"
    state = "Part of it may have been written" if changed else "Nothing was changed"
    return WriteError(f"cannot {what} ({target.name[:80]}): {why}. {state}; {fix}.")
