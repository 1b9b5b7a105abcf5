"""Regenerate the example profiles in this folder (synthetic: BDEW standard profiles).

Run from the repository root: ``python examples/profiles/make_profiles.py``. The files are
committed; this script shows how they were made. They are *synthetic*: German BDEW standard load
profiles (demandlib) scaled to a plausible yearly energy, not measurements of a real business.
"""

from __future__ import annotations

from pathlib import Path

from netruimte.profiles import standard_profile, write_profile_csv

HERE = Path(__file__).parent


def main() -> None:
    # An office-like business on the 2025 commercial profile, ISO 8601 timestamps with offsets.
    office = standard_profile("G25", 850_000, 2025)
    write_profile_csv(office, HERE / "office-g25-2025.csv", decimals=3)
    # A bakery (BDEW G5) as a Dutch metering export: ';', decimal comma, local time, kWh.
    bakery = standard_profile("G5", 120_000, 2025)
    write_profile_csv(
        bakery,
        HERE / "bakkerij-g5-2025-nl.csv",
        column="kwh",
        separator=";",
        local_time=True,
        decimals=4,
    )


if __name__ == "__main__":
    main()
