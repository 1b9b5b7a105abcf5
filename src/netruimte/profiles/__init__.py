"""Time series in and out: metering CSV, meter exports, BDEW standard profiles, PV, EAN codes.

Every series is average kW per 15-minute interval on a tz-aware, interval-beginning index
(``docs/conventions.md``).
"""

from __future__ import annotations

from netruimte.profiles.align import lay_on_year
from netruimte.profiles.csv_io import read_profile_csv, write_profile_csv
from netruimte.profiles.ean import validate_ean13, validate_ean18
from netruimte.profiles.meter import ImportOptions, MeterImport, import_meter
from netruimte.profiles.pv import pv_profile
from netruimte.profiles.standard import STANDARD_PROFILES, standard_profile
from netruimte.profiles.summary import ProfileSummary, load_duration_kw, summarise_profile

__all__ = [
    "STANDARD_PROFILES",
    "ImportOptions",
    "MeterImport",
    "ProfileSummary",
    "import_meter",
    "lay_on_year",
    "load_duration_kw",
    "pv_profile",
    "read_profile_csv",
    "standard_profile",
    "summarise_profile",
    "validate_ean13",
    "validate_ean18",
    "write_profile_csv",
]
