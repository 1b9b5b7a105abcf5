"""Uploaded file bundles: a main TOML file plus the CSV files it refers to.

A scenario or a site arrives as one TOML file, several files, or a zip of them (the format
``GET /api/v1/scenario?format=zip`` writes). The bundle is checked before any loader reads it:
every value under a key ending in ``csv`` (``load_csv``, ``profile_csv``, ``requests_csv``,
``csv``, ``energy_price_csv``…) must name a file inside the bundle by a relative path, so an
upload can never make the server read its own files (``/etc/passwd``, ``../secret.csv``).
The loaders then read the bundle from a private temporary directory, and errors name the file
as the user sent it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import posixpath
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from netruimte.errors import InputError
from netruimte.profiles.csv_io import csv_separator
from netruimte.scenario.toml_limits import parse_toml_text

__all__ = [
    "MAX_BUNDLE_BYTES",
    "Bundle",
    "check_references",
    "csv_references",
    "load_in_tempdir",
    "main_toml",
    "make_bundle",
    "parse_toml",
]

MAX_BUNDLE_BYTES = 200 * 1024 * 1024
"""Largest bundle accepted (all files together, after unzipping)."""

MAX_BUNDLE_FILES = 5000
"""Most files in one bundle (a zip's entries included): each becomes a stored file."""

MAX_NAME_CHARS = 200
"""Longest file name (one path component) and, times four, longest path in a bundle."""

_READ_CHUNK = 1024 * 1024

T = TypeVar("T")
Bundle = dict[str, bytes]
"""Relative POSIX path → file content."""


def _clean_name(name: str) -> str:
    text = name.replace("\\", "/").strip()
    norm = posixpath.normpath(text)
    if (
        not text
        or text.startswith("/")
        or norm.startswith("../")
        or norm in ("..", ".")
        or ":" in norm.split("/")[0]
    ):
        raise InputError(
            f"file name {name[:100]!r} must be a relative path inside the upload", field="files"
        )
    if len(norm) > 4 * MAX_NAME_CHARS or any(len(p) > MAX_NAME_CHARS for p in norm.split("/")):
        raise InputError(
            f"file name {name[:60]!r}… is too long (at most {MAX_NAME_CHARS} characters per "
            "folder or file name)",
            field="files",
        )
    return norm


def _unzip(name: str, content: bytes, total: int, count: int) -> Iterator[tuple[str, bytes]]:
    """The files of a zip, decompressed in chunks so that the real size counts, not the size
    its headers claim (they may lie); stops at the limits of files and bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InputError(f"{name[:100]}: not a valid zip file", field="files") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            count += 1
            if count > MAX_BUNDLE_FILES:
                raise InputError(
                    f"the upload holds more than {MAX_BUNDLE_FILES} files", field="files"
                )
            key = _clean_name(info.filename)
            parts = []
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_READ_CHUNK):
                        total += len(chunk)
                        if total > MAX_BUNDLE_BYTES:
                            raise InputError(_TOO_LARGE, field="files")
                        parts.append(chunk)
            except InputError:
                raise
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError,
                    OSError) as exc:  # fmt: skip
                raise InputError(
                    f"{name[:100]}: cannot unpack {key[:100]!r} ({type(exc).__name__})",
                    field="files",
                ) from None
            yield key, b"".join(parts)


_TOO_LARGE = f"the upload is too large (over {MAX_BUNDLE_BYTES // (1024 * 1024)} MB unpacked)"


def make_bundle(uploads: Sequence[tuple[str, bytes]]) -> Bundle:
    """A bundle from uploaded ``(name, content)`` pairs; zip files are unpacked.

    Raises InputError when the files together (unpacked) exceed :data:`MAX_BUNDLE_BYTES`, when
    there are more than :data:`MAX_BUNDLE_FILES`, when a name is not a relative path, too long,
    given twice, or both a file and a folder (``load.csv`` and ``load.csv/x.csv``).
    """
    bundle: Bundle = {}
    total = 0

    def add(key: str, content: bytes) -> None:
        nonlocal total
        total += len(content)
        if total > MAX_BUNDLE_BYTES:
            raise InputError(_TOO_LARGE, field="files")
        if key in bundle:
            raise InputError(f"file {key[:100]!r} uploaded twice", field="files")
        if len(bundle) >= MAX_BUNDLE_FILES:
            raise InputError(f"the upload holds more than {MAX_BUNDLE_FILES} files", field="files")
        bundle[key] = content

    for name, content in uploads:
        if name.lower().endswith(".zip") or content[:4] == b"PK\x03\x04":
            for key, data in _unzip(name, content, total, len(bundle)):
                add(key, data)
            continue
        add(_clean_name(name), content)
    if not bundle:
        raise InputError("no files uploaded", field="files")
    folders = {k.rsplit("/", 1)[0] for k in bundle if "/" in k}
    folders |= {f.rsplit("/", i)[0] for f in folders for i in range(1, f.count("/") + 1)}
    clash = sorted(folders & bundle.keys())
    if clash:
        raise InputError(
            f"{clash[0][:100]!r} is both a file and a folder in the upload", field="files"
        )
    return bundle


def main_toml(bundle: Mapping[str, bytes], main: str | None = None) -> str:
    """The bundle's main TOML file: ``main`` if given, else the only top-level ``.toml``."""
    if main is not None:
        key = _clean_name(main)
        if key not in bundle:
            raise InputError(f"file {main!r} is not in the upload", field="main")
        return key
    tomls = sorted(k for k in bundle if k.lower().endswith(".toml"))
    if not tomls:
        raise InputError("the upload has no .toml file", field="files")
    depth = min(k.count("/") for k in tomls)
    top = [k for k in tomls if k.count("/") == depth]
    if len(top) > 1:
        raise InputError(
            f"the upload has several .toml files ({', '.join(top)}); name the main one",
            field="main",
        )
    return top[0]


def parse_toml(bundle: Mapping[str, bytes], name: str) -> dict[str, Any]:
    """Parse a TOML file of the bundle (InputError naming the file and line)."""
    try:
        text = bundle[name].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=name) from None
    return parse_toml_text(text, name)


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)
    else:
        yield key, value


