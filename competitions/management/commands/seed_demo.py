"""``manage.py seed_demo``: the demo competition, its teams and entries, its judging rounds, and the accounts to try
them with.

Idempotent: when the demo competition exists, nothing is changed and the logins are printed again. ``--reset``
deletes the demo competition and accounts first. ``--judging`` moves the demo past its deadline and opens the
preliminary round (see ``competitions.management.demo_judging``). Teams, entries and uploads go through the same
services as the portal, so files are stored and checked the real way (``demo_teams``); revisions are processed here,
synchronously, so the demo is complete before any worker starts (the task the upload queued then finds nothing left
to claim).
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from competitions.management import demo_judging
from competitions.management.demo_accounts import ORGANISER, PASSWORDS, DemoAccounts, Person
from competitions.management.demo_competition import DEMO_SLUG, create_competition
from competitions.management.demo_teams import TEAMS, create_team
from competitions.models import Competition, EntryRevision, Membership, Round
from competitions.services import audit, processing


def demo_people() -> list[Person]:
    return [ORGANISER, *demo_judging.PANEL] + [person for plan in TEAMS for person in plan.people]


class Command(BaseCommand):
    help = "Create the demo competition, teams, entries and accounts (once; run again to print the logins)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the demo data and accounts, then create them.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts have published passwords: never on a public site.",
        )
        parser.add_argument(
            "--judging",
            action="store_true",
            help="Move the demo past its deadline, open the preliminary round, assign it and let the other judges "
            "score, leaving the demo judge's queue to try.",
        )

    def handle(
        self, *args: object, reset: bool = False, force: bool = False, judging: bool = False, **options: object
    ) -> None:
        self._accounts = DemoAccounts()
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site; the demo accounts have published passwords. "
                "Use --force if you really want demo data here."
            )
        if reset:
            self._delete()
        if Competition.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("Demo data already present; nothing changed. (Use --reset to start again.)")
        else:
            self._create()
        if judging:
            self._start_judging()
        self._print_logins()

    def _delete(self) -> None:
        revisions = EntryRevision.objects.filter(entry__team__competition__slug=DEMO_SLUG)
        for revision in revisions:
            revision.file.delete(save=False)
        for competition in Competition.objects.filter(slug=DEMO_SLUG):
            audit.competition_delete(competition=competition)
        User.objects.filter(username__in=[person.email for person in demo_people()]).delete()
        self.stdout.write("Deleted the demo competition and accounts.")

    def _create(self) -> None:
        with transaction.atomic():
            competition = create_competition()
            tracks = {track.slug: track for track in competition.tracks.all()}
            organiser = self._accounts.account(ORGANISER)
            for judge in demo_judging.PANEL:
                self._accounts.account(judge)
            revision_ids = []
            for plan in TEAMS:
                revision_ids += create_team(competition, tracks, plan, self._accounts)
            demo_judging.create_rounds(competition, organiser)
        # After commit, as a worker would; the tasks queued by the uploads then find nothing to claim.
        for revision_id in revision_ids:
            processing.revision_process(revision_id=revision_id)
        outcome = EntryRevision.objects.filter(pk__in=revision_ids)
        ready = outcome.filter(status=EntryRevision.Status.READY).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created “{competition.name}” with {len(tracks)} tracks, {len(TEAMS)} teams and "
                f"{len(revision_ids)} uploaded revisions ({ready} ready, {len(revision_ids) - ready} rejected)."
            )
        )

    def _start_judging(self) -> None:
        competition = Competition.objects.get(slug=DEMO_SLUG)
        preliminary = competition.rounds.get(position=1)
        if preliminary.status != Round.Status.DRAFT:
            self.stdout.write("The preliminary round is already open; judging unchanged.")
            return
        organiser = User.objects.get(username=ORGANISER.email)
        judge = User.objects.get(username=demo_judging.DEMO_JUDGE.email)
        preliminary = demo_judging.move_to_judging(competition, organiser, judge)
        assigned = preliminary.assignments.filter(judge=judge).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Submissions closed; “{preliminary.name}” is open with {preliminary.round_entries.count()} entries. "
                f"The other judges have scored; {demo_judging.DEMO_JUDGE.email} has {assigned} entries to score."
            )
        )

    def _print_logins(self) -> None:
        memberships = {
            membership.user.username: f"{membership.role}, {membership.team.name}"
            for membership in Membership.objects.filter(competition__slug=DEMO_SLUG).select_related("user", "team")
        }
        rows = [("Role", "Email (login)", "Password", "Notes")]
        rows.append(("organiser", ORGANISER.email, PASSWORDS["organiser"], f"Django admin: {settings.SITE_URL}/admin/"))
        for judge in demo_judging.PANEL:
            rows.append(("judge", judge.email, PASSWORDS["judge"], judge.organisation))
        for plan in TEAMS:
            for person in plan.people:
                rows.append(("entrant", person.email, PASSWORDS["entrant"], memberships.get(person.email, "")))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Metascene demo: {settings.SITE_URL}"))
        for i, row in enumerate(rows):
            line = "  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]])
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
        self.stdout.write("")
