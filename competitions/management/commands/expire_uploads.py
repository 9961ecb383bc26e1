"""``manage.py expire_uploads``: remove resumable uploads idle for 24 hours and their part files.

Run it hourly (cron, or the Celery beat entry that calls the same service). Safe to run at any time: it decides
by age alone.
"""

from django.core.management.base import BaseCommand

from competitions.services.uploads import SESSION_LIFETIME, upload_sessions_expire


class Command(BaseCommand):
    help = "Remove resumable uploads idle for 24 hours, finished or not, with their partial files."

    def handle(self, *args: object, **options: object) -> None:
        removed = upload_sessions_expire()
        hours = int(SESSION_LIFETIME.total_seconds() // 3600)
        self.stdout.write(f"Removed {removed} upload session(s) idle for more than {hours} hours.")