def _resolve(bundle: Mapping[str, bytes], base: str, ref: str, key: str, source: str) -> str:
    if ref.startswith("/") or ref.startswith("\\") or (len(ref) > 1 and ref[1] == ":"):
        raise InputError(
            f"{ref!r} must be a path relative to this file, not an absolute path",
            source=source,
            field=key,
        )
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), ref.replace("\\", "/")))
    if path.startswith("../") or path == "..":
        raise InputError(f"{ref!r} points outside the upload", source=source, field=key)
    if path not in bundle:
        raise InputError(
            f"file {ref!r} is not in the upload (expected {path!r}); upload it with this file "
            "or as a zip",
            source=source,
            field=key,
        )
    return path


def check_references(bundle: Mapping[str, bytes], main: str) -> dict[str, Any]:
    """Parse the main TOML and check that every ``*csv`` value names a file of the bundle."""
    data = parse_toml(bundle, main)
    for key, value in _walk(data):
        if key.lower().endswith("csv") and isinstance(value, str):
            _resolve(bundle, main, value, key, main)
    return data


def csv_references(bundle: Mapping[str, bytes], main: str) -> dict[tuple[str, ...], str]:
    """Check every ``*csv`` reference and return where the profile files are.

    Keys of the result: ``("station", id, "load_csv" | "feedin_load_csv")`` and
    ``("request", id)``; values: bundle paths. References in request CSV files
    (``profile_csv`` columns) are resolved relative to that CSV file.
    """
    data = check_references(bundle, main)
    refs: dict[tuple[str, ...], str] = {}
    for table in data.get("station", []) if isinstance(data.get("station"), list) else []:
        if not isinstance(table, dict):
            continue
        for key in ("load_csv", "feedin_load_csv"):
            if isinstance(table.get(key), str) and isinstance(table.get("id"), str):
                refs[("station", table["id"], key)] = _resolve(bundle, main, table[key], key, main)
    for table in data.get("request", []) if isinstance(data.get("request"), list) else []:
        if (
            isinstance(table, dict)
            and isinstance(table.get("profile_csv"), str)
            and isinstance(table.get("id"), str)
        ):
            refs[("request", table["id"])] = _resolve(
                bundle, main, table["profile_csv"], "profile_csv", main
            )
    head = data.get("scenario")
    csvs = head.get("requests_csv", []) if isinstance(head, dict) else []
    for rel in [csvs] if isinstance(csvs, str) else csvs if isinstance(csvs, list) else []:
        if not isinstance(rel, str):
            continue
        path = _resolve(bundle, main, rel, "requests_csv", main)
        refs.update(_csv_profile_refs(bundle, path))
    return refs


def _csv_profile_refs(bundle: Mapping[str, bytes], path: str) -> dict[tuple[str, ...], str]:
    try:
        text = bundle[path].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=path) from None
    lines = text.splitlines()
    if not lines:
        return {}
    # the same separator the requests reader will see (scenario.waitlist_csv)
    reader = csv.reader(lines, delimiter=csv_separator(lines[0]))
    header = [h.strip() for h in next(reader)]
    if "profile_csv" not in header or "id" not in header:
        return {}
    col, id_col = header.index("profile_csv"), header.index("id")
    refs: dict[tuple[str, ...], str] = {}
    for lineno, row in enumerate(reader, start=2):
        if len(row) != len(header) or not row[col].strip():
            continue
        try:
            refs[("request", row[id_col].strip())] = _resolve(
                bundle, path, row[col].strip(), "profile_csv", path
            )
        except InputError as exc:
            raise InputError(exc.message, source=path, line=lineno, field="profile_csv") from None
    return refs


def _relabel(exc: InputError, root: Path) -> InputError:
    source = exc.source
    if source is not None:
        with contextlib.suppress(ValueError):  # a file outside the bundle keeps its name
            source = Path(source).resolve().relative_to(root.resolve()).as_posix()
    return InputError(_hide(exc.message, root), source=source, line=exc.line, field=exc.field)


def _hide(message: str, root: Path) -> str:
    """The message without the server's temporary directory (names stay as uploaded)."""
    for prefix in {str(root.resolve()), str(root)}:
        message = message.replace(prefix + "/", "").replace(prefix, ".")
    return message


@contextmanager
def _tempdir(bundle: Mapping[str, bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="netruimte-upload-") as tmp:
        root = Path(tmp)
        for name, content in bundle.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        yield root


def load_in_tempdir(bundle: Mapping[str, bytes], main: str, loader: Callable[[Path], T]) -> T:
    """Write the bundle to a private temporary directory and run ``loader(path of main)``.

    InputErrors name files relative to the bundle, as the user sent them.
    """
    with _tempdir(bundle) as root:
        try:
            return loader(root / main)
        except InputError as exc:
            raise _relabel(exc, root) from None
        except (OSError, RecursionError) as exc:  # a name or a file the loader cannot read
            name = getattr(exc, "filename", None)
            where = _hide(str(name), root) if name else main
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise InputError(f"cannot read {where[:200]!r}: {reason}", source=main) from None
