"""The grid: stations in a hierarchy, reinforcements and headroom over time (pure).

See :mod:`netruimte.grid.model` for the model, :mod:`netruimte.grid.representative` for the
representative year that load profiles are laid over, and :mod:`netruimte.grid.capacity_map`
for import and export in the shape of Netbeheer Nederland's capacity map.
"""

from __future__ import annotations

from netruimte.grid.capacity_map import (
    CAPACITY_MAP_COLUMNS,
    CapacityMapEntry,
    Constraint,
    constraint_colour,
    read_capacity_map_csv,
    stations_from_capacity_map,
    write_capacity_map_csv,
)
from netruimte.grid.model import (
    DelayDistribution,
    Direction,
    Grid,
    Reinforcement,
    Station,
    headroom_over_time,
    monthly_moments,
    shift_by_months,
)
from netruimte.grid.representative import (
    DEFAULT_TIME_BLOCKS,
    REPRESENTATIVE_YEAR_STEPS,
    block_mask,
    parse_window,
    read_station_profile_csv,
    to_representative_year,
)

__all__ = [
    "CAPACITY_MAP_COLUMNS",
    "DEFAULT_TIME_BLOCKS",
    "REPRESENTATIVE_YEAR_STEPS",
    "CapacityMapEntry",
    "Constraint",
    "DelayDistribution",
    "Direction",
    "Grid",
    "Reinforcement",
    "Station",
    "block_mask",
    "constraint_colour",
    "headroom_over_time",
    "monthly_moments",
    "parse_window",
    "read_capacity_map_csv",
    "read_station_profile_csv",
    "shift_by_months",
    "stations_from_capacity_map",
    "to_representative_year",
    "write_capacity_map_csv",
]
