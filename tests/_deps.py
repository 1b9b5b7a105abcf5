"""What to do when a test's external dependency (a browser, a database) is missing.

On a developer's machine such tests skip with the reason. Under CI they fail instead: ``.ci/run``
sets ``NETRUIMTE_CI=1`` (and installs Chromium and PostgreSQL first), so a missing browser or
database there is a broken pipeline, never a silently smaller test run.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_DEPENDENCIES = bool(os.environ.get("NETRUIMTE_CI"))
"""True under ``.ci/run``: missing test dependencies fail the run instead of skipping."""


def missing(reason: str, *, module: bool = False) -> NoReturn:
    """Skip (locally) or fail (under CI) because a dependency is missing."""
    if REQUIRE_DEPENDENCIES:
        pytest.fail(f"{reason} (NETRUIMTE_CI is set: CI must test it)", pytrace=False)
    pytest.skip(reason, allow_module_level=module)
