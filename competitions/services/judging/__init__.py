"""Judging writes: rounds and their rubric, the judge panel, conflicts of interest and score sheets.

Every function runs in one transaction and writes its audit event (``competitions.services.audit.record``) in that
same transaction. Events about a round carry ``data["round"]`` so that the organiser's log can be filtered by round.
Decimal values go into the log as strings ("7.50"), so that the log says exactly what was stored.
"""

from competitions.services.judging.panel import (
    conflict_declare,
    conflict_remove,
    conflicts_detect,
    judge_invite,
    judge_send_invitation,
    judge_withdraw,
)
from competitions.services.judging.rounds import (
    criterion_create,
    criterion_delete,
    criterion_update,
    round_close,
    round_create,
    round_open,
    round_update,
)
from competitions.services.judging.sheets import sheet_reopen, sheet_save, sheet_submit

__all__ = [
    "conflict_declare",
    "conflict_remove",
    "conflicts_detect",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
    "judge_invite",
    "judge_send_invitation",
    "judge_withdraw",
    "round_close",
    "round_create",
    "round_open",
    "round_update",
    "sheet_reopen",
    "sheet_save",
    "sheet_submit",
]
