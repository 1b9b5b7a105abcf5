"""A fleet of sites: a folder of site TOML files, or one CSV with a site per row.

:func:`load_fleet` reads only what the fleet needs up front (file names, the CSV header and
cells, the site names) and checks the structure: a missing or unknown column, a row with the
wrong number of cells, an empty or repeated name are errors of the whole fleet. Each site is
read into a :class:`~netruimte.planner.site.Site` later, on a worker, by :func:`entry_site`:
a bad value there is the error of that one site (the fleet goes on), named by file, line and
column. The columns are documented in ``docs/fleet.md``; each maps to one key of the site file
(``docs/site-file.md``), so a CSV row means exactly what the same TOML would mean.
"""

from __future__ import annotations

import csv
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from netruimte.errors import InputError
from netruimte.planner.site import Site

# The site file's own reader: a CSV row becomes the same dictionary a TOML file parses to, so
# both go through one validation (kept private in scenario.site_toml; see docs/fleet.md).
from netruimte.scenario.site_toml import load_site, site_from_data

__all__ = [
    "COLUMNS",
    "DEFAULT_PV_LATITUDE",
    "DEFAULT_PV_LONGITUDE",
    "Fleet",
    "FleetEntry",
    "entry_site",
    "load_fleet",
]

Kind = Literal["text", "number", "year", "number-or-word", "windows"]

COLUMNS: Final[dict[str, tuple[str, str, Kind]]] = {
    "name": ("site", "name", "text"),
    "timezone": ("site", "timezone", "text"),
    "year": ("site", "year", "year"),
    "objective": ("plan", "objective", "text"),
    "profile_csv": ("load", "csv", "text"),
    "profile": ("load", "profile", "text"),
    "annual_kwh": ("load", "annual_kwh", "number"),
    "pv_kwp": ("pv", "kwp", "number"),
    "pv_csv": ("pv", "csv", "text"),
    "pv_latitude": ("pv", "latitude", "number"),
    "pv_longitude": ("pv", "longitude", "number"),
    "pv_tilt_deg": ("pv", "tilt_deg", "number"),
    "pv_azimuth_deg": ("pv", "azimuth_deg", "number"),
    "pv_weather": ("pv", "weather", "text"),
    "pv_max_kwp": ("pv", "max_kwp", "number"),
    "pv_cost_eur_per_kwp_year": ("pv", "cost_eur_per_kwp_year", "number"),
    "battery_energy_kwh": ("battery", "energy_kwh", "number"),
    "battery_power_kw": ("battery", "power_kw", "number"),
    "battery_max_energy_kwh": ("battery", "max_energy_kwh", "number"),
    "battery_max_power_kw": ("battery", "max_power_kw", "number"),
    "battery_cost_eur_per_kwh_year": ("battery", "cost_eur_per_kwh_year", "number"),
    "battery_cost_eur_per_kw_year": ("battery", "cost_eur_per_kw_year", "number"),
    "battery_roundtrip_efficiency": ("battery", "roundtrip_efficiency", "number"),
    "battery_soc_min": ("battery", "soc_min", "number"),
    "battery_soc_max": ("battery", "soc_max", "number"),
    "import_kw": ("connection", "import_kw", "number-or-word"),
    "export_kw": ("connection", "export_kw", "number-or-word"),
    "restriction_windows": ("restriction", "windows", "windows"),
    "restriction_import_kw": ("restriction", "import_kw", "number"),
    "contracted_eur_per_kw_year": ("tariff", "contracted_eur_per_kw_year", "number"),
    "kwmax_eur_per_kw_month": ("tariff", "kwmax_eur_per_kw_month", "number"),
    "energy_eur_per_kwh": ("tariff", "energy_eur_per_kwh", "number"),
    "energy_price_csv": ("tariff", "energy_price_csv", "text"),
    "feed_in_eur_per_kwh": ("tariff", "feed_in_eur_per_kwh", "number"),
}
"""CSV column → (site-file section, key, kind of cell). ``restriction`` is the one
``[[connection.restriction]]`` a row may have."""

DEFAULT_PV_LATITUDE: Final = 52.37
"""Latitude of a generated PV profile when a CSV row gives none (Almere, degrees north)."""
DEFAULT_PV_LONGITUDE: Final = 5.21
"""Longitude of a generated PV profile when a CSV row gives none (Almere, degrees east)."""

