"""What would tell a blind round's judges whose entry they are: the team's own words in what judges read.

Judges of a blind round see an entry code instead of the team, but they do read the entry's title, description and
file name. ``identifying_mentions`` finds the team's name, a member's name, login or organisation there, so the
entry page can warn the team while the problem lasts (the blind copy of the file itself is handled by
``competitions.pipeline.blind``).

A read, kept here beside ``processing.identifying_words`` (the words the blind copy leaves out): the selectors sit
below the services in the import layers, so they cannot import it.
"""

from competitions.models import Entry, EntryRevision, Round
from competitions.services.processing import identifying_words

# Shorter Latin words (initials, "Li", "Wu") are found inside too many ordinary words to be worth a warning; two
# Chinese characters are a whole name (张伟).
MIN_WORD_LENGTH = 3
MIN_CJK_WORD_LENGTH = 2
_CJK_START = 0x2E80  # CJK radicals, punctuation, kana and ideographs lie above
# Rounds whose judges have yet to read the entries.
_PENDING_ROUND = (Round.Status.DRAFT, Round.Status.OPEN)


def has_blind_judging(entry: Entry) -> bool:
    """Whether judges may still read ``entry`` without its team's name: a round to come or under way is blind, or
    no round is set up yet (a new round is blind unless the organisers say otherwise)."""
    rounds = list(Round.objects.filter(competition_id=entry.team.competition_id).values_list("status", "blind"))
    if not rounds:
        return True  # Round.blind defaults to ALWAYS
    return any(status in _PENDING_ROUND and blind == Round.Blind.ALWAYS for status, blind in rounds)


def identifying_mentions(entry: Entry, revision: EntryRevision | None = None) -> list[str]:
    """The team's words (its name, members' names, logins and organisations: three letters or more, or two Chinese
    characters) found, case-insensitively, in ``entry``'s title or description or in the name of ``revision``'s
    file (by default the newest revision's), in the order ``identifying_words`` gives them. Empty when no blind
    judging is to come."""
    if not has_blind_judging(entry):
        return []
    if revision is None:
        revision = entry.revisions.order_by("-number").first()
    texts = [entry.title, entry.description, revision.original_name if revision is not None else ""]
    folded = "\n".join(texts).casefold()
    words = [word for word in identifying_words(entry.team) if _long_enough(word)]
    return [word for word in words if word.casefold() in folded]


def _long_enough(word: str) -> bool:
    if any(ord(character) >= _CJK_START for character in word):
        return len(word) >= MIN_CJK_WORD_LENGTH
    return len(word) >= MIN_WORD_LENGTH
