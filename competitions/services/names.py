"""The rule for names given in two languages: English or Chinese, either is enough (the reader sees theirs, or the
other one: ``display_name``). Rounds, competitions and tracks follow it."""

from typing import Protocol

from django.utils.functional import Promise

from competitions.exceptions import ErrorCode, RuleError


class Named(Protocol):
    name: str
    name_zh: str


def name_required(named: Named, *, message: str | Promise) -> None:
    """Refuse ``named`` ("name_required", at the field "name") unless it has a name in one language or the other."""
    if not (named.name.strip() or named.name_zh.strip()):
        raise RuleError(message, code=ErrorCode.NAME_REQUIRED, field="name")
