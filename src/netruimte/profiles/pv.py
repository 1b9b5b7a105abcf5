"""PV generation for an installed kWp, computed offline with :mod:`pvlib`.

Weather: the German test reference year (TRY 2010, climate region 5, station Essen,
51.4 N 6.97 E, an average year built from 1988–2007 observations by the DWD) that ships inside
demandlib. Essen lies about 40 km from the Dutch border and at a similar latitude as the south
of the Netherlands; it is *not* a measured Dutch year and it is not the requested year: the
hourly values are laid onto the requested calendar year by month, day and hour (29 February
repeats 28 February). Flevoland is somewhat sunnier than the Ruhr area, so expect annual yields
a few percent below Dutch measurements. ``weather="clear-sky"`` gives a cloudless year instead
(an upper bound, useful for worst-case export checks).

Method: hourly direct and diffuse horizontal irradiance are spread to 15 minutes with the
clear-sky index (each quarter-hour gets the hour's ratio to the Haurwitz clear sky), transposed
to the plane of array (Hay–Davies), cell temperature by the SAPM model (open rack), DC power by
PVWatts (−0.37 %/K), and 14 % system losses including the inverter.

References
----------
DWD, "Testreferenzjahre von Deutschland für mittlere und extreme Witterungsverhältnisse" (2011);
Holmgren, Hansen, Mikofski, "pvlib python", JOSS 3(29), 884 (2018).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE, STEP, year_index
from netruimte.errors import InputError

__all__ = ["SYSTEM_LOSS_FRACTION", "pv_profile"]

SYSTEM_LOSS_FRACTION: Final = 0.14
"""Wiring, soiling, mismatch and inverter losses together (PVWatts' default order)."""

_GAMMA_PDC_PER_K: Final = -0.0037
_TRY_FILE: Final = "TRY2010_05_Jahr.dat"  # climate region 5, station Essen


def pv_profile(
    kwp: float,
    latitude: float,
    longitude: float,
    tilt_deg: float,
    azimuth_deg: float,
    year: int,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    weather: Literal["try-essen", "clear-sky"] = "try-essen",
) -> pd.Series:
    """AC output of a PV system over calendar ``year``.

    Parameters
    ----------
    kwp
        Installed DC peak power (kWp), ≥ 0.
    latitude, longitude
        Site location (degrees north, east).
    tilt_deg
        Module tilt from horizontal (degrees, 0–90).
    azimuth_deg
        Module azimuth (degrees clockwise from north; 180 = south).
    year
        Calendar year of the returned index.
    timezone
        Local zone of the returned index.
    weather
        ``"try-essen"`` (a real average weather year, see the module notes) or ``"clear-sky"``.

    Returns
    -------
    pandas.Series
        Average kW per 15-minute interval, ≥ 0, on the year's local index.
    """
    if not np.isfinite(kwp) or kwp < 0:
        raise InputError(f"expected kWp ≥ 0, got {kwp!r}", field="kwp")
    if not -90 <= latitude <= 90:
        raise InputError(f"expected a latitude in [-90, 90], got {latitude!r}", field="latitude")
    if not -180 <= longitude <= 180:
        raise InputError(
            f"expected a longitude in [-180, 180], got {longitude!r}", field="longitude"
        )
    if not 0 <= tilt_deg <= 90:
        raise InputError(f"expected a tilt in [0, 90] degrees, got {tilt_deg!r}", field="tilt_deg")
    if not 0 <= azimuth_deg <= 360:
        raise InputError(
            f"expected an azimuth in [0, 360] degrees, got {azimuth_deg!r}", field="azimuth_deg"
        )
    if weather not in ("try-essen", "clear-sky"):
        raise InputError(
            f"expected weather 'try-essen' or 'clear-sky', got {weather!r}", field="weather"
        )
    index = year_index(year, timezone)
    per_kwp = _kw_per_kwp(latitude, longitude, tilt_deg, azimuth_deg, year, timezone, weather)
    return pd.Series(per_kwp * kwp, index=index, name="kw")


@functools.lru_cache(maxsize=16)
def _kw_per_kwp(
    latitude: float,
    longitude: float,
    tilt_deg: float,
    azimuth_deg: float,
    year: int,
    timezone: str,
    weather: str,
) -> np.ndarray:
    import pvlib

    index = year_index(year, timezone)
    mid = index + STEP / 2
    solpos = pvlib.solarposition.get_solarposition(mid, latitude, longitude)
    zenith = solpos["apparent_zenith"].to_numpy()
    cos_zenith = np.cos(np.radians(zenith))
    if weather == "clear-sky":
        location = pvlib.location.Location(latitude, longitude, tz=timezone)
        clear = location.get_clearsky(mid, model="simplified_solis", solar_position=solpos)
        ghi = clear["ghi"].to_numpy()
        dni = clear["dni"].to_numpy()
        dhi = clear["dhi"].to_numpy()
        temp_air = np.full(len(index), 20.0)
        wind = np.full(len(index), 1.0)
    else:
        hourly = _try_weather(year)
        # Each quarter-hour belongs to the hour (fixed UTC+1, as the TRY) that contains it.
        hour_of = (mid.tz_convert("Etc/GMT-1").floor("h")).tz_localize(None)
        rows = hourly.reindex(hour_of)
        clear_ghi = pvlib.clearsky.haurwitz(pd.Series(zenith, index=mid))["ghi"].to_numpy()
        clear_hour_mean = (
            pd.Series(clear_ghi).groupby(np.asarray(hour_of)).transform("mean").to_numpy()
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(clear_hour_mean > 1.0, clear_ghi / clear_hour_mean, 0.0)
        beam_h = rows["beam_w_m2"].to_numpy() * ratio
        dhi = rows["diffuse_w_m2"].to_numpy() * ratio
        # Near the horizon the beam/cos(zenith) conversion blows up: count it as diffuse.
        low_sun = cos_zenith < 0.05
        dni = np.where(low_sun, 0.0, beam_h / np.where(low_sun, 1.0, cos_zenith))
        dhi = np.where(low_sun, dhi + beam_h, dhi)
        ghi = beam_h + dhi
        temp_air = rows["temp_air_c"].to_numpy()
        wind = rows["wind_m_s"].to_numpy()
    dni_extra = pvlib.irradiance.get_extra_radiation(mid).to_numpy()
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg,
        azimuth_deg,
        zenith,
        solpos["azimuth"].to_numpy(),
        dni,
        ghi,
        dhi,
        dni_extra=dni_extra,
        model="haydavies",
    )
    poa_global = np.nan_to_num(np.asarray(poa["poa_global"], dtype=float), nan=0.0).clip(min=0)
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]
    temp_cell = pvlib.temperature.sapm_cell(poa_global, temp_air, wind, **params)
    dc_kw_per_kwp = pvlib.pvsystem.pvwatts_dc(poa_global, temp_cell, 1.0, _GAMMA_PDC_PER_K)
    ac = np.asarray(dc_kw_per_kwp, dtype=float) * (1 - SYSTEM_LOSS_FRACTION)
    return np.clip(np.nan_to_num(ac, nan=0.0), 0.0, 1.0)


