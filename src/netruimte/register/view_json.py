"""The base of the register's typed results: frozen views with one JSON form.

The use cases return frozen dataclasses (typed, documented fields); the pages and the API turn
them into JSON at the edge with :meth:`JsonView.to_json_dict`: the fields in the order they are
declared, nested views, tuples and mappings turned into plain dicts and lists. Dates and times
are ISO text already in the views (what the pages print and the JSON twins carry).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = ["JsonView", "plain"]


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: views as dicts, tuples and lists as lists, mappings as
    dicts (keys kept), anything else as it is."""
    if isinstance(value, JsonView):
        return value.to_json_dict()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


@dataclasses.dataclass(frozen=True)
class JsonView:
    """A typed, frozen result whose JSON form is its fields in declaration order."""

    def to_json_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (the pages' twins and the API)."""
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}
