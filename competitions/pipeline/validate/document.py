"""Walking the glTF JSON without trusting it: a malformed part is skipped, never an exception."""

from collections.abc import Iterator
from typing import Any, TypeGuard


def items(document: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of the array at ``key``, with their indices; whatever is not an object is skipped."""
    values = document.get(key)
    if isinstance(values, list):
        for index, item in enumerate(values):
            if isinstance(item, dict):
                yield index, item


def is_index(value: Any) -> TypeGuard[int]:
    """A JSON integer that can index an array or count bytes: not negative, not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
