"""What the tests of services.uploads share: a real scene of a few kilobytes, sent in chunks, and a connection that
drops mid-chunk."""

import io

from django.contrib.auth.models import User

from competitions.models import Entry, UploadSession
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import uploads

# A real scene of a few kilobytes, sent in chunks of CHUNK bytes.
SCENE = scene_glb([Box(centre=(x, 0.5, 0), size=(0.8, 1, 0.8), name=f"crate-{x}") for x in range(12)])
CHUNK = 1000


def start(entry: Entry, user: User, *, size: int = len(SCENE), name: str = "harbour.glb") -> UploadSession:
    return uploads.upload_start(entry=entry, user=user, original_name=name, size=size)


def send(session: UploadSession, data: bytes, *, offset: int | None = None) -> UploadSession:
    """Append ``data`` as one chunk, at the session's offset unless another is given."""
    at = session.received if offset is None else offset
    return uploads.upload_append(session=session, offset=at, stream=io.BytesIO(data), length=len(data))


def send_all_but_last_chunk(session: UploadSession) -> UploadSession:
    for start_at in range(0, len(SCENE) - CHUNK, CHUNK):
        session = send(session, SCENE[start_at : start_at + CHUNK])
    return session


def last_chunk(session: UploadSession) -> bytes:
    return SCENE[session.received :]


class DroppedConnection(io.BytesIO):
    """A request body whose connection breaks after ``keep`` bytes, as Django reports it: an OSError on read."""

    def __init__(self, data: bytes, keep: int) -> None:
        super().__init__(data[:keep])

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data:
            raise OSError("connection reset by peer")
        return data
