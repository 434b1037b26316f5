"""Delete personal records past each organization's retention period.

Of meetings adjourned longer ago than the organization's `retention_days`, everything that says
who was there or how someone voted is deleted: attendance (members and guests), hands raised,
proxies, temperature answers, and each ballot's and participation's link to a person (an open
ballot's voter, the member a proxy voted for). What the organization decided stays, as counts: the
minutes (notes, their corrections, attendance counts, speaking statistics, temperature counts),
the decisions with their results and turnout, the action items and their reviews. The README's
"Retention" lists both. Expired sessions go too: each holds a guest's token or a signed-in
person's id, and Django never deletes them by itself. Run it daily (cron or a systemd timer).

It deletes through the ORM rather than an action: it touches only meetings adjourned long ago, so
no room is live to be told and no version to count, and what it deletes is by design not kept,
in an audit entry or anywhere else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assembly.models import Attendee, Ballot, Meeting, Organization, Participation


class Command(BaseCommand):
    help = "Delete attendance and guest records past each organization's retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        parser.add_argument("--now", help="Pretend it is this moment (ISO 8601); for testing.")

    def handle(self, *args, dry_run: bool = False, now: str | None = None, **options) -> None:
        moment = self._moment(now)
        total_people = 0
        for organization in Organization.objects.all():
            cutoff = moment - timedelta(days=organization.retention_days)
            meetings = Meeting.objects.filter(
                organization=organization, adjourned_at__isnull=False, adjourned_at__lt=cutoff
            )
            people = Attendee.objects.filter(meeting__in=meetings)
            count = people.count()
            if count and not dry_run:
                with transaction.atomic():
                    people.delete()  # hands, answers and proxies go with them
                    # Ballots and participations stay (the turnout, the counts); who they were
                    # for goes. After the voters: a holder's own vote and the one they carried
                    # must not both be theirs for a moment (one vote per attendee).
                    for rows in (Ballot.objects, Participation.objects):
                        rows.filter(
                            decision__meeting__in=meetings, for_membership__isnull=False
                        ).update(for_membership=None)
            total_people += count
        expired = Session.objects.filter(expire_date__lt=moment)
        sessions = expired.count()
        if sessions and not dry_run:
            expired.delete()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {total_people} attendance records.")
        self.stdout.write(f"{verb} {sessions} expired sessions.")

    def _moment(self, now: str | None) -> datetime:
        if not now:
            return timezone.now()
        moment = parse_datetime(now)
        if moment is None:
            raise CommandError(f"--now must be an ISO 8601 date and time, not {now!r}")
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
