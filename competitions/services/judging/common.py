"""Helpers shared by the judging services."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from competitions.models import Round

CENT = Decimal("0.01")


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def lock_round(round: Round) -> Round:
    return Round.objects.select_for_update(of=("self",)).select_related("competition").get(pk=round.pk)


def check_fields(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
