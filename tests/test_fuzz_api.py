"""Fuzzing the OpenAPI document with schemathesis: no request makes the server answer 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from server.app import create_app
from server.settings import ServerSettings


@pytest.fixture(scope="module")
def api_schema(demo_build):
    app = create_app(ServerSettings(build_dir=demo_build, token="fuzz-sleutel"))
    client = TestClient(app)
    client.__enter__()  # run the lifespan once: the build is opened, as in a real server
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    client.__exit__(None, None, None)


def test_every_operation_is_fuzzed_without_server_errors(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8  # the schema really lists the endpoints
    failures = []
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def fuzz(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} -> "
                                f"{response.status_code}: {response.text[:200]}")
        fuzz()
    assert not failures, "\n".join(failures[:10])
