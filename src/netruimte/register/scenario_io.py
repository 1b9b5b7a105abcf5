"""Scenario import and export: the register to and from the formats of DESIGN.md.

Import replaces the register (settings, stations, reinforcements, requests) in one transaction;
profile files are kept byte for byte, so an export holds the very files that were imported and
loads back into the same scenario. Requests created by applicants are not thrown away by
accident: an import over them needs ``force``.

Export writes the register as a scenario: ``toml`` (one file, requests inline; only without
profiles), ``zip`` (``scenario.toml``, ``requests.csv``, ``profiles/…`` and
``register-status.csv`` with the live status of every request) or ``csv`` (the request list).
Withdrawn requests have left the list and are not written; granted ones are, marked in a
comment (TOML) or in ``register-status.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import posixpath
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from netruimte import __version__
from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, require_operator
from netruimte.conventions import csv_safe_text
from netruimte.errors import Conflict, InputError
from netruimte.register.bundles import (
    csv_references,
    load_in_tempdir,
    main_toml,
    make_bundle,
    parse_toml,
)
from netruimte.register.convert import (
    GRANTED,
    REGISTER_SETTINGS,
    WITHDRAWN,
    load_register,
    new_request_row,
    register_settings,
)
from netruimte.register.view_json import JsonView
from netruimte.scenario.waitlist_text import (
    representative_csv,
    request_row,
    requests_csv,
    scenario_toml,
)
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.storage import Database
from netruimte.storage.tables import (
    Blob,
    PriorityClaim,
    Register,
    Reinforcement,
    Request,
    Station,
)
from netruimte.waitlist import Scenario

__all__ = [
    "ImportSummary",
    "export_scenario",
    "import_bundle",
    "import_scenario",
    "store_blob",
    "store_blobs",
]


def store_blob(session: Session, name: str, content: bytes) -> str:
    """Keep a file (once per content); returns its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, name=posixpath.basename(name)[:300], content=content))
        session.flush()
    return digest


def store_blobs(
    db: Database, files: dict[str, bytes], batch_bytes: int = 8 << 20
) -> dict[str, str]:
    """Keep files (once per content) in short transactions of about ``batch_bytes`` each;
    returns the SHA-256 of every file."""
    digests: dict[str, str] = {}
    names = sorted(files)
    while names:
        batch: list[str] = []
        size = 0
        while names and (not batch or size + len(files[names[0]]) <= batch_bytes):
            batch.append(names.pop(0))
            size += len(files[batch[-1]])
        with db.write() as session:
            for fname in batch:
                digests[fname] = store_blob(session, fname, files[fname])
    return digests


def _clear(db: Database, session: Session, force: bool) -> dict[str, int]:
    db.lock_all_stations(session)
    owned = session.scalar(
        select(func.count()).select_from(Request).where(Request.owner_id.is_not(None))
    )
    if owned and not force:
        raise Conflict(
            f"the register holds {owned} requests of applicants; importing a scenario replaces "
            "them all. Export the register first, then import again with force=true"
        )
    counts = {
        "stations": session.scalar(select(func.count()).select_from(Station)) or 0,
        "requests": session.scalar(select(func.count()).select_from(Request)) or 0,
    }
    session.execute(delete(PriorityClaim))
    session.execute(delete(Request))
    session.execute(delete(Reinforcement))
    session.execute(update(Station).values(parent_id=None))
    session.execute(delete(Station))
    session.execute(delete(Register))
    session.flush()
    return counts


