"""The wiring: the stdlib ``platform`` module is not shadowed, settings follow the environment, production is safe.

Settings are read once per process, so each environment is tried in a subprocess of its own.
"""

import json
import os
import platform
import secrets
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[1]
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()

# What a deployment sets (see the README); the key is random, long and varied, as check --deploy wants.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "metascene.settings.production",
    "DJANGO_ALLOWED_HOSTS": "metascene.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://metascene.example.org",
}

SHOW_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
from metascene.celery import app
database = settings.DATABASES["default"]
print(json.dumps({
    "engine": database["ENGINE"],
    "name": str(database["NAME"]),
    "host": database.get("HOST", ""),
    "broker": app.conf.broker_url,
    "broker_polling": app.conf.broker_transport_options.get("polling_interval"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": str(settings.CACHES["default"].get("LOCATION", "")),
}))
"""


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``args`` from the repository root with a clean Metascene environment plus ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update({"METASCENE_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(REPO / "platform"), **env})
    return subprocess.run(args, cwd=REPO, env=clean, capture_output=True, text=True, timeout=120)


def settings_seen_with(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = run(
        [sys.executable, "-c", SHOW_SETTINGS], tmp_path, DJANGO_SETTINGS_MODULE="metascene.settings.local", **env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_platform_is_the_standard_library_module_inside_the_running_site(tmp_path: Path) -> None:
    code = "import platform; print('system=' + platform.system()); print('file=' + platform.__file__)"

    result = run([sys.executable, "manage.py", "shell", "-c", code], tmp_path)

    assert result.returncode == 0, result.stderr
    lines = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert lines["system"] == platform.system() != ""
    assert Path(lines["file"]).resolve().parent == STDLIB


def test_platform_is_the_standard_library_module_after_django_setup() -> None:
    import platform as imported_after_setup

    assert Path(imported_after_setup.__file__).resolve().parent == STDLIB
    assert imported_after_setup.system() != ""


def test_django_project_is_loaded_from_the_platform_folder() -> None:
    import metascene

    assert Path(metascene.__file__).resolve().parent == REPO / "platform" / "metascene"


def test_production_settings_pass_the_deployment_checks_without_warnings(tmp_path: Path) -> None:
    result = run(
        [sys.executable, "manage.py", "check", "--deploy"],
        tmp_path,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run([sys.executable, "manage.py", "check"], tmp_path, **PRODUCTION_ENV)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_nothing_set_means_sqlite_under_var_a_filesystem_broker_and_a_file_cache(tmp_path: Path) -> None:
    seen = settings_seen_with(tmp_path)

    assert seen["engine"] == "django.db.backends.sqlite3"
    assert Path(seen["name"]) == tmp_path / "var" / "metascene.sqlite3"
    assert seen["broker"].startswith("filesystem://")
    # Polled often enough that a revision's two queues add a fraction of a second, not two seconds, to each upload.
    assert 0 < seen["broker_polling"] <= 0.2
    assert seen["cache"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_database_url_switches_to_postgresql(tmp_path: Path) -> None:
    seen = settings_seen_with(tmp_path, DATABASE_URL="postgres://metascene@db.example.org:5432/metascene")

    assert seen["engine"] == "django.db.backends.postgresql"
    assert (seen["name"], seen["host"]) == ("metascene", "db.example.org")


def test_redis_url_switches_the_broker_and_the_cache_to_redis(tmp_path: Path) -> None:
    seen = settings_seen_with(tmp_path, REDIS_URL="redis://cache.example.org:6379/2")

    assert seen["broker"] == "redis://cache.example.org:6379/2"
    assert seen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert seen["cache_location"] == "redis://cache.example.org:6379/2"


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    # makemigrations --check exits (SystemExit) when a model change has no migration.
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
