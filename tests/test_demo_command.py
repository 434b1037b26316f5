from django.core.management import call_command

from assembly.models import AgendaItem, Meeting, Membership, Organization, Proposal, User


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Organization, User, Membership, Meeting, AgendaItem, Proposal)
    )


def test_demo_seeds_the_scenario_once(db, capsys):
    call_command("demo", base_url="http://127.0.0.1:8000")
    first = counts()
    call_command("demo")
    assert counts() == first
    assert first == (1, 4, 9, 1, 6, 1)
    meeting = Meeting.objects.get()
    assert meeting.items.first().title == "Welcome and check-in"
    proposal = meeting.proposals.get()  # from Lupe, with Tomás's amendment accepted
    assert (proposal.version, proposal.item.position, proposal.status) == (2, 3, "floor")
    assert "cap each grant at $500" in proposal.text
    assert [v.shown_accepted_by for v in proposal.versions.all()] == ["", "the proposer"]
    out = capsys.readouterr().out
    assert "rosa@example.org" in out
    assert f"http://127.0.0.1:8000/m/{meeting.pk}/console/" in out


def test_demo_people_can_sign_in(db, client):
    call_command("demo")
    assert client.login(username="rosa@example.org", password="asamblea-demo")


def test_the_demos_proposal_shows_its_marked_change_when_its_item_opens(db):
    from assembly import actions
    from assembly.live.render import render_parts
    from tests.conftest import unheard

    call_command("demo")
    meeting = Meeting.objects.get()
    rosa = User.objects.get(email="rosa@example.org")
    with unheard():
        actions.meetings.start(meeting=meeting, by=rosa)
        meeting.refresh_from_db()
        assert 'id="proposal" class="proposal" data-fit hidden' in render_parts(
            meeting, "projector", ["proposal"], "en"
        )  # on item 1, not yet
        actions.meetings.go_to(meeting=meeting, item_id=meeting.items.get(position=3).pk, by=rosa)
    meeting.refresh_from_db()
    projector = render_parts(meeting, "projector", ["proposal"], "es")
    assert "cap each grant at $500</ins>" in projector
    assert "Propuesta de Lupe · versión 2" in projector


def test_lupe_checks_in_on_the_demo_and_answers_a_new_amendment_to_her_proposal(db, client):
    """`make run`: the demo's proposal is Lupe's own, so her phone offers to accept a change."""
    from django.urls import reverse

    from assembly import actions
    from tests.conftest import unheard

    call_command("demo")
    meeting = Meeting.objects.get()
    room = reverse("assembly:meeting-room", args=[meeting.pk])
    users = {u.display_name: u for u in User.objects.all()}
    with unheard():
        actions.meetings.start(meeting=meeting, by=users["Rosa"])
        client.force_login(users["Lupe"])
        assert "Check in: I'm here" in client.get(room).content.decode()  # not in yet
        client.post(reverse("assembly:meeting-check-in", args=[meeting.pk]))
        tomas = actions.attendance.check_in_member(meeting=meeting, user=users["Tomás"])
        proposal = meeting.proposals.get()
        actions.proposals.amend(
            attendee=tomas,
            proposal_id=proposal.pk,
            text=proposal.text.replace("48 hours", "24 hours"),
            against=2,
        )
    page = client.get(room).content.decode()
    assert "Accept this change" in page and "Decline" in page
    assert "24</ins> hours" in page  # the change, marked
    # Tomás, who wrote the accepted change of version 2, is told about his own amendment too.
    assert proposal.amendments.get(status="accepted").proposer == tomas
