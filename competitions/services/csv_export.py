"""CSV files for spreadsheet programs, safe from formula injection. Every CSV download goes through ``csv_lines``.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some do so after
a leading tab or carriage return too: a team named ``=HYPERLINK("http://evil.example","Open")`` would become a
live link (or worse) in the organiser's spreadsheet. Following OWASP's advice, such a cell gets a leading single
quote, which spreadsheets read as "this is text" and do not show. Numbers as Python writes them (``-1.50``) are
left alone, so a negative score stays a number.
"""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A number as ``str(Decimal)`` or ``str(int)`` writes it: an optional minus, ASCII digits, optional decimals.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(cell: str) -> str:
    """``cell``, or ``'cell`` where a spreadsheet program would read it as a formula; plain numbers unchanged."""
    if cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class _Echo:
    """A file-like object whose ``write`` returns the line, so that ``csv.writer`` yields text to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The lines of a CSV file of ``rows``, every cell made ``spreadsheet_safe``, for a streaming download: first a
    byte order mark, so that spreadsheet programs read the file as UTF-8 (team names are often Chinese)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])
