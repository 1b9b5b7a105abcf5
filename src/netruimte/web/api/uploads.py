"""Reading multipart uploads with a size limit."""

from __future__ import annotations

from typing import Any

from fastapi import File, UploadFile

from netruimte.errors import InputError

__all__ = ["MAX_FILES", "files_field", "read_uploads"]

_CHUNK = 1024 * 1024
MAX_FILES = 1000  # files in one upload


def files_field(description: str) -> Any:
    """The ``files`` form field of an upload endpoint: one to :data:`MAX_FILES` files.

    Use as ``files: Annotated[list[UploadFile], files_field("...")]``; read them with
    :func:`read_uploads`.
    """
    return File(min_length=1, max_length=MAX_FILES, description=description)


def read_uploads(files: list[UploadFile], limit: int) -> list[tuple[str, bytes]]:
    """``(file name, content)`` of each upload; InputError when together over ``limit``."""
    out = []
    total = 0
    for upload in files:
        parts = []
        while True:
            chunk = upload.file.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise InputError(f"the upload is larger than {limit} bytes", field="files")
            parts.append(chunk)
        name = upload.filename or ""
        if not name.strip():
            raise InputError("every uploaded file needs a file name", field="files")
        out.append((name, b"".join(parts)))
    return out