def _store(
    session: Session,
    scenario: Scenario,
    files: Mapping[str, bytes],
    refs: Mapping[tuple[str, ...], str],
    source: str,
) -> dict[str, str]:
    """Insert the scenario's rows; returns the SHA-256 of every kept file."""
    now = utc_now()
    uioli = scenario.use_it_or_lose_it
    session.add(
        Register(
            id=1,
            **register_settings(scenario),
            use_it_or_lose_it=dataclasses.asdict(uioli) if uioli is not None else None,
            source=source[:500],
            imported_at=now,
        )
    )
    digests: dict[str, str] = {}

    def blob_for(key: tuple[str, ...], values: Any, column: str, name: str) -> tuple[str, str]:
        path = refs.get(key)
        if path is not None:
            content = files[path]
        else:  # a scenario built in code: write its profile out (see representative_csv)
            path = name
            content = representative_csv(values, column, scenario.timezone)
        digest = store_blob(session, path, content)
        digests[path] = digest
        return posixpath.basename(path), digest

    grid = scenario.grid
    for pos in grid.top_down_order:  # parents first: the foreign key is checked at once
        st = grid.stations[int(pos)]
        row = Station(
            id=st.id,
            position=int(pos),
            name=st.name,
            parent_id=st.parent,
            offtake_mw=st.offtake_mw,
            load_mw=st.load_mw,
            feedin_mw=st.feedin_mw,
            feedin_load_mw=st.feedin_load_mw,
            voltage_kv=st.voltage_kv,
            connection_kv=st.connection_kv,
            small_consumer_reserve_mw=st.small_consumer_reserve_mw,
            lat=st.lat,
            lon=st.lon,
            aggregated=st.aggregated,
        )
        if st.load_profile_mw is not None:
            row.load_csv, row.load_blob = blob_for(
                ("station", st.id, "load_csv"), st.load_profile_mw, "mw", f"{st.id}-load.csv"
            )
            row.load_profile_mw = st.load_profile_mw
        if st.feedin_load_profile_mw is not None:
            row.feedin_load_csv, row.feedin_load_blob = blob_for(
                ("station", st.id, "feedin_load_csv"),
                st.feedin_load_profile_mw,
                "mw",
                f"{st.id}-feedin-load.csv",
            )
            row.feedin_load_profile_mw = st.feedin_load_profile_mw
        session.add(row)
        session.flush()
    for k, rf in enumerate(grid.reinforcements):
        delay = dataclasses.asdict(rf.delay) if rf.delay is not None else None
        session.add(
            Reinforcement(
                id=rf.id,
                position=k,
                station_id=rf.station,
                date=rf.date,
                offtake_mw=rf.offtake_mw,
                feedin_mw=rf.feedin_mw,
                delay=delay,
            )
        )
    session.flush()
    for k, req in enumerate(scenario.requests):
        req_row = new_request_row(req, position=k, owner_id=None, now=now)
        if req.profile_kw is not None:
            name, req_row.profile_blob = blob_for(
                ("request", req.id), req.profile_kw, "kw", f"{req.id}-profile.csv"
            )
            req_row.profile_csv = req.profile_csv or name
        session.add(req_row)
    session.flush()
    return digests


@dataclass(frozen=True)
class ImportSummary(JsonView):
    """What an import put in the register: its name and source, how many stations,
    reinforcements and requests, its policy, fit and horizon (ISO dates)."""

    name: str
    source: str
    stations: int
    reinforcements: int
    requests: int
    policy: str
    fit: str
    start: str
    end: str


def import_scenario(
    db: Database,
    scenario: Scenario,
    actor: Principal,
    *,
    files: Mapping[str, bytes] | None = None,
    refs: Mapping[tuple[str, ...], str] | None = None,
    source: str = "code",
    force: bool = False,
) -> ImportSummary:
    """Replace the register by ``scenario`` (one transaction, audited)."""
    require_operator(actor, "import a scenario")
    with db.write() as session:
        replaced = _clear(db, session, force)
        digests = _store(session, scenario, files or {}, refs or {}, source)
        summary = ImportSummary(
            name=scenario.name,
            source=source,
            stations=len(scenario.grid.stations),
            reinforcements=len(scenario.grid.reinforcements),
            requests=len(scenario.requests),
            policy=scenario.policy.value,
            fit=scenario.fit.value,
            start=scenario.start.isoformat(),
            end=scenario.end.isoformat(),
        )
        audit.append(
            db,
            session,
            actor=actor,
            action="scenario.import",
            obj="register",
            inputs={**summary.to_json_dict(), "files": digests, "replaced": replaced},
            policy=audit.policy_version(scenario.policy.value, scenario.start),
        )
    return summary


MAX_SCENARIO_REQUESTS = 100_000
"""Most requests in an imported scenario (TOML tables and CSV rows together)."""

MAX_SCENARIO_STATIONS = 10_000
"""Most stations in an imported scenario."""


def _check_size(bundle: Mapping[str, bytes], main: str) -> None:
    """Refuse a scenario with more requests or stations than the limits, before loading it."""
    data = parse_toml(bundle, main)
    stations = data.get("station")
    if isinstance(stations, list) and len(stations) > MAX_SCENARIO_STATIONS:
        raise InputError(
            f"{len(stations)} stations; at most {MAX_SCENARIO_STATIONS} are accepted",
            source=main,
            field="station",
        )
    tables = data.get("request")
    count = len(tables) if isinstance(tables, list) else 0
    head = data.get("scenario")
    csvs = head.get("requests_csv", []) if isinstance(head, dict) else []
    for rel in [csvs] if isinstance(csvs, str) else csvs if isinstance(csvs, list) else []:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(main), str(rel)))
        count += max(bundle.get(path, b"").count(b"\n") - 1, 0)  # less the header line
    if count > MAX_SCENARIO_REQUESTS:
        raise InputError(
            f"about {count} requests; at most {MAX_SCENARIO_REQUESTS} are accepted in one scenario",
            source=main,
            field="request",
        )


def import_bundle(
    db: Database,
    actor: Principal,
    uploads: Sequence[tuple[str, bytes]],
    *,
    main: str | None = None,
    force: bool = False,
) -> ImportSummary:
    """Import uploaded files: a scenario TOML with its CSV files, or a zip of them."""
    require_operator(actor, "import a scenario")
    bundle = make_bundle(uploads)
    name = main_toml(bundle, main)
    refs = csv_references(bundle, name)
    _check_size(bundle, name)
    scenario = load_in_tempdir(bundle, name, load_scenario)
    # the profile files go in first, in short transactions of their own, so that the import's
    # one transaction (which replaces the register) holds the write lock only for the rows
    store_blobs(db, {path: bundle[path] for path in set(refs.values())})
    return import_scenario(
        db, scenario, actor, files=bundle, refs=refs, source=f"upload:{name}", force=force
    )


