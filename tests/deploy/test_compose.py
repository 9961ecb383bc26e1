"""deploy/compose.yaml passes the Compose specification's JSON schema (check-jsonschema's vendor.compose-spec, the
schema `docker compose config` also applies), every Metascene service runs a real command of this repository, the
pools match the queues, and deploy/env.example holds the settings production needs, pointing at the services."""

import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.deployfiles import (
    DEPLOY,
    KUBERNETES,
    REPO,
    celery_queues,
    command_problems,
    documents,
    option,
    required_production_env,
    worker_name,
)

COMPOSE = DEPLOY / "compose.yaml"
IMAGE = "metascene:latest"
# The names agreed for issue 13 (object storage, metrics), read by code other changes bring.
ISSUE_13_NAMES = {
    "METASCENE_S3_BUCKET", "METASCENE_S3_ENDPOINT_URL", "METASCENE_S3_REGION", "METASCENE_S3_PREFIX",
    "METASCENE_S3_URL_SECONDS", "METASCENE_METRICS_TOKEN", "METASCENE_WORKER_METRICS_PORT",
}  # fmt: skip
# Names read by something other than Metascene's Python: gunicorn (its config or itself), the images of
# compose.yaml, boto3 (the S3 credentials), KEDA (keda.yaml), Mesa (its shader cache).
OTHER_READERS = {
    "WEB_CONCURRENCY", "GUNICORN_THREADS", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REDIS_ADDRESS", "REDIS_PASSWORD",
    "XDG_CACHE_HOME", "DJANGO_SETTINGS_MODULE",
}  # fmt: skip


def compose() -> dict[str, Any]:
    return documents(COMPOSE)[0]


def app_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in compose()["services"].items() if service.get("image") == IMAGE}


def env_example() -> dict[str, str]:
    lines = (DEPLOY / "env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_passes_the_compose_specification() -> None:
    result = schema_check(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_schema_fails_a_broken_file(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["beat"]["restart"] = ["always"]
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(broken))
    result = schema_check(tmp_path / "compose.yaml")
    assert result.returncode == 1 and "service_finished" in result.stdout


@pytest.mark.parametrize("name", sorted(app_services()))
def test_each_metascene_service_runs_a_real_command_after_the_migrations(name: str) -> None:
    service = app_services()[name]
    assert command_problems(service["command"]) == []
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert (COMPOSE.parent / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    for env_file in service["env_file"]:
        assert (DEPLOY / env_file["path"]).is_file() or env_file["required"] is False
    if name != "migrate":
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["create-bucket"] == {"condition": "service_completed_successfully"}


def test_migrate_and_the_bucket_run_once_before_the_rest() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"][1:3] == ["manage.py", "migrate"]
    assert services["migrate"]["restart"] == services["create-bucket"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "$$METASCENE_S3_BUCKET" in services["create-bucket"]["command"][0]
    for name in ("postgres", "redis", "minio"):
        assert services[name]["healthcheck"]["test"]


def test_each_queue_has_its_own_pool_and_a_health_ping_by_node_name() -> None:
    workers = {n: s for n, s in app_services().items() if s["command"][3:4] == ["worker"]}
    assert sorted(str(option(s["command"], "-Q")) for s in workers.values()) == sorted(celery_queues())
    for service in workers.values():
        assert service["environment"]["WORKER_NAME"] == worker_name(service["command"])
        assert '-d "$${WORKER_NAME}@$$HOSTNAME"' in service["healthcheck"]["test"][1]
        # Longer than the stages' hard time limit (12 minutes by default): the warm shutdown finishes the task.
        assert service["stop_grace_period"] == "13m"


def test_one_beat_and_a_web_checked_on_healthz() -> None:
    services = app_services()
    beats = [name for name, s in services.items() if "beat" in s["command"]]
    assert beats == ["beat"] and "deploy" not in services["beat"] and "scale" not in services["beat"]
    web = services["web"]
    assert web["ports"] == ["8000:8000"]
    assert "http://localhost:8000/healthz" in web["healthcheck"]["test"][-1]


def test_env_example_holds_production_settings_pointing_at_the_services() -> None:
    env = env_example()
    services = compose()["services"]
    assert required_production_env() <= set(env)
    assert env["DJANGO_SETTINGS_MODULE"] == "metascene.settings.production"
    assert "localhost" in env["DJANGO_ALLOWED_HOSTS"].split(",")  # the web's health check asks localhost
    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "false"  # plain HTTP on the compose trial
    database = urllib.parse.urlsplit(env["DATABASE_URL"])
    assert (database.hostname, database.username, database.password, database.path) == (
        "postgres", env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], f"/{env['POSTGRES_DB']}"
    )  # fmt: skip
    assert urllib.parse.urlsplit(env["REDIS_URL"]).hostname in services
    assert urllib.parse.urlsplit(env["METASCENE_S3_ENDPOINT_URL"]).hostname == "minio"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == (
        env["MINIO_ROOT_USER"], env["MINIO_ROOT_PASSWORD"]
    )  # fmt: skip


def test_every_setting_named_in_the_deployment_files_is_read_by_someone() -> None:
    """A misspelt name is silently ignored; each one must be read by the code or by a named other reader."""
    sources = [*REPO.glob("platform/metascene/**/*.py"), *REPO.glob("competitions/**/*.py")]
    sources += [*REPO.glob("frontend/**/*.py"), DEPLOY / "gunicorn.conf.py"]
    code = "\n".join(path.read_text() for path in sources if "node_modules" not in path.parts)
    read = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', code)) | ISSUE_13_NAMES | OTHER_READERS
    names = set(env_example())
    for path in (KUBERNETES / "configmap.yaml", KUBERNETES / "secret.example.yaml"):
        data = documents(path)[0]
        names |= set(data.get("data", {}) | data.get("stringData", {}))
    assert names - read == set()
