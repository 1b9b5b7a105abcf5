"""Three small helpers every layer shares: the clock, whole-file writes and lazy exports.

They live below the pure core (import-linter's lowest layer, beside ``conventions``) and import
only the standard library, so any module may use them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["atomic_path", "lazy_exports", "utc_now", "write_atomic"]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC (what the service stores and compares)."""
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it over ``path``.

    For writers that want a file name (``DataFrame.to_csv``, ``pyarrow.parquet.write_table``).
    Readers never see half a file: the rename is atomic on one file system. On an error the
    temporary file is removed and ``path`` is left as it was. The temporary name carries the
    process id, so two processes writing the same file do not share one temporary file.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` whole to ``path`` (text as UTF-8) through :func:`atomic_path`.

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return target


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that import a package's exports on first use.

    ``homes`` maps each exported name to the submodule that defines it; a package's
    ``__init__`` then reads ``__getattr__, __dir__ = lazy_exports(__name__, _HOME)``. Why: the
    CLI and the service start fast when ``import netruimte.planner`` does not pull in HiGHS,
    pandas or Dask before a command needs them. A name is imported once and then kept in the
    package's namespace.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        module = sys.modules[package]
        return sorted(set(vars(module)) | set(getattr(module, "__all__", ())))

    return __getattr__, __dir__
