"""Seed the demo assembly of SCENARIO.md. Idempotent: a second run changes nothing.

It writes the models directly rather than through actions: it only creates rows that do not yet
exist (get_or_create, so a second run is a no-op, which the actions are not), no room is live to
be told, and seeding is nobody's use of power to audit."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from assembly.models import (
    AgendaItem,
    Amendment,
    Attendee,
    Meeting,
    Membership,
    Organization,
    Proposal,
    ProposalVersion,
    QuorumRule,
    User,
)
from assembly.models.meetings import ProgressiveStack
from assembly.models.organizations import Role

DEMO_PASSWORD = "asamblea-demo"

PEOPLE = [
    ("rosa@example.org", "Rosa", Role.FACILITATOR),
    ("marcus@example.org", "Marcus", Role.SECRETARY),
    ("lupe@example.org", "Lupe", Role.MEMBER),
    ("tomas@example.org", "Tomás", Role.MEMBER),
]

AGENDA = [
    ("Welcome and check-in", AgendaItem.Kind.REPORT, 5, ""),
    ("Report: rent-strike committee", AgendaItem.Kind.REPORT, 10, ""),
    (
        "Proposal: commit the hardship fund to rapid response for members caught in "
        "immigration raids",
        AgendaItem.Kind.PROPOSAL,
        30,
        "The union's hardship fund pays for rapid response: legal first aid, bail and rent "
        "for members caught in immigration raids.",
    ),
    (
        "Election: three delegates to the city-wide tenants' council",
        AgendaItem.Kind.ELECTION,
        20,
        "",
    ),
    ("Know-your-rights training: who will lead it", AgendaItem.Kind.DISCUSSION, 15, ""),
    ("Announcements", AgendaItem.Kind.REPORT, 5, ""),
]

# The same agenda in Spanish: the meeting is bilingual, and Spanish phones read it first.
AGENDA_ES = [
    ("Bienvenida y registro", ""),
    ("Informe: comité de la huelga de alquileres", ""),
    (
        "Propuesta: destinar el fondo de ayuda a la respuesta rápida para miembros atrapados en "
        "redadas de inmigración",
        "El fondo de ayuda del sindicato paga la respuesta rápida: primeros auxilios legales, "
        "fianzas y alquiler para miembros atrapados en redadas de inmigración.",
    ),
    ("Elección: tres delegadas o delegados al consejo de inquilinos de la ciudad", ""),
    ("Taller de derechos: quién lo va a dar", ""),
    ("Anuncios", ""),
]

# On the roll without an account: two of them have no smartphone (SCENARIO.md, step 4).
ROLL_ONLY = ["Carmen Ruiz", "Ernesto Díaz", "Ana Morales", "Bo Chen", "Chayo Hernández"]

# The proposal of item 3, as Lupe sent it from her phone, and Tomás's friendly amendment, which
# she accepted: the room sees version 2 with the change marked (SCENARIO.md, step 8).
PROPOSAL_TITLE = "Commit the hardship fund to rapid response"
PROPOSAL_TITLE_ES = "Destinar el fondo de ayuda a la respuesta rápida"
PROPOSAL_TEXT = (
    "The union commits its hardship fund to rapid response for members caught in immigration "
    "raids: legal first aid, bail and the month's rent.\n\n"
    "The rapid-response committee decides each grant within 48 hours and reports every grant "
    "to the next general assembly."
)
AMENDED_TEXT = PROPOSAL_TEXT.replace(
    "the month's rent.", "the month's rent, and cap each grant at $500."
)
AMENDED_TEXT_ES = (
    "El sindicato destina su fondo de ayuda a la respuesta rápida para miembros atrapados en "
    "redadas de inmigración: primeros auxilios legales, fianza y el alquiler del mes, con un "
    "tope de $500 por ayuda.\n\n"
    "El comité de respuesta rápida decide cada ayuda en 48 horas e informa de cada una en la "
    "siguiente asamblea general."
)
PROPOSAL_TEXT_ES = AMENDED_TEXT_ES.replace(", con un tope de $500 por ayuda.", ".")

MEETING_TITLE = "General assembly — November"
DEMO_JOIN_CODE = "BOYLEH"


class Command(BaseCommand):
    help = "Create the demo tenant union, its people and tonight's meeting (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url", default="", help="Print the links with this prefix, e.g. http://IP:8000"
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        organization, _ = Organization.objects.get_or_create(
            slug="inquilinos-unidos",
            defaults={
                "name": "Inquilinos Unidos de Boyle Heights",
                # The bylaws: quorum is a third of the voting members.
                "quorum_rule": QuorumRule.FRACTION,
                "quorum_numerator": 1,
                "quorum_denominator": 3,
            },
        )
        for email, name, role in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, display_name=name)
            Membership.objects.get_or_create(
                user=user, organization=organization, defaults={"role": role, "name": name}
            )
        for name in ROLL_ONLY:
            Membership.objects.get_or_create(organization=organization, name=name, user=None)
        meeting, created = Meeting.objects.get_or_create(
            organization=organization,
            title=MEETING_TITLE,
            defaults={
                "join_code": DEMO_JOIN_CODE,
                "place": "Boyle Heights community hall",
                "bilingual": True,
                "progressive_stack": ProgressiveStack.ITEM,
            },
        )
        if created:
            for position, (
                (title, kind, minutes, description),
                (title_es, description_es),
            ) in enumerate(zip(AGENDA, AGENDA_ES, strict=True), start=1):
                meeting.items.create(
                    position=position,
                    title=title,
                    kind=kind,
                    timebox_minutes=minutes,
                    description=description,
                    title_translation=title_es,
                    description_translation=description_es,
                )
            self.seed_proposal(meeting)
        self.report(meeting, options["base_url"].rstrip("/"))

    def sender(self, meeting: Meeting, name: str) -> Attendee:
        """The attendance row of a member who wrote from her phone, not yet checked in tonight
        (status "left", which no screen lists): checking in takes this row up, so her phone
        answers amendments to her proposal as the proposer's phone does."""
        membership = meeting.organization.memberships.get(name=name)
        return Attendee.objects.create(
            meeting=meeting,
            user=membership.user,
            membership=membership,
            display_name=name,
            kind=Attendee.Kind.MEMBER,
            status=Attendee.Status.LEFT,
        )

    def seed_proposal(self, meeting: Meeting) -> None:
        """Lupe's proposal, on the floor of item 3 once it opens, with one accepted amendment."""
        lupe, tomas = self.sender(meeting, "Lupe"), self.sender(meeting, "Tomás")
        proposal = Proposal.objects.create(
            meeting=meeting,
            item=meeting.items.get(position=3),
            title=PROPOSAL_TITLE,
            title_translation=PROPOSAL_TITLE_ES,
            text=AMENDED_TEXT,
            text_translation=AMENDED_TEXT_ES,
            proposer=lupe,
            proposer_name="Lupe",
            status=Proposal.Status.FLOOR,
            stage=Proposal.Stage.AMENDMENTS,
            version=2,
        )
        first = ProposalVersion.objects.create(
            proposal=proposal,
            number=1,
            text=PROPOSAL_TEXT,
            text_translation=PROPOSAL_TEXT_ES,
            proposed_by_name="Lupe",
        )
        amendment = Amendment.objects.create(
            proposal=proposal,
            against=first,
            text=AMENDED_TEXT,
            text_translation=AMENDED_TEXT_ES,
            status=Amendment.Status.ACCEPTED,
            proposer=tomas,
            proposer_name="Tomás",
            decided_by_name="Lupe",
        )
        ProposalVersion.objects.create(
            proposal=proposal,
            number=2,
            text=AMENDED_TEXT,
            text_translation=AMENDED_TEXT_ES,
            amendment=amendment,
            proposed_by_name="Tomás",
            accepted_by_name="Lupe",
            accepted_by_proposer=True,
        )

    def report(self, meeting: Meeting, base: str) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo assembly ready: {meeting.organization.name}"))
        out(f"  Password for every demo login: {DEMO_PASSWORD}")
        for email, name, role in PEOPLE:
            out(f"  {name:<7} {role.label:<12} {email}")
        out(f"  Sign in          : {base}/accounts/login/")
        out(f"  Participant page : {base}/m/{meeting.pk}/")
        out(f"  Facilitator      : {base}/m/{meeting.pk}/console/  (sign in as Rosa)")
        out(f"  Projector        : {base}/m/{meeting.pk}/projector/")
        out(f"  Join code        : {meeting.join_code}")
