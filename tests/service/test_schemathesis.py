"""Property-based API tests from the OpenAPI document (schemathesis) against a live server.

``netruimte serve`` runs in its own process (uvicorn, as in production) on a database holding
the tiny scenario. Every operation gets generated requests (valid and invalid, bounded in
number so the module runs in about a minute) sent as the operator over HTTP. No answer may be
a server error, every status must be one the schema documents, every JSON body must match its
documented schema, and input that violates the schema must be refused (the limits of dates,
kW and strings are in the schema, and types are strict: ``on=0`` or ``load_mw: false`` are
errors, not 1970-01-01 and 0).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from netruimte.access import auth
from netruimte.access.auth import SYSTEM
from netruimte.register import scenario_io
from netruimte.storage import Database
from tests.service.conftest import TINY_TOML
from tests.service.live import live_server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

MAX_EXAMPLES = int(os.environ.get("NETRUIMTE_SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _exercise(url: str, token: str, mode: GenerationMode) -> list[str]:
    """Run the bounded examples of every operation; return the failures (one per operation)."""
    api_schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            first = [line for line in str(exc).splitlines() if line.strip()][:12]
            failures.append(f"{operation.label} ({mode.value}): " + "\n    ".join(first))
    return failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_documented_answers(
    db: Database, mode: GenerationMode, tmp_path: Path
) -> None:
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])
    _, token = auth.add_user(db, "op", "operator")
    db.dispose()
    with live_server(db.url, tmp_path) as url:
        failures = _exercise(url, token, mode)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-5000:]
    assert not failures, "\n\n".join(failures)
