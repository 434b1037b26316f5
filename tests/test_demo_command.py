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
