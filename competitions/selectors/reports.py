"""A revision's file-check report as its reader reads it: in the reader's language.

The pipeline runs without Django and writes its report in English, but each message of our own keeps the template
it was written from (marked with ``gettext_noop``) and the values filled into it, so the sentence is rebuilt here
from the translated template. The Khronos validator's sentences are its own and stay English: for the codes
entrants meet most, the reader gets our plain explanation in their language with the validator's line kept beside
it as ``original``; other validator codes are shown as the validator wrote them.
"""

from typing import Any, TypedDict

from django.utils.translation import gettext

from competitions.models import EntryRevision
from competitions.pipeline.report import PLAIN_WORDS, fill, is_our_code


class ReportLine(TypedDict):
    severity: str
    code: str
    message: str  # in the reader's language where we have the words
    pointer: str
    original: str  # the validator's own English line, when ``message`` explains it in other words; else ""


def revision_report(revision: EntryRevision) -> list[ReportLine]:
    """The report's messages in the active language, in the report's order; malformed entries are skipped."""
    report = revision.report if isinstance(revision.report, dict) else {}
    return [report_line(m) for m in report.get("messages") or [] if isinstance(m, dict)]


def report_line(stored: dict[str, Any]) -> ReportLine:
    """One stored message (``Message.to_dict``) in the active language."""
    code = str(stored.get("code", ""))
    english = str(stored.get("message", ""))
    message, original = english, ""
    template = stored.get("template")
    if isinstance(template, str) and template:
        params = stored.get("params")
        try:
            message = fill(gettext(template), params if isinstance(params, dict) else {}, gettext)
        except (KeyError, TypeError, ValueError):  # a report written by an older template: keep its English
            message = english
    elif code in PLAIN_WORDS and not is_our_code(code):
        advice = PLAIN_WORDS[code]
        translated = gettext(advice)
        if translated != advice:  # the reader's language is not English
            validator_line = english.removesuffix(advice).rstrip()
            message, original = translated, validator_line
    return {
        "severity": str(stored.get("severity", "")),
        "code": code,
        "message": message,
        "pointer": str(stored.get("pointer", "") or ""),
        "original": original,
    }
