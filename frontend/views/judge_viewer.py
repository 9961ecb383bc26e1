"""What a judge's 3D viewer of an entry loads (judge/includes/model_viewer.html), for every judge page that shows
one: the entry page and the compare page. The files themselves are served by ``judging.judge_artifact``, under the
rule of ``selectors.judging.judge_artifact``."""

from django.urls import reverse

from competitions.models import RoundEntry
from competitions.selectors.judging import MODEL


def artifact_url(round_entry: RoundEntry, name: str) -> str:
    """The judge's URL of a thumbnail ("hero", "front", "side", "top") or of the model (``MODEL``) of the entry."""
    return reverse("frontend:judge-artifact", kwargs={"round_entry_id": round_entry.pk, "name": name})


def viewer_urls(round_entry: RoundEntry, *, thumbnails: list[str], has_model: bool) -> dict[str, str]:
    """The viewer's ``model_url`` ("" when there is no model to show) and ``poster_url``, shown until the model is
    loaded: the hero thumbnail, so the first frame waits for no model ("" without one). ``thumbnails`` and
    ``has_model`` as ``selectors.judge_entry.JudgeEntry`` has them."""
    return {
        "model_url": artifact_url(round_entry, MODEL) if has_model else "",
        "poster_url": artifact_url(round_entry, "hero") if "hero" in thumbnails else "",
    }
