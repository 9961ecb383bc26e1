"""The watchdog: tells the organisers, once, when uploads wait and no worker is alive to check them.

python manage.py watch_workers          # runs until stopped (make run starts it)
python manage.py watch_workers --once   # one check, for cron or a Kubernetes CronJob
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from competitions.services import workers


class Command(BaseCommand):
    help = "Check worker heartbeats every METASCENE_WATCHDOG_SECONDS and tell the organisers when none is alive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        while True:
            changes = workers.workers_watch()
            for queue in changes["opened"]:
                self.stderr.write(f"No live worker for the {queue} queue while files wait: the organisers were told.")
            for queue in changes["closed"]:
                self.stdout.write(f"A worker for the {queue} queue is back.")
            if once:
                return
            time.sleep(settings.METASCENE_WATCHDOG_SECONDS)
