"""What the pipeline tells people: messages with a severity, a stable code, plain words and a JSON pointer."""

from dataclasses import asdict, dataclass

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


@dataclass(frozen=True)
class Message:
    severity: str
    code: str
    message: str
    pointer: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "Message":
        return cls(data["severity"], data["code"], data["message"], data.get("pointer", ""))


def error(code: str, message: str, pointer: str = "") -> Message:
    return Message(ERROR, code, message, pointer)


def warning(code: str, message: str, pointer: str = "") -> Message:
    return Message(WARNING, code, message, pointer)


def info(code: str, message: str, pointer: str = "") -> Message:
    return Message(INFO, code, message, pointer)


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
        Message(WARNING, m.code, m.message, m.pointer)
        if m.severity == ERROR and m.code not in UNLOADABLE_CODES and not m.code.startswith(OUR_PREFIXES)
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
