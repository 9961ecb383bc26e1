"""What the pipeline tells people: messages with a severity, a stable code, plain words and a JSON pointer."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .limits import MB

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Validator errors that make a file unloadable or unsafe: these reject even under the lenient policy.
UNLOADABLE_CODES = frozenset(
    {
        "GLB_INVALID_MAGIC",
        "GLB_INVALID_VERSION",
        "GLB_LENGTH_TOO_SMALL",
        "GLB_LENGTH_MISMATCH",
        "GLB_CHUNK_TOO_BIG",
        "GLB_UNEXPECTED_END_OF_CHUNK_HEADER",
        "GLB_UNEXPECTED_END_OF_CHUNK_DATA",
        "GLB_UNEXPECTED_END_OF_HEADER",
        "GLB_UNEXPECTED_FIRST_CHUNK",
        "GLB_UNKNOWN_CHUNK_TYPE",
        "GLB_DUPLICATE_CHUNK",
        "GLB_MISSING_JSON_CHUNK",
        "INVALID_GLTF",
        "INVALID_JSON",
        "INVALID_JSON_ROOT_OBJECT",
        "UNKNOWN_ASSET_MAJOR_VERSION",
        "UNSUPPORTED_EXTENSION",
        "UNDEFINED_PROPERTY",
        "UNRESOLVED_REFERENCE",
        "IO_ERROR",
        "BUFFER_MISSING_GLB_DATA",
        "BUFFER_EXTERNAL_BYTELENGTH_MISMATCH",
        "BUFFER_GLB_CHUNK_TOO_BIG",
        "BUFFER_VIEW_TOO_LONG",
        "ACCESSOR_TOO_LONG",
        "ACCESSOR_INDEX_OOB",
        "ACCESSOR_INVALID_FLOAT",
        "IMAGE_UNRECOGNIZED_FORMAT",
        "IMAGE_DATA_INVALID",
        "IMAGE_UNEXPECTED_EOS",
        "MESH_PRIMITIVE_ACCESSOR_WITHOUT_BYTESTRIDE",
        "TYPE_MISMATCH",
        "VALUE_NOT_IN_LIST",
        "ARRAY_LENGTH_NOT_IN_LIST",
        "INVALID_URI",
        "NODE_LOOP",
    }
)


def gettext_noop(text: str) -> str:
    """Marks a message of ours for the translation catalogue (makemessages finds it by this name) without
    translating it: the pipeline runs without Django and writes English; the pages translate it for the reader
    from the template and values a ``Message`` keeps."""
    return text


@dataclass(frozen=True)
class Message:
    """One line of a report. ``message`` is the English text; a message of ours also keeps its ``template`` (marked
    with ``gettext_noop``) and the ``params`` filled into it, so a page can show it in the reader's language."""

    severity: str
    code: str
    message: str
    pointer: str = ""
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "pointer": self.pointer,
        }
        if self.template:
            data["template"] = self.template
            data["params"] = dict(self.params)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Message":
        return cls(
            data["severity"],
            data["code"],
            data["message"],
            data.get("pointer", ""),
            data.get("template", ""),
            dict(data.get("params") or {}),
        )


def fill(template: str, params: dict[str, Any], words: Callable[[str], str] = str) -> str:
    """``template`` with its ``%(name)s`` placeholders filled from ``params``. A value whose name ends in ``_text``
    is our own words (marked with ``gettext_noop``), or a list of them joined with commas: ``words`` translates
    them, as the page translates the template itself."""
    if not params:
        return template
    values = {}
    for name, value in params.items():
        if name.endswith("_text"):
            value = ", ".join(words(v) for v in value) if isinstance(value, list) else words(value)
        values[name] = value
    return template % values


def _message(severity: str, code: str, template: str, pointer: str, params: dict[str, Any]) -> Message:
    """A message of ours: ``template`` is English with ``%(name)s`` placeholders filled from ``params``."""
    return Message(severity, code, fill(template, params), pointer, template, params)


