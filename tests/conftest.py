import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django.fixtures import SettingsWrapper


@pytest.fixture(autouse=True)
def _media_root(tmp_path: Path, settings: SettingsWrapper) -> Iterator[None]:
    """Each test writes uploads into its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _english(settings: SettingsWrapper) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: ids repeat from one test's database to the next, and so would keys."""
    cache.clear()


# The real Celery worker fixtures (`celery_worker`, `worker`) live in their own module.
pytest_plugins = ["tests.worker_process"]