_WORDS: Final = {"import_kw": ("minimise",), "export_kw": ("unlimited", "inf")}


@dataclass(frozen=True)
class FleetEntry:
    """One site of a fleet, as sent to a worker (small: file names and cells, no series).

    Attributes
    ----------
    position
        0-based place in the fleet (sorted file names, or CSV row order).
    name
        The site's name (``[site] name``, the file name, or the CSV ``name`` cell).
    path
        The site TOML, or the fleet CSV.
    line
        The CSV line of the row (1-based); ``None`` for a TOML file.
    cells
        The row's non-empty cells as ``(column, text)`` pairs; ``None`` for a TOML file.
    decimal_comma
        The CSV uses ``;`` with decimal commas.
    """

    position: int
    name: str
    path: str
    line: int | None = None
    cells: tuple[tuple[str, str], ...] | None = None
    decimal_comma: bool = False

    @property
    def source(self) -> str:
        """Where the site is written: ``file.toml`` or ``fleet.csv:LINE``."""
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Fleet:
    """A fleet: where it came from and its sites in order."""

    source: Path
    kind: Literal["folder", "csv"]
    entries: tuple[FleetEntry, ...]

    def __len__(self) -> int:
        return len(self.entries)


def load_fleet(path: str | Path) -> Fleet:
    """Read a fleet: a folder of ``*.toml`` site files, or a ``.csv`` file with a site per row.

    Raises
    ------
    InputError
        A missing path, an empty folder, or a CSV with a structural problem (header, cell
        count, empty or repeated name), naming the file, line and column.
    """
    source = Path(path)
    if source.is_dir():
        return _folder(source)
    if not source.exists():
        raise InputError("not found: expected a folder of site TOML files or a CSV", source=source)
    if source.suffix.lower() != ".csv":
        raise InputError(
            f"expected a folder of site TOML files or a .csv file, got a {source.suffix or 'plain'}"
            " file (for one site use 'netruimte site plan')",
            source=source,
        )
    return _csv(source)


def _folder(folder: Path) -> Fleet:
    files = sorted(p for p in folder.glob("*.toml") if p.is_file())
    if not files:
        raise InputError("no *.toml site files in this folder", source=folder)
    entries = []
    seen: dict[str, Path] = {}
    for position, file in enumerate(files):
        name = _toml_name(file)
        if name in seen:
            raise InputError(
                f"site name {name!r} is used by {seen[name].name} and {file.name}; names must be "
                "unique in a fleet",
                source=file,
                field="site.name",
            )
        seen[name] = file
        entries.append(FleetEntry(position, name, str(file)))
    return Fleet(folder, "folder", tuple(entries))


def _toml_name(file: Path) -> str:
    """``[site] name`` when the file parses and has one; else the file name without ``.toml``.

    A file that does not parse is not an error here: it becomes that site's error later.
    """
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return file.stem
    site = data.get("site")
    name = site.get("name") if isinstance(site, dict) else None
    return name if isinstance(name, str) and name.strip() else file.stem


def _csv(file: Path) -> Fleet:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=file) from None
    rows = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise InputError("empty: expected a header row and one row per site", source=file)
    header_line, header_text = rows[0]
    separator = ";" if ";" in header_text and "," not in header_text else ","
    header = [h.strip() for h in next(csv.reader([header_text], delimiter=separator))]
    for k, column in enumerate(header, start=1):
        if column not in COLUMNS:
            raise InputError(
                f"unknown column {column!r} (column {k}); expected some of "
                f"{', '.join(COLUMNS)} (docs/fleet.md)",
                source=file,
                line=header_line,
                field=column or f"column {k}",
            )
        if header.index(column) != k - 1:
            raise InputError("column given twice", source=file, line=header_line, field=column)
    if "name" not in header:
        raise InputError("missing column 'name'", source=file, line=header_line, field="name")
    entries: list[FleetEntry] = []
    seen: dict[str, int] = {}
    for number, line in rows[1:]:
        cells = [c.strip() for c in next(csv.reader([line], delimiter=separator))]
        if len(cells) != len(header):
            raise InputError(
                f"expected {len(header)} cells (one per header column), got {len(cells)}",
                source=file,
                line=number,
            )
        row = dict(zip(header, cells, strict=True))
        name = row["name"]
        if not name:
            raise InputError(
                "empty: every site needs a name", source=file, line=number, field="name"
            )
        if name in seen:
            raise InputError(
                f"site name {name!r} is also on line {seen[name]}; names must be unique",
                source=file,
                line=number,
                field="name",
            )
        seen[name] = number
        entries.append(
            FleetEntry(
                len(entries),
                name,
                str(file),
                number,
                tuple((c, v) for c, v in row.items() if v),
                separator == ";",
            )
        )
    if not entries:
        raise InputError("no sites: expected one row per site after the header", source=file)
    return Fleet(file, "csv", tuple(entries))


