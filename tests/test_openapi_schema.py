"""The OpenAPI 3 document builds from every registered viewset, validates, and raises no warning."""

import io

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    out, err = io.StringIO(), io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=out, stderr=err)
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ["/api/v1/auth/token/", "/api/v1/auth/token/revoke/", "/api/v1/users/", "/api/v1/teams/{id}/"]:
        assert path in paths, path
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Forge CRM API"
