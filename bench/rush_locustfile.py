"""The people of the deadline rush, for locust; started by bench/rush.py, which passes what it set up in environment
variables (RUSH_SETUP: the accounts, entries and rounds as JSON; RUSH_GLB: the file to upload; RUSH_RESULT: where
to write what was measured; RUSH_ENTRANTS, RUSH_JUDGES, RUSH_ORGANISERS: how many of each).

- Entrants upload through the API with their token, half in one multipart POST and half with tus (8 MB chunks, as
  the portal's uploader sends them), then poll the revision every 2 seconds until it is final, as the entry page
  does, and think before the next upload.
- Judges log in, open their queue, then open entries one after another and save score-sheet drafts through the
  API, signed in by the session, as the page's script does as they type.
- Organisers refresh the leaderboard of the judged round; a load balancer asks /healthz every 2 seconds.

Every request is timed here, exactly, by page type (``NAMES``); the result file has the times, the statuses and
the ids of the revisions each accepted upload created.
"""

import base64
import itertools
import json
import os
import random
import re
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from locust import HttpUser, between, constant, events, task
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING

SETUP = json.loads(Path(os.environ["RUSH_SETUP"]).read_text())
GLB = Path(os.environ["RUSH_GLB"])
TUS_CHUNK = 8 * 1024 * 1024
POLL_SECONDS = 2.0
TIMEOUT = 300

PLAIN = "entrant upload plain"
TUS_CREATE = "tus create"
TUS_PATCH = "tus patch"
TUS_DONE = "tus upload (get)"
POLL = "status poll"
JUDGE_HOME = "judge home"
JUDGE_QUEUE = "judge queue"
JUDGE_ENTRY = "judge entry"
SHEET_SAVE = "sheet save"
LEADERBOARD = "leaderboard"
HEALTH = "/healthz"
JUDGE_PAGES = (JUDGE_HOME, JUDGE_QUEUE, JUDGE_ENTRY, SHEET_SAVE)
NAMES = (PLAIN, TUS_CREATE, TUS_PATCH, TUS_DONE, POLL, *JUDGE_PAGES, LEADERBOARD, HEALTH)

_boundary = "rush" + "0" * 20
_head = (
    f'--{_boundary}\r\nContent-Disposition: form-data; name="file"; filename="scene.glb"\r\n'
    "Content-Type: model/gltf-binary\r\n\r\n"
).encode()
_data = GLB.read_bytes()
# Built once and shared by every entrant: the whole multipart body, and the file in tus chunks.
MULTIPART_BODY = _head + _data + f"\r\n--{_boundary}--\r\n".encode()
TUS_CHUNKS = [(offset, _data[offset : offset + TUS_CHUNK]) for offset in range(0, len(_data), TUS_CHUNK)]
FILE_SIZE = len(_data)
del _data

# What was measured, written to RUSH_RESULT when the test stops.
times: dict[str, list[float]] = defaultdict(list)
# When each request started, in seconds since the first one: the start (every entrant's first upload at
# once) can be told apart from the steady state.
started_at: dict[str, list[float]] = defaultdict(list)
_first_request: list[float] = []
statuses: dict[str, Counter[str]] = defaultdict(Counter)
accepted: list[int] = []
_entrant_numbers = itertools.count()
_judge_numbers = itertools.count()
_organiser_numbers = itertools.count()


@events.request.add_listener
def _record(
    name: str, response_time: float, response: Any, exception: BaseException | None, start_time: float, **_: Any
) -> None:
    if not _first_request:
        _first_request.append(start_time)
    times[name].append(response_time)
    started_at[name].append(start_time - _first_request[0])
    status = getattr(response, "status_code", 0) or 0
    statuses[name][str(status) if status else f"no answer ({type(exception).__name__})"] += 1


@events.test_stop.add_listener
def _write(**_: Any) -> None:
    result = {"times": times, "started_at": started_at, "statuses": statuses, "accepted": accepted}
    Path(os.environ["RUSH_RESULT"]).write_text(json.dumps(result))


def _stopping(user: HttpUser) -> bool:
    runner = user.environment.runner
    return runner is not None and runner.state in (STATE_STOPPING, STATE_STOPPED, STATE_CLEANUP)


