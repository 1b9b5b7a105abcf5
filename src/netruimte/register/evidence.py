"""A priority claim with its evidence as a file: the file is kept, the claim names it.

The claim's ``evidence`` stays the applicant's description (as through the API); a file sent
with it is kept byte for byte in the blob store under its SHA-256 and the description gets a
last line ``file NAME (N bytes, sha256 HEX)`` so the operator deciding the claim can open it
(:func:`evidence_file`, operators only) and the audit trail, which records the evidence text,
vouches for exactly that file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError, NotFound
from netruimte.register import claims
from netruimte.register.scenario_io import store_blob
from netruimte.register.view_json import JsonView
from netruimte.storage import Database
from netruimte.storage.tables import Blob
from netruimte.waitlist.requests import FUNCTIONS, Category

__all__ = [
    "FILE_LINE",
    "EvidenceFile",
    "check_claim",
    "claim_with_evidence",
    "evidence_file",
    "files_named",
]

FILE_LINE = re.compile(r"^file (?P<name>.+) \((?P<size>\d+) bytes, sha256 (?P<sha>[0-9a-f]{64})\)$")
"""The line a claim's evidence gets for a file sent with it."""

_MIN_CHARS = 10


def check_claim(category: str | None, evidence: str | None, function: str | None) -> None:
    """Refuse a claim before anything is filed (the same checks as the claim itself).

    Raises
    ------
    InputError
        Unknown category, a category 2/3 claim without a known function, or no description.
    """
    try:
        cat = Category(category or "")
    except ValueError:
        raise InputError(
            f"unknown category {category!r}; expected congestion-reliever | safety | basic-needs",
            field="category",
        ) from None
    if cat in (Category.SAFETY, Category.BASIC_NEEDS) and not function:
        raise InputError(f"a {cat.label} claim needs the declared function", field="function")
    if function is not None and function not in FUNCTIONS:
        raise InputError(f"unknown function {function!r}", field="function")
    if len((evidence or "").strip()) < _MIN_CHARS:
        raise InputError(
            f"describe the evidence (at least {_MIN_CHARS} characters: which document, issued "
            "by whom, when)",
            field="evidence",
        )


def claim_with_evidence(
    db: Database,
    principal: Principal,
    request_id: str,
    category: str,
    description: str,
    function: str | None = None,
    file: tuple[str, bytes] | None = None,
) -> claims.ClaimView:
    """File a claim; a file sent with it is kept and named in the evidence (see the module)."""
    check_claim(category, description, function)
    text = description.strip()
    if file is not None:
        name, content = file
        clean = re.sub(r"[\x00-\x1f\x7f()]", "_", name.rsplit("/", 1)[-1])[:200] or "evidence"
        digest = hashlib.sha256(content).hexdigest()
        text = f"{text}\nfile {clean} ({len(content)} bytes, sha256 {digest})"
    view = claims.claim_priority(db, principal, request_id, category, text, function=function)
    if file is not None:
        with db.write() as session:
            store_blob(session, file[0], file[1])
    return view


@dataclass(frozen=True)
class EvidenceFile(JsonView):
    """A file a claim's evidence names: its name, size and SHA-256 (hex)."""

    name: str
    bytes: int
    sha256: str


def files_named(evidence: str) -> list[EvidenceFile]:
    """The files a claim's evidence names."""
    matches = (FILE_LINE.match(line.strip()) for line in evidence.splitlines())
    return [EvidenceFile(m["name"], int(m["size"]), m["sha"]) for m in matches if m]


def evidence_file(db: Database, principal: Principal, sha256: str) -> tuple[str, bytes]:
    """A kept evidence file (operators): its name and bytes."""
    require_operator(principal, "open evidence files")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise NotFound("no such file")
    with db.read() as session:
        blob = session.get(Blob, sha256)
        if blob is None:
            raise NotFound("no such file")
        return blob.name, bytes(blob.content)
