"""Write the studio environment the 3D viewer lights scenes with, as the thumbnails' renderer lights them.

    python scripts/make_viewer_environment.py [--check]

The map is ``competitions.pipeline.render.environment.studio_environment()``, a formula; this writes it as Radiance
RGBE to frontend/static/viewer/studio.hdr, which the viewer's include (judge/includes/model_viewer.html) names as
its environment-image. Deterministic: the same bytes on every run. With ``--check``, write nothing and fail when the
committed file is not what the formula gives (tests/pipeline/test_viewing_conditions.py checks the same).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from competitions.pipeline.render.environment import rgbe_bytes, studio_environment  # noqa: E402

TARGET = ROOT / "frontend" / "static" / "viewer" / "studio.hdr"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed file differs; write nothing")
    arguments = parser.parse_args()
    data = rgbe_bytes(studio_environment())
    if arguments.check:
        if not TARGET.exists() or TARGET.read_bytes() != data:
            print(f"{TARGET.relative_to(ROOT)} is not the studio environment: run scripts/make_viewer_environment.py")
            return 1
        print(f"{TARGET.relative_to(ROOT)} is up to date.")
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(data)
    print(f"Wrote {TARGET.relative_to(ROOT)} ({len(data):,} bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
