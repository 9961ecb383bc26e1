"""The judge's page never waits for the 3D model: with a 1.3-million-triangle viewer copy (a 30 MB GLB), headless
Chromium without a GPU answers input within 2 s of navigation, and no long task (50 ms or more on the main thread)
follows. So heavy a model is not fetched until the judge asks for it ("Show in 3D"), and then it loads.

Time to interactive is measured in the page: from navigation start (performance.timeOrigin) until the score field
shows a typed value and the next frame is drawn. The best of three visits is held to the limit: on a loaded
two-core machine one visit can lose a second to another process, which says nothing about the page.
"""

import pytest

from competitions.pipeline.samples import grid_scene_glb
from tests.browser.conftest import LAPTOP, SCREENSHOTS, signed_in_page
from tests.browser.viewer_entries import ViewerEntry, viewer_entry

pytestmark = [pytest.mark.browser]

TRIANGLES = 1_300_000
MAX_TIME_TO_INTERACTIVE_MS = 2000
QUIET_AFTER_MS = 1500  # how long the main thread is watched for long tasks once the page answered
VISITS = 3

LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const task of list.getEntries()) window.__longTasks.push([task.startTime, task.duration]);
}).observe({ type: 'longtask', buffered: true });
"""
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => done(performance.now())))"


@pytest.fixture
def entry(transactional_db) -> ViewerEntry:
    # The hero thumbnail and the viewer copy of the same 1.3-million-triangle scene.
    return viewer_entry(grid_scene_glb(TRIANGLES), triangles=TRIANGLES)


def record_model_requests(page, requests: list[str]) -> None:
    page.on("request", lambda request: requests.append(request.url) if request.url.endswith("/model") else None)


def visit(context, url: str, field: str, model_requests: list[str]) -> tuple[float, list[list[float]]]:
    """One visit: milliseconds from navigation until the page answered typing, and the long tasks after that."""
    page = context.new_page()
    record_model_requests(page, model_requests)
    page.goto(url, wait_until="commit")
    page.locator(field).fill("7")
    answered = page.evaluate(NEXT_FRAME)
    assert page.input_value(field) == "7"
    page.wait_for_timeout(QUIET_AFTER_MS)
    later = [task for task in page.evaluate("() => window.__longTasks") if task[0] + task[1] > answered]
    page.close()
    return answered, later


def test_judge_page_with_a_huge_scene_is_interactive_within_two_seconds_without_a_gpu(
    entry: ViewerEntry, browser, live_server
) -> None:
    page = signed_in_page(browser, live_server, entry.judge, language="en", device=LAPTOP)
    context = page.context
    context.add_init_script(LONG_TASKS)
    url = f"{live_server.url}{entry.path}"
    field = f"#id_score-{entry.criterion.pk}"
    model_requests: list[str] = []
    page.goto(url)  # a first visit fills the browser's cache, as for a judge going through their queue
    page.close()

    # When the judge opens the page and types a score
    visits = [visit(context, url, field, model_requests) for _ in range(VISITS)]
    times = [round(answered) for answered, _ in visits]
    print(f"\ntime to interactive, {TRIANGLES:,}-triangle entry, no GPU: {times} ms (best {min(times)} ms)")
    # Then the page answered within 2 s, and no long task followed on any visit
    assert min(times) <= MAX_TIME_TO_INTERACTIVE_MS, times
    assert [later for _, later in visits] == [[]] * VISITS
    # And the model was not fetched, since nobody asked for it
    assert model_requests == []

    # When the judge asks for the 3D view, the model is fetched and shown
    page = context.new_page()
    record_model_requests(page, model_requests)
    page.goto(url)
    started = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="Show in 3D").click()
    page.locator("[data-viewer-status]", has_text="Loading the 3D model").wait_for()
    page.locator('model-viewer[data-loaded="true"]').wait_for(timeout=180_000)
    assert model_requests
    page.locator("[data-viewer-status]", has_text="The 3D model is loaded").wait_for()
    seconds = (page.evaluate("() => performance.now()") - started) / 1000
    print(f"asked for the 3D view: loaded and shown in {seconds:.1f} s")
    page.wait_for_timeout(1500)  # the progress bar fades
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("model-viewer[data-viewer]").screenshot(path=SCREENSHOTS / "viewer-1.3m-triangles.png")
    context.close()
