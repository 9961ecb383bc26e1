"""schemathesis hooks for scripts/schemathesis_check.py: a tus chunk's body is plain bytes, sent as
``application/offset+octet-stream``, which schemathesis can write like ``application/octet-stream``."""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