class Entrant(HttpUser):
    """A team member who uploads a scene, watches it being processed, fixes it and uploads again."""

    fixed_count = int(os.environ.get("RUSH_ENTRANTS", "0"))
    wait_time = between(5, 15)  # reading the report, changing the scene

    def on_start(self) -> None:
        number = next(_entrant_numbers)
        me = SETUP["entrants"][number % len(SETUP["entrants"])]
        self.entry_id = me["entry"]
        self.resumable = number % 2 == 1
        self.client.headers["Authorization"] = f"Token {me['token']}"

    @task
    def upload_and_watch(self) -> None:
        revision_id = self._upload_tus() if self.resumable else self._upload_plain()
        if revision_id is None:
            return
        accepted.append(revision_id)
        # Once the load stops only the upload in flight is finished; bench/rush.py follows the queue from then on.
        while not _stopping(self):
            time.sleep(POLL_SECONDS)
            with self.client.get(f"/api/revisions/{revision_id}/", name=POLL, catch_response=True) as response:
                if response.status_code == 200 and response.json()["is_final"]:
                    return

    def _upload_plain(self) -> int | None:
        response = self.client.post(
            f"/api/entries/{self.entry_id}/revisions/",
            data=MULTIPART_BODY,
            headers={"Content-Type": f"multipart/form-data; boundary={_boundary}"},
            name=PLAIN,
            timeout=TIMEOUT,
        )
        return response.json()["id"] if response.status_code == 201 else None

    def _upload_tus(self) -> int | None:
        encoded = base64.b64encode(b"scene.glb").decode()
        headers = {"Tus-Resumable": "1.0.0", "Upload-Length": str(FILE_SIZE), "Upload-Metadata": f"filename {encoded}"}
        response = self.client.post(
            f"/api/entries/{self.entry_id}/uploads/", headers=headers, name=TUS_CREATE, timeout=TIMEOUT
        )
        if response.status_code != 201:
            return None
        url = response.headers["Location"]
        for offset, chunk in TUS_CHUNKS:
            headers = {
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            }
            response = self.client.patch(url, data=chunk, headers=headers, name=TUS_PATCH, timeout=TIMEOUT)
            if response.status_code != 204:
                return None
        # The chunk with the last byte made the revision; the upload names it.
        response = self.client.get(url, headers={"Tus-Resumable": "1.0.0"}, name=TUS_DONE, timeout=TIMEOUT)
        return response.json()["revision"]["id"] if response.status_code == 200 else None


def _signed_in(user: HttpUser, email: str) -> bool:
    """Take the session bench/rush.py opened for ``email`` through the login page before the load."""
    cookies = SETUP["sessions"].get(email, {})
    # The host's own domain, so that a cookie the site sets later replaces this one instead of standing beside it.
    domain = urllib.parse.urlsplit(user.host).hostname
    for name, value in cookies.items():
        user.client.cookies.set(name, value, domain=domain, path="/")
    return "sessionid" in cookies


class Judge(HttpUser):
    """A judge working through their queue: open an entry, score it in a few sittings (each a draft save), next."""

    fixed_count = int(os.environ.get("RUSH_JUDGES", "0"))
    wait_time = between(1, 3)

    def on_start(self) -> None:
        me = SETUP["judges"][next(_judge_numbers) % len(SETUP["judges"])]
        self.logged_in = _signed_in(self, me)
        self.client.get("/judging/", name=JUDGE_HOME)
        self.queue_url = f"/judging/rounds/{SETUP['round']}/"

    @task
    def score_an_entry(self) -> None:
        if not self.logged_in:
            return
        queue = self.client.get(self.queue_url, name=JUDGE_QUEUE)
        entries = sorted(set(re.findall(r'href="/judging/entries/(\d+)/"', queue.text)))
        if not entries:
            return
        round_entry = random.choice(entries)
        page = self.client.get(f"/judging/entries/{round_entry}/", name=JUDGE_ENTRY)
        version = re.search(r'name="version" value="(\d+)"', page.text)
        criteria = re.findall(r'name="score-(\d+)"', page.text)
        if page.status_code != 200 or not version or not criteria:
            return
        # As static/js/scoresheet.js sends it: the whole sheet, to the API, signed in by the session.
        scores: list[dict[str, object]] = []
        sheet = {"version": int(version.group(1)), "scores": scores, "comment": ""}
        for criterion in criteria:
            time.sleep(random.uniform(2, 5))  # reading the guidance, looking at the model
            if _stopping(self):
                return
            scores.append(
                {"criterion": int(criterion), "value": str(random.randint(0, 20) / 2), "comment": "Clear layout."}
            )
            response = self.client.put(
                f"/api/judging/entries/{round_entry}/sheet/",
                json=sheet,
                headers={"X-CSRFToken": self.client.cookies["csrftoken"]},
                name=SHEET_SAVE,
            )
            if response.status_code != 200:
                return
            sheet["version"] = response.json()["version"]


class Organiser(HttpUser):
    """An organiser keeping the leaderboard of the open round on screen, refreshing it."""

    fixed_count = int(os.environ.get("RUSH_ORGANISERS", "0"))
    wait_time = between(3, 7)

    def on_start(self) -> None:
        me = SETUP["organisers"][next(_organiser_numbers) % len(SETUP["organisers"])]
        self.logged_in = _signed_in(self, me)

    @task
    def leaderboard(self) -> None:
        if self.logged_in:
            self.client.get(f"/organise/rounds/{SETUP['round']}/leaderboard/", name=LEADERBOARD)


class LoadBalancer(HttpUser):
    """The proxy's health check."""

    fixed_count = 1
    wait_time = constant(2)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name=HEALTH)
