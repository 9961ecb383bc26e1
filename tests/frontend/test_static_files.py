"""The static files collect as in production, where the manifest storage rewrites each reference a file makes (a
stylesheet's image, a minified script's source map) to a hashed name and stops on one that is missing. The vendored
copies come from `make install` (the Makefile's VENDOR_FILES)."""

import json
from pathlib import Path

from django.core.management import call_command


def test_the_static_files_collect_with_hashed_names_and_every_reference_found(settings, tmp_path: Path) -> None:
    # Production's storage without its compression, which changes no name and takes minutes on the 3D viewer.
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("js/upload.js", "js/upload_form.js", "vendor/tus.min.js", "vendor/model-viewer.min.js"):
        assert (tmp_path / hashed[name]).is_file(), name
    assert f"sourceMappingURL={Path(hashed['vendor/tus.min.js.map']).name}" in (
        tmp_path / hashed["vendor/tus.min.js"]
    ).read_text(encoding="utf-8")