def _profile_path(name: str | None, digest: str) -> str:
    return f"profiles/{digest[:12]}-{posixpath.basename(name or 'profile.csv')}"


def export_scenario(db: Database, actor: Principal, fmt: str = "toml") -> tuple[str, bytes, str]:
    """The register as ``(file name, content, media type)`` in format toml, zip or csv."""
    require_operator(actor, "export the register")
    if fmt not in ("toml", "zip", "csv"):
        raise InputError(f"unknown format {fmt!r}; expected toml | zip | csv", field="format")
    with db.read() as session:
        reg = load_register(session)
        stations = session.scalars(select(Station).order_by(Station.position, Station.id)).all()
        rfs = session.scalars(
            select(Reinforcement).order_by(Reinforcement.position, Reinforcement.id)
        ).all()
        reqs = session.scalars(
            select(Request)
            .where(Request.status != WITHDRAWN)
            .order_by(Request.position, Request.id)
        ).all()
        files: dict[str, bytes] = {}

        def keep(name: str | None, digest: str | None) -> str | None:
            if digest is None:
                return None
            path = _profile_path(name, digest)
            if path not in files:
                blob = session.get(Blob, digest)
                if blob is None:
                    raise RuntimeError(f"profile file {digest} is missing from the database")
                files[path] = blob.content
            return path

        with_profiles = [s.id for s in stations if s.load_blob or s.feedin_load_blob] + [
            r.id for r in reqs if r.profile_blob
        ]
        if fmt == "toml" and with_profiles:
            raise Conflict(
                f"{', '.join(with_profiles[:5])} have load profiles, which a single TOML file "
                "cannot hold; export with format=zip"
            )
        station_tables = [
            {
                "id": s.id,
                "name": s.name or None,
                "parent": s.parent_id,
                "offtake_mw": s.offtake_mw,
                "load_mw": s.load_mw,
                "load_csv": keep(s.load_csv, s.load_blob),
                "feedin_mw": s.feedin_mw,
                "feedin_load_mw": s.feedin_load_mw,
                "feedin_load_csv": keep(s.feedin_load_csv, s.feedin_load_blob),
                "voltage_kv": s.voltage_kv,
                "connection_kv": s.connection_kv,
                "small_consumer_reserve_mw": s.small_consumer_reserve_mw,
                "lat": s.lat,
                "lon": s.lon,
                "aggregated": True if s.aggregated else None,
            }
            for s in stations
        ]
        rf_tables = [
            {
                "id": r.id,
                "station": r.station_id,
                "date": r.date,
                "offtake_mw": r.offtake_mw,
                "feedin_mw": r.feedin_mw,
                "delay": r.delay,
            }
            for r in rfs
        ]
        rows = []
        notes: dict[str, str] = {}
        status = io.StringIO()
        status_csv = csv.writer(status, lineterminator="\n")
        status_csv.writerow(["id", "status", "granted_on"])
        for r in reqs:
            values = {c.key: getattr(r, c.key) for c in Request.__table__.columns}
            values["profile_path"] = keep(r.profile_csv, r.profile_blob)
            rows.append(request_row(values, reg.timezone))
            granted_on = r.granted_on.isoformat() if r.granted_on else ""
            status_csv.writerow([csv_safe_text(r.id), r.status, granted_on])
            if r.status == GRANTED:
                notes[r.id] = f"granted on {granted_on} in the live register"
        settings = {name: getattr(reg, name) for name in REGISTER_SETTINGS}
        uioli = reg.use_it_or_lose_it
    stamp = utc_now().date().isoformat()
    header = (
        f"Exported by netruimte {__version__} from the register on {stamp}.",
        "Requests granted in the live register are marked; withdrawn ones are left out.",
    )
    if fmt != "toml":
        try:
            csv_text = requests_csv(rows)
        except ValueError as exc:
            raise Conflict(str(exc)) from None
    if fmt == "csv":
        return "requests.csv", csv_text.encode("utf-8"), "text/csv"
    if fmt == "toml":
        text = scenario_toml(
            settings, uioli, station_tables, rf_tables, rows, header=header, notes=notes
        )
        return "scenario.toml", text.encode("utf-8"), "application/toml"
    settings["requests_csv"] = "requests.csv"
    text = scenario_toml(settings, uioli, station_tables, rf_tables, None, header=header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("scenario.toml", text)
        archive.writestr("requests.csv", csv_text)
        archive.writestr("register-status.csv", status.getvalue())
        for path, content in sorted(files.items()):
            archive.writestr(path, content)
    return "scenario.zip", buffer.getvalue(), "application/zip"
