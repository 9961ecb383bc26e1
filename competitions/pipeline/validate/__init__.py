"""Stage 2, validate: our own safety checks, then the Khronos glTF-Validator, then the competition's policy.

``validate(bundle, limits)`` returns the messages. In order:

1. Cheap checks that guard the worker, before anything large is read, decoded or allocated: the size of the JSON
   (from the file or GLB chunk header), the size of every data URI (measured on the raw JSON bytes, never decoded),
   and the bytes every accessor would need (``count * component size * components``). A failure here stops the
   stage: the validator is not run on a file that could exhaust it.
2. Every URI: a scheme (``http:``, ``file:``, ...) is ``URI_EXTERNAL``, an absolute path ``URI_ABSOLUTE``, a path
   that leaves the bundle (after percent-decoding and following symlinks) ``URI_ESCAPES_BUNDLE``, a missing file
   ``URI_MISSING``. Nothing outside the bundle is ever opened.
3. The Khronos validator in Node (``khronos.py`` runs ``node/validate.mjs``), started as soon as step 1 passes; it
   reads external resources only through a function that serves files inside the bundle root. While it runs,
   Python reads texture headers (dimensions, decompression bombs, files that are not images) and scans POSITION data
   for NaN/Inf with numpy on memory-mapped buffers.
4. Allowed extensions, then ``report.apply_policy``.

Our codes (never downgraded by the lenient policy): JSON_TOO_LARGE, JSON_TOO_DEEP, DATA_URI_TOO_LARGE,
BUDGET_ACCESSOR_MEMORY, URI_EXTERNAL, URI_ABSOLUTE, URI_ESCAPES_BUNDLE, URI_MISSING, TEXTURE_NOT_AN_IMAGE,
TEXTURE_UNREADABLE, TEXTURE_DECOMPRESSION_BOMB, LIMIT_TEXTURE_SIZE, FORMAT_NON_FINITE_POSITIONS (a POSITION value is
NaN or infinite: the mesh cannot be framed, rendered or measured), LIMIT_EXTENSION_NOT_ALLOWED and, as info,
LIMIT_VALIDATOR_TRUNCATED. The validator's codes pass through unchanged. ``ValidatorFailed`` (Node missing, crashed
or too slow) is our fault, not the file's: the caller retries or fails the stage.

The parts: ``budgets`` (step 1), ``uris`` (step 2), ``scene`` (the document and its memory-mapped buffers) with
``textures`` (what Python reads while Node works), ``obj`` (an OBJ's .mtl files and textures); ``khronos`` maps the
validator's report to our messages.
"""

from contextlib import ExitStack
from typing import Any

from competitions.pipeline.khronos import NodeValidator, Validator, ValidatorFailed, validator_messages
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import Message, apply_policy, error, gettext_noop
from competitions.pipeline.unpack import Bundle

from .budgets import check_accessor_budget, check_data_uris, check_ply_header
from .obj import check_obj
from .scene import MappedScene

__all__ = ["ValidatorFailed", "validate", "validate_with_report", "validator_report"]

# Our checks after which the validator is not run: it would decode or allocate what we just refused.
BLOCKING = frozenset({"JSON_TOO_LARGE", "JSON_TOO_DEEP", "DATA_URI_TOO_LARGE", "BUDGET_ACCESSOR_MEMORY"})


def validator_report(bundle: Bundle, *, validator: Validator | None = None) -> dict[str, Any]:
    """The raw Khronos report for a glTF/GLB bundle. Run it only on a bundle that ``validate`` let through."""
    return (validator or NodeValidator()).start(bundle.scene, bundle.root).result()


def validate(bundle: Bundle, limits: Limits, *, validator: Validator | None = None) -> list[Message]:
    """Check ``bundle`` against the glTF 2.0 specification and our budgets; the policy is applied to the result."""
    return validate_with_report(bundle, limits, validator=validator)[0]


def validate_with_report(
    bundle: Bundle, limits: Limits, *, validator: Validator | None = None
) -> tuple[list[Message], dict[str, Any] | None]:
    """Like ``validate``, also returning the validator's raw report (None when our checks stopped it first)."""
    if bundle.kind == "obj":
        return apply_policy(check_obj(bundle, limits), limits.policy), None
    if bundle.kind == "ply":
        return apply_policy(check_ply_header(bundle, limits), limits.policy), None
    if bundle.kind not in ("glb", "gltf"):
        return [], None
    with ExitStack() as stack:
        scene = MappedScene(bundle, stack)
        messages = scene.read_document(limits)
        if scene.document is not None:
            messages += check_data_uris(scene.document, limits)
            messages += check_accessor_budget(scene.document, limits)
            messages += scene.resolve_uris()
            messages += _check_extensions(scene.document, limits)
        if any(m.code in BLOCKING for m in messages):
            return apply_policy(messages, limits.policy), None
        validator = validator or NodeValidator(timeout=limits.cpu_seconds)
        running = validator.start(bundle.scene, bundle.root)
        try:
            if scene.document is not None:  # while Node works
                messages += scene.check_images(limits)
                messages += scene.check_positions()
        except BaseException:
            running.cancel()
            raise
        report = running.result()
    ours = {m.pointer for m in messages if m.code.startswith("URI_")}
    # A URI we refused also fails in the validator (IO_ERROR); our message already says why and what to do.
    messages += [m for m in validator_messages(report) if not (m.code == "IO_ERROR" and m.pointer in ours)]
    return apply_policy(messages, limits.policy), report


def _check_extensions(document: dict[str, Any], limits: Limits) -> list[Message]:
    if limits.allowed_extensions is None:
        return []
    used = document.get("extensionsUsed")
    if limits.allowed_extensions:
        template = gettext_noop(
            "The scene uses the glTF extension %(name)s, which this competition does not allow (allowed: "
            "%(allowed)s). Export without it."
        )
    else:
        template = gettext_noop(
            "The scene uses the glTF extension %(name)s; this competition allows no extensions. Export without it."
        )
    return [
        error(
            "LIMIT_EXTENSION_NOT_ALLOWED",
            template,
            f"/extensionsUsed/{index}",
            name=name,
            allowed=", ".join(limits.allowed_extensions),
        )
        for index, name in enumerate(used if isinstance(used, list) else [])
        if isinstance(name, str) and name not in limits.allowed_extensions
    ]
