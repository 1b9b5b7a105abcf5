"""Property-based API tests from the OpenAPI document (schemathesis, in-process ASGI).

Every operation gets generated requests (valid and invalid, bounded in number so the module
runs in seconds) sent as the operator to an app holding the tiny scenario. No answer may be a
server error, every status must be one the schema documents, and every JSON body must match
its documented schema.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from netruimte.services import auth, scenario_io
from netruimte.services.auth import SYSTEM
from netruimte.storage import Database
from netruimte.web.app import create_app
from netruimte.web.settings import Settings
from tests.service.conftest import TINY_TOML, TestClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _exercise(app: object, token: str, mode: GenerationMode) -> list[str]:
    """Run the bounded examples of every operation; return the failures (one per operation)."""
    api_schema = schemathesis.openapi.from_asgi("/openapi.json", app)
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
def test_no_server_errors_and_documented_answers(db: Database, mode: GenerationMode) -> None:
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])
    _, token = auth.add_user(db, "op", "operator")
    app = create_app(Settings(db_url=db.url, worker=False, bootstrap=False, migrate=False))
    with TestClient(app):  # runs the lifespan (start-up and shutdown)
        failures = _exercise(app, token, mode)
    assert not failures, "\n\n".join(failures)
