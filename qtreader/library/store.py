"""Safe JSON files for user data: atomic writes, an inter-process lock, damage kept aside.

Every change is applied as lock -> read what is on disk -> change -> write a
temp file -> fsync -> ``os.replace``. Two processes therefore never lose each
other's changes, and a crash at any instant leaves the old or the new file, whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def json_bytes(data: object) -> bytes:
    """``data`` as a store writes it: UTF-8 JSON that json.loads reads back as it was.
    A byte that was not UTF-8 (in a library folder's path, held by Python as a lone
    surrogate, U+DC80..U+DCFF, which UTF-8 cannot hold) is written as the JSON escape
    ``\\udcff``; json.loads gives the same surrogate back. Other text is as it was."""
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8", "backslashreplace")


class StoreReadOnly(Exception):
    """The file was written by a newer qtreader: it is never overwritten."""


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive inter-process lock beside ``path`` (``<name>.lock``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class JsonFile:
    """A versioned JSON document on disk, changed only through :meth:`update`."""

    def __init__(self, path: Path, version: int, empty: Callable[[], dict[str, Any]]):
        self.path = Path(path)
        self.version = version
        self._empty = empty
        self.read_only = False
        self.messages: list[str] = []  # what the user should be told, once

    def _set_aside(self, why: str) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            self.read_only = True
            self.messages.append(
                f"{self.path} is damaged ({why}) and could not be moved aside "
                f"({exc.strerror or exc}); changes will not be saved this session."
            )
            return
        self.messages.append(
            f"{self.path} was damaged ({why}); it was kept as {aside} and a new one started."
        )

    def _read_unlocked(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._empty()
        except OSError as exc:
            self.read_only = True
            self.messages.append(
                f"{self.path} cannot be read ({exc.strerror or exc}); "
                "changes will not be saved this session."
            )
            return self._empty()
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the top level is not an object")
            version = data.get("version")
            if not isinstance(version, int):
                raise ValueError("it has no version number")
        except (ValueError, UnicodeDecodeError) as exc:
            self._set_aside(str(exc).splitlines()[0][:80])
            return self._empty()
        if version > self.version:
            if not self.read_only:
                self.messages.append(
                    f"{self.path} was written by a newer qtreader (format {version}); "
                    "it is shown read-only and will not be changed."
                )
            self.read_only = True
        return data

    def read(self) -> dict[str, Any]:
        if not self.path.exists():
            return self._empty()
        with file_lock(self.path):
            return self._read_unlocked()

    def update(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply ``change`` to what is on disk now, and save the result."""
        with file_lock(self.path):
            data = self._read_unlocked()
            if self.read_only:
                raise StoreReadOnly(self.messages[-1] if self.messages else str(self.path))
            change(data)
            data["version"] = self.version
            encoded = json_bytes(data)
            atomic_write(self.path, encoded)
            return data

    def take_messages(self) -> list[str]:
        messages, self.messages = self.messages, []
        return messages
