from enum import StrEnum

from django.utils.functional import Promise


class ErrorCode(StrEnum):
    """Every reason a rule, the upload protocol or the site itself can give for refusing a request.

    The API returns it as ``code`` (its schema lists them all: ``competitions.api.exceptions.error_codes``), forms
    and scripts branch on it, and the message beside it is what a person reads. A value never changes once
    released: clients depend on it.
    """

    AFTER_DEADLINE = "after_deadline"
    ALREADY_ASSIGNED = "already_assigned"
    ALREADY_DISQUALIFIED = "already_disqualified"
    ALREADY_IN_TEAM = "already_in_team"
    ALREADY_ON_PANEL = "already_on_panel"
    ALREADY_ORGANISER = "already_organiser"
    ALREADY_SCORED = "already_scored"
    ALREADY_WITHDRAWN = "already_withdrawn"
    BAD_AUDIENCE = "bad_audience"
    BAD_CREDENTIALS = "bad_credentials"
    BAD_DEADLINE = "bad_deadline"
    BAD_EMAIL = "bad_email"
    BAD_INVITE_CODE = "bad_invite_code"
    BAD_JUDGES_PER_ENTRY = "bad_judges_per_entry"
    BAD_LINK = "bad_link"
    BAD_NUMBER = "bad_number"
    BAD_SCALE = "bad_scale"
    BAD_STEP = "bad_step"
    BAD_TEAM = "bad_team"
    BAD_TRACK = "bad_track"
    BAD_VALUE = "bad_value"
    BAD_WEIGHT = "bad_weight"
    BAD_WINDOW = "bad_window"
    BEFORE_DEADLINE = "before_deadline"
    BEFORE_EXTENDED_DEADLINE = "before_extended_deadline"
    CANNOT_REMOVE_SELF = "cannot_remove_self"
    CAPTAIN_MUST_HAND_OVER = "captain_must_hand_over"
    COMMENT_REQUIRED = "comment_required"
    CONFLICT = "conflict"
    CONFLICTED = "conflicted"
    DATABASE_UNAVAILABLE = "database_unavailable"
    EMAIL_TAKEN = "email_taken"
    EMAIL_UNCONFIRMED = "email_unconfirmed"
    ENTRY_DISQUALIFIED = "entry_disqualified"
    ENTRY_WITHDRAWN = "entry_withdrawn"
    FILE_EMPTY = "file_empty"
    FILE_TOO_LARGE = "file_too_large"
    FORMAT_NOT_ALLOWED = "format_not_allowed"
    INCOMPLETE = "incomplete"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_REVOKED = "invitation_revoked"
    INVITATION_USED = "invitation_used"
    JUDGING_STARTED = "judging_started"
    LAST_MEMBER_WITH_ENTRIES = "last_member_with_entries"
    LAST_ORGANISER = "last_organiser"
    LATER_ROUND_OPENED = "later_round_opened"
    LOCKED_OUT = "locked_out"
    MESSAGE_REQUIRED = "message_required"
    MISSING_SHEETS = "missing_sheets"
    NAME_REQUIRED = "name_required"
    NAME_TAKEN = "name_taken"
    NO_CRITERIA = "no_criteria"
    NO_ENTRIES = "no_entries"
    NO_TRACKS = "no_tracks"
    NO_FIXED_COPY = "no_fixed_copy"
    NOT_ASSIGNED = "not_assigned"
    NOT_CAPTAIN = "not_captain"
    NOT_DISQUALIFIED = "not_disqualified"
    NOT_DRAFT = "not_draft"
    NOT_IN_ROUND = "not_in_round"
    NOT_MANUAL = "not_manual"
    NOT_MEMBER = "not_member"
    NOT_ON_PANEL = "not_on_panel"
    NOT_OPEN = "not_open"
    NOT_ORGANISER = "not_organiser"
    NOT_PUBLISHABLE = "not_publishable"
    NOT_PUBLISHED = "not_published"
    NOT_RERUNNABLE = "not_rerunnable"
    NOT_SUBMITTED = "not_submitted"
    NOT_WITHDRAWN = "not_withdrawn"
    OFF_STEP = "off_step"
    OUT_OF_RANGE = "out_of_range"
    PIN_LIMIT = "pin_limit"
    POSITION_TAKEN = "position_taken"
    PREVIOUS_ROUND_OPEN = "previous_round_open"
    REASON_REQUIRED = "reason_required"
    REGISTRATION_CLOSED = "registration_closed"
    REGISTRATION_NOT_OPEN = "registration_not_open"
    REVISIONS_STILL_PROCESSING = "revisions_still_processing"
    ROUND_CLOSED = "round_closed"
    ROUND_DRAFT = "round_draft"
    ROUND_FINISHED = "round_finished"
    ROUND_NOT_OPEN = "round_not_open"
    ROUND_PUBLISHED = "round_published"
    RUBRIC_LOCKED = "rubric_locked"
    SHEET_SUBMITTED = "sheet_submitted"
    SLUG_TAKEN = "slug_taken"
    STALE_VERSION = "stale_version"
    STORAGE_FULL = "storage_full"
    SUBMISSION_NOT_OPEN = "submission_not_open"
    TEAM_FULL = "team_full"
    TEAM_TOO_SMALL = "team_too_small"
    TITLE_REQUIRED = "title_required"
    TRACK_HAS_ENTRIES = "track_has_entries"
    TRACK_LIMIT = "track_limit"
    UNKNOWN_CRITERION = "unknown_criterion"
    UPLOAD_CONTENT_TYPE = "upload_content_type"
    UPLOAD_INCOMPLETE = "upload_incomplete"
    UPLOAD_OFFSET_MISMATCH = "upload_offset_mismatch"
    UPLOAD_PROTOCOL = "upload_protocol"
    UPLOAD_TOO_LONG = "upload_too_long"
    UPLOAD_VERSION = "upload_version"
    WRONG_ADDRESS = "wrong_address"
    WRONG_TRACK = "wrong_track"


class RuleError(Exception):
    """A request the competition's rules refuse. The message is shown to the person as it is.

    ``code`` is stable and machine-readable (the API returns it); ``field`` names the form field at fault, if any.
    """

    def __init__(self, message: str | Promise, *, code: ErrorCode, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field


class StaleVersion(RuleError):
    """A save based on an older version of a record than the one stored: someone (or another tab) saved in
    between. Nothing is written; the API answers 409 and the page reloads the newer version."""

    # The version stored now, when the raiser knows it: the API returns it with the 409.
    current_version: int | None = None


class StorageFull(RuleError):
    """The server's disk is full: what the request brought was not kept, and nothing half-written stays behind.

    Not the person's fault, and not for good: the API and the pages answer 507 Insufficient Storage with ``Retry-After``
    (``competitions.services.storage`` raises it and tells the organisers)."""

    status = 507
    retry_after_seconds = 120

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message, code=ErrorCode.STORAGE_FULL)