@functools.cache
def _try_table() -> pd.DataFrame:
    import demandlib.vdi

    path = Path(demandlib.vdi.__file__).parent / "resources_weather" / _TRY_FILE
    lines = path.read_text(encoding="latin-1").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("***")) + 1
    records = [line.split() for line in lines[start:] if line.strip()]
    table = pd.DataFrame(
        [
            (int(r[2]), int(r[3]), int(r[4]), float(r[7]), float(r[8]), float(r[13]), float(r[14]))
            for r in records
        ],
        columns=["month", "day", "hour", "wind_m_s", "temp_air_c", "beam_w_m2", "diffuse_w_m2"],
    )
    if len(table) != 8760:
        raise RuntimeError(f"{path}: expected 8760 hourly rows, found {len(table)}")
    return table


def _try_weather(year: int) -> pd.DataFrame:
    """The TRY laid onto ``year``: index = hour start in fixed UTC+1 (naive), 8760/8784 rows."""
    table = _try_table()
    # TRY hour 1..24 is the hour *ending* at that time (MEZ = UTC+1).
    starts = pd.date_range(f"{year - 1}-12-31 23:00", f"{year + 1}-01-01 01:00", freq="h")
    month = np.asarray(starts.month)
    day = np.asarray(starts.day)
    day = np.where((month == 2) & (day == 29), 28, day)
    key = pd.MultiIndex.from_arrays([month, day, np.asarray(starts.hour) + 1])
    source = table.set_index(["month", "day", "hour"])
    weather = source.reindex(key)
    weather.index = starts
    return weather
