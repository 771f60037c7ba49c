"""Packing answers for the ``answers`` table: zstd, or zlib where zstd is missing."""

from __future__ import annotations

import sys
import zlib
from functools import cache
from types import ModuleType

from .results import CatalogDamaged, CatalogError

_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"  # how a packed answer starts (zlib's start with 0x78)


@cache
def _zstd() -> ModuleType | None:
    """The standard library's zstd module (PEP 784; backports.zstd before Python 3.14),
    imported when first used: the reader's launch does not need it. None on a Python
    built without it (the module is optional in 3.14)."""
    try:
        if sys.version_info >= (3, 14):
            from compression import zstd  # type: ignore[import-not-found]
        else:
            from backports import zstd
    except ImportError:
        return None
    return zstd


def pack(data: bytes) -> bytes:
    """Compress an answer's UTF-8 bytes for the ``answer`` column."""
    # zstd level 1: a third of zlib level 1's time on 5 KB answers (27-30 against
    # 86-98 us, ~13 s of a cold index's CPU at 150,000), unpacked in half the time,
    # and a little smaller (0.444 of the bytes against 0.456).
    zstd = _zstd()
    if zstd is None:
        return zlib.compress(data, 1)
    return zstd.compress(data, 1)


def unpack(blob: bytes | str | None) -> str:
    """An ``answer`` column's text (SQLite calls it as ``unzip`` in the FTS view)."""
    if blob is None:
        return ""
    if isinstance(blob, str):
        return blob
    if blob[:4] == _ZSTD_FRAME:
        zstd = _zstd()
        if zstd is None:
            raise CatalogError(
                "its answers are packed with zstd, which this Python lacks; delete the "
                "catalog to have it rebuilt"
            )
        try:
            return zstd.decompress(blob).decode("utf-8")
        except Exception as exc:  # zstd.ZstdError, UnicodeDecodeError: damaged bytes
            raise CatalogDamaged(f"an answer in the catalog is damaged ({exc})") from exc
    # Packed where zstd was missing (a zlib stream starts with 0x78, never with the
    # zstd frame's magic).
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, ValueError) as exc:
        raise CatalogDamaged(f"an answer in the catalog is damaged ({exc})") from exc
