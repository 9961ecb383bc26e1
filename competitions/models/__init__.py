"""The competition domain. One module per part of it; import models from here."""

from .competition import Competition, Track
from .entries import Entry, EntryRevision, UploadSession
from .profile import Profile
from .teams import Membership, Team

__all__ = ["Competition", "Entry", "EntryRevision", "Membership", "Profile", "Team", "Track", "UploadSession"]
