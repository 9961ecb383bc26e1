"""The competition domain. One module per part of it; import models from here."""

from .audit import AuditEvent
from .competition import Competition, Track
from .entries import Entry, EntryRevision, UploadSession
from .exports import ExportJob
from .judging import Assignment, Conflict, Criterion, Panelist, Pin, Round, RoundEntry, RoundResult, Score, ScoreSheet
from .notifications import Announcement, AnnouncementDismissal, Notification, SentReminder
from .organisers import CompetitionOrganiser
from .profile import Profile
from .teams import Membership, Team, TeamInvitation
from .workers import WorkerHeartbeat, WorkerOutage

__all__ = [
    "Announcement",
    "AnnouncementDismissal",
    "Assignment",
    "AuditEvent",
    "Competition",
    "CompetitionOrganiser",
    "Conflict",
    "Criterion",
    "Entry",
    "EntryRevision",
    "ExportJob",
    "Membership",
    "Notification",
    "Panelist",
    "Pin",
    "Profile",
    "Round",
    "RoundEntry",
    "RoundResult",
    "Score",
    "ScoreSheet",
    "SentReminder",
    "Team",
    "TeamInvitation",
    "Track",
    "UploadSession",
    "WorkerHeartbeat",
    "WorkerOutage",
]