def entry_site(entry: FleetEntry) -> Site:
    """Read one fleet site into a :class:`Site` (on whichever process runs it).

    Raises
    ------
    InputError
        Anything wrong with this site, naming the TOML file and key, or the CSV file, line and
        column (or the profile CSV and its line, for a problem inside that file).
    """
    if entry.cells is None:
        return load_site(entry.path)
    source = Path(entry.path)
    data = _row_data(entry)
    try:
        return site_from_data(data, source)
    except InputError as exc:
        if exc.source is not None and exc.source != str(source):  # inside a profile/price CSV
            raise InputError(
                f"{exc.message} (site {entry.name!r}, line {entry.line} of {source})",
                source=exc.source,
                line=exc.line,
                field=exc.field,
            ) from None
        raise InputError(
            exc.message, source=source, line=entry.line, field=_column_of(exc.field, entry)
        ) from None


def _row_data(entry: FleetEntry) -> dict[str, Any]:
    """The row as the dictionary a site TOML with the same values parses to."""
    source = entry.path
    data: dict[str, Any] = {}
    restriction: dict[str, Any] = {}
    for column, text in entry.cells or ():
        section, key, kind = COLUMNS[column]
        value = _cell(text, kind, column, entry)
        if section == "restriction":
            restriction[key] = value
        else:
            data.setdefault(section, {})[key] = value
    if restriction:
        if set(restriction) != {"windows", "import_kw"}:
            missing = "restriction_import_kw" if "windows" in restriction else "restriction_windows"
            raise InputError(
                "a restriction needs both restriction_windows and restriction_import_kw",
                source=source,
                line=entry.line,
                field=missing,
            )
        data.setdefault("connection", {})["restriction"] = [restriction]
    pv = data.get("pv")
    if pv is not None:
        if set(pv) <= {"kwp", "max_kwp"} and not any(pv.values()):
            del data["pv"]  # only zeros: no PV installed or allowed, no profile to generate
        elif "csv" not in pv:
            pv.setdefault("latitude", DEFAULT_PV_LATITUDE)
            pv.setdefault("longitude", DEFAULT_PV_LONGITUDE)
    return data


def _cell(text: str, kind: Kind, column: str, entry: FleetEntry) -> Any:
    if kind == "text":
        return text
    if kind == "windows":
        return [w for w in text.replace("|", " ").split() if w]
    if kind == "number-or-word" and text.lower() in _WORDS[column]:
        return math.inf if text.lower() == "inf" else text.lower()
    if kind == "year":
        if not text.isdigit():
            raise InputError(
                f"expected a whole year such as 2025, got {text!r}",
                source=entry.path,
                line=entry.line,
                field=column,
            )
        return int(text)
    number = text.replace(",", ".") if entry.decimal_comma else text
    try:
        value = float(number)
    except ValueError:
        words = " or ".join(repr(w) for w in _WORDS.get(column, ()))
        raise InputError(
            f"expected a number{' or ' + words if words else ''}, got {text!r}",
            source=entry.path,
            line=entry.line,
            field=column,
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"expected a finite number, got {text!r}", source=entry.path, line=entry.line,
            field=column,
        )  # fmt: skip
    return value


def _column_of(key: str | None, entry: FleetEntry) -> str | None:
    """The CSV column a site-file key came from (``battery.power_kw`` → ``battery_power_kw``)."""
    if key is None:
        return None
    given = {c for c, _ in entry.cells or ()}
    for column, (section, name, _) in COLUMNS.items():
        toml_key = f"{section}.{name}"
        if section == "restriction":
            if key.startswith("connection.restriction") and key.endswith(f".{name}"):
                return column
            continue
        if key == toml_key:
            return column
    if key == "load":
        return "profile_csv" if "profile_csv" in given else "profile"
    if key.startswith("pv"):
        return "pv_csv" if "pv_csv" in given else "pv_kwp"
    if key.startswith("connection.restriction"):
        return "restriction_windows"
    return key
