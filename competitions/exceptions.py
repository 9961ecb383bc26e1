from django.utils.functional import Promise


class RuleError(Exception):
    """A request the competition's rules refuse. The message is shown to the person as it is.

    ``code`` is stable and machine-readable (the API returns it); ``field`` names the form field at fault, if any.
    """

    def __init__(self, message: str | Promise, *, code: str, field: str | None = None) -> None:
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
        super().__init__(message, code="storage_full")