def error(code: str, template: str, pointer: str = "", **params: Any) -> Message:
    return _message(ERROR, code, template, pointer, params)


def warning(code: str, template: str, pointer: str = "", **params: Any) -> Message:
    return _message(WARNING, code, template, pointer, params)


def info(code: str, template: str, pointer: str = "", **params: Any) -> Message:
    return _message(INFO, code, template, pointer, params)


def size_text(n: int) -> str:
    """A byte count as a message states it: "3.2 MB" from a megabyte up, "512 bytes" below."""
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n} bytes"


class AssetRejected(Exception):
    """The file is at fault; processing stops and the entrant reads ``messages``."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__("; ".join(m.message for m in messages))
        self.messages = messages


def has_errors(messages: list[Message]) -> bool:
    return any(m.severity == ERROR for m in messages)


def apply_policy(messages: list[Message], policy: str) -> list[Message]:
    """Under the lenient policy, errors that leave the file loadable and safe become warnings."""
    if policy != "lenient":
        return messages
    return [
        replace(m, severity=WARNING)
        if m.severity == ERROR and m.code not in UNLOADABLE_CODES and not is_our_code(m.code)
        else m
        for m in messages
    ]


# Our own safety and rule checks are never downgraded: they guard the workers and the competition's budgets.
OUR_PREFIXES = (
    "ZIP_",
    "URI_",
    "DATA_URI_",
    "TEXTURE_",
    "LIMIT_",
    "FORMAT_",
    "JSON_",
    "BUDGET_",
    "UPLOAD_",
    "CONTAINER_",
)


# What to fix, in plain words, for the validator messages entrants meet most. The validator's own sentence (which
# names the exact index or value) comes first; this says what it means and what to do about it.
PLAIN_WORDS = {
    "ACCESSOR_MIN_MISMATCH": gettext_noop(
        "The stored minimum of this accessor is wrong; re-export so the exporter recomputes it."
    ),
    "ACCESSOR_MAX_MISMATCH": gettext_noop(
        "The stored maximum of this accessor is wrong; re-export so the exporter recomputes it."
    ),
    "ACCESSOR_ELEMENT_OUT_OF_MIN_BOUND": gettext_noop(
        "A value is below the accessor's declared minimum; re-export the mesh."
    ),
    "ACCESSOR_ELEMENT_OUT_OF_MAX_BOUND": gettext_noop(
        "A value is above the accessor's declared maximum; re-export the mesh."
    ),
    "ACCESSOR_OFFSET_ALIGNMENT": gettext_noop(
        "Binary data is not aligned as glTF requires; re-export with a current exporter."
    ),
    "ACCESSOR_TOTAL_OFFSET_ALIGNMENT": gettext_noop(
        "Binary data is not aligned as glTF requires; re-export with a newer exporter."
    ),
    "ACCESSOR_INVALID_FLOAT": gettext_noop(
        "The mesh holds NaN or infinite numbers; clean up the geometry and export again."
    ),
    "ACCESSOR_INDEX_OOB": gettext_noop(
        "A triangle refers to a vertex that does not exist; the mesh is corrupt, export it again."
    ),
    "ACCESSOR_TOO_LONG": gettext_noop("The accessor reads past the end of its data; the file is truncated or corrupt."),
    "BUFFER_VIEW_TOO_LONG": gettext_noop(
        "A buffer view reaches past the end of its buffer; the file is truncated or corrupt."
    ),
    "BUFFER_EXTERNAL_BYTELENGTH_MISMATCH": gettext_noop(
        "A .bin file is shorter than the .gltf says; include the right .bin file."
    ),
    "GLB_CHUNK_LENGTH_UNALIGNED": gettext_noop(
        "The GLB chunks are not padded to 4 bytes; re-export with a current exporter."
    ),
    "GLB_LENGTH_MISMATCH": gettext_noop(
        "The GLB header's length does not match the file; the upload is truncated or damaged."
    ),
    "GLB_UNEXPECTED_END_OF_CHUNK_DATA": gettext_noop("The GLB file ends too early; it is truncated, upload it again."),
    "GLB_UNEXPECTED_END_OF_CHUNK_HEADER": gettext_noop(
        "The GLB file ends too early; it is truncated, upload it again."
    ),
    "GLB_UNEXPECTED_END_OF_HEADER": gettext_noop("The GLB file ends too early; it is truncated, upload it again."),
    "GLB_INVALID_MAGIC": gettext_noop("This is not a GLB file; export the scene as binary glTF (.glb)."),
    "INVALID_JSON": gettext_noop("The glTF JSON cannot be parsed; the file is damaged or was edited by hand."),
    "IO_ERROR": gettext_noop("A file the scene refers to cannot be read; include it in the zip beside the .gltf."),
    "IMAGE_UNRECOGNIZED_FORMAT": gettext_noop(
        "A texture is not a PNG, JPEG, WebP or KTX2 image; convert it to PNG or JPEG."
    ),
    "IMAGE_DATA_INVALID": gettext_noop("A texture image is damaged; save it again as PNG or JPEG."),
    "IMAGE_UNEXPECTED_EOS": gettext_noop("A texture image is cut short; save it again as PNG or JPEG."),
    "IMAGE_MIME_TYPE_INVALID": gettext_noop(
        "A texture's declared type does not match its content; re-export the scene."
    ),
    "UNRESOLVED_REFERENCE": gettext_noop(
        "Something refers to an object that does not exist; the file is corrupt, export it again."
    ),
    "UNDEFINED_PROPERTY": gettext_noop("A property glTF requires is missing; export with a glTF 2.0 exporter."),
    "TYPE_MISMATCH": gettext_noop("A property has the wrong type; export with a glTF 2.0 exporter."),
    "UNSUPPORTED_EXTENSION": gettext_noop(
        "The scene needs a glTF extension viewers may not support; export without it."
    ),
    "NODE_LOOP": gettext_noop("The node hierarchy contains a loop; fix the parenting in your 3D tool."),
    "MESH_PRIMITIVE_ACCESSOR_WITHOUT_BYTESTRIDE": gettext_noop(
        "Interleaved vertex data lacks a byte stride; re-export the scene."
    ),
    "MESH_PRIMITIVE_POSITION_ACCESSOR_WITHOUT_BOUNDS": gettext_noop(
        "Vertex positions lack min/max; re-export the scene."
    ),
}


# A GLB's chunks as the validator names them, by their type number in hex, and as an artist knows them.
GLB_CHUNK_NAMES = {"0x4e4f534a": "JSON", "0x4e4942": "BIN (binary)"}
_GLB_CHUNK_TYPE = re.compile(r"\b(0x(?:4e4f534a|4e4942))\b(?: chunk)?", re.IGNORECASE)


def plain_message(code: str, message: str) -> str:
    """The validator's sentence, with a GLB chunk's type number named in words, followed, where we have one, by
    what it means and what to fix."""
    message = _GLB_CHUNK_TYPE.sub(lambda m: f"{GLB_CHUNK_NAMES[m.group(1).lower()]} chunk ({m.group(1)})", message)
    advice = PLAIN_WORDS.get(code)
    return f"{message} {advice}" if advice else message


# Khronos validator codes that happen to start like ours. They are the validator's, so the lenient policy should
# treat them as such: see ``is_our_code``.
VALIDATOR_CODES_WITH_OUR_PREFIXES = frozenset({"DATA_URI_GLB", "URI_GLB", "TEXTURE_INVALID_IMAGE_MIME_TYPE"})


def is_our_code(code: str) -> bool:
    """Whether ``code`` comes from our own checks rather than from the Khronos validator."""
    return code.startswith(OUR_PREFIXES) and code not in VALIDATOR_CODES_WITH_OUR_PREFIXES
