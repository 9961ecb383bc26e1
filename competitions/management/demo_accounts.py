"""The demo's accounts: who they are, and the published password of each role."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import Profile

# Fixed and documented: these accounts exist only on a developer's machine or a demo server.
PASSWORDS = {"organiser": "organiser-demo-2026", "judge": "judge-demo-2026", "entrant": "entrant-demo-2026"}


@dataclass(frozen=True)
class Person:
    email: str
    display_name: str
    organisation: str
    role: str = "entrant"


ORGANISER = Person("organiser@example.com", "Metascene Organising Committee", "Metascene", role="organiser")


class DemoAccounts:
    """Makes the demo's accounts, each with its role's password, active and with a confirmed email."""

    def __init__(self) -> None:
        self._hashes: dict[str, str] = {}

    def account(self, person: Person) -> User:
        """The account for ``person``, created with its role's password if it does not exist yet."""
        user = User.objects.filter(username=person.email).first()
        if user is None:
            staff = person.role == "organiser"
            user = User.objects.create(
                username=person.email,
                email=person.email,
                password=self._password_hash(person.role),
                is_active=True,
                is_staff=staff,
                is_superuser=staff,
            )
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": person.display_name,
                "organisation": person.organisation,
                "email_confirmed_at": timezone.now(),
            },
        )
        return user

    def _password_hash(self, role: str) -> str:
        # Hashing is slow on purpose; accounts of one role share a password, so hash it once.
        if role not in self._hashes:
            self._hashes[role] = make_password(PASSWORDS[role])
        return self._hashes[role]
