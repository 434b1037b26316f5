"""The roll from a CSV file: every bad line reported, and all of the file or none of it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assembly.forms.organizations import IMPORT_MAX_ROWS, parse_roll
from assembly.models import AuditEntry, Membership, Role, User
from tests.conftest import client_for, make_person


@pytest.fixture
def admin(organization) -> User:
    return make_person(organization, "ada@example.org", Role.ADMIN)


def upload(client, organization, content: str | bytes, name: str = "roll.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("assembly:organization-import", args=[organization.slug]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def roll_names(organization) -> set[str]:
    return set(organization.memberships.values_list("name", flat=True))


GOOD = """name,email,may_vote
Ana García,ana@example.org,yes
Luis Pérez,,no
"Ortiz, Beto",beto@example.org,
Carmen,carmen@example.org,sí
"""


def test_import_a_good_file_adds_everyone(organization, admin):
    client = client_for(admin)
    response = upload(client, organization, GOOD)
    assert response.status_code == 302
    assert roll_names(organization) >= {"Ana García", "Luis Pérez", "Ortiz, Beto", "Carmen"}
    votes = dict(organization.memberships.values_list("name", "may_vote"))
    assert votes["Luis Pérez"] is False
    assert votes["Ortiz, Beto"] is True
    assert votes["Carmen"] is True
    assert AuditEntry.objects.get(action="roll.imported").details["people"] == 4
    page = client.get(response["Location"]).content.decode()
    assert "4 people added to the roll." in page


def test_import_reports_every_bad_line_and_imports_nothing(organization, admin):
    bad = (
        "name,email,may_vote\n"
        "Ana García,ana@example.org,yes\n"
        ",nobody@example.org,yes\n"
        "Luis Pérez,not-an-email,no\n"
        "Carmen,carmen@example.org,maybe\n"
    )
    response = upload(client_for(admin), organization, bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert "3 problems to fix" in html
    assert "Line 3:" in html
    assert "The name is empty" in html
    assert "Line 4:" in html
    assert "is not an email address" in html
    assert "Line 5:" in html
    assert "Write yes or no" in html
    assert "Line 2:" not in html
    assert roll_names(organization) == {"Ada"}


def test_import_refuses_an_email_twice_in_the_file(organization, admin):
    rows, errors = parse_roll("name,email\nAna,ana@example.org\nAnita,ANA@example.org\n")
    assert [(e.line, "line 2" in e.message) for e in errors] == [(3, True)]


def test_import_refuses_an_email_already_on_the_roll(organization, admin, member):
    response = upload(
        client_for(admin), organization, "name,email\nLupe,lupe@example.org\nNew,new@example.org\n"
    )
    assert "Line 2:" in response.content.decode()
    assert "already on the roll" in response.content.decode()
    assert not Membership.objects.filter(name="New").exists()


def test_import_links_people_who_have_an_account(organization, admin):
    jin = User.objects.create_user("jin@example.org", "x")
    upload(client_for(admin), organization, "name,email\nJin Park,Jin@Example.org\n")
    assert Membership.objects.get(name="Jin Park").user == jin


@pytest.mark.parametrize(
    ("value", "may_vote"),
    [("yes", True), ("YES", True), ("true", True), ("1", True), ("sí", True), ("si", True)]
    + [("", True), ("no", False), ("false", False), ("0", False), ("No", False)],
)
def test_import_reads_the_vote_in_plain_words(value, may_vote):
    rows, errors = parse_roll(f"name,may_vote\nAna,{value}\n")
    assert errors == []
    assert rows[0].may_vote is may_vote


def test_import_reads_a_spanish_spreadsheet_with_semicolons_and_a_bom():
    rows, errors = parse_roll("\ufeffname;email;may_vote\nGarcía, Ana;ana@example.org;no\n")
    assert errors == []
    assert (rows[0].name, rows[0].email, rows[0].may_vote) == (
        "García, Ana",
        "ana@example.org",
        False,
    )


def test_import_needs_the_header_line(organization, admin):
    response = upload(client_for(admin), organization, "Ana,ana@example.org,yes\n")
    html = response.content.decode()
    assert "Line 1:" in html
    assert "Unknown column" in html
    assert roll_names(organization) == {"Ada"}


def test_import_says_what_is_wrong_with_a_file_that_is_not_utf8(organization, admin):
    response = upload(client_for(admin), organization, "name\nNuñez\n".encode("latin-1"))
    assert response.status_code == 422
    assert "CSV UTF-8" in response.content.decode()
    assert roll_names(organization) == {"Ada"}


def test_import_refuses_a_file_over_one_megabyte(organization, admin):
    content = "name\n" + "A" * (1024 * 1024) + "\n"
    response = upload(client_for(admin), organization, content)
    assert "larger than 1 MB" in response.content.decode()


def test_import_refuses_more_than_the_row_limit():
    text = "name\n" + "".join(f"Person {n}\n" for n in range(IMPORT_MAX_ROWS + 1))
    rows, errors = parse_roll(text)
    assert rows == []
    assert "more than 5000 people" in errors[0].message


def test_import_of_an_empty_file_is_explained(organization, admin):
    response = upload(client_for(admin), organization, "name,email,may_vote\n")
    assert "no people in it" in response.content.decode()


def test_import_counts_lines_of_a_quoted_name_over_two_lines():
    rows, errors = parse_roll('name,may_vote\n"Ana\nGarcía",yes\nLuis,perhaps\n')
    assert [e.line for e in errors] == [4]


def test_import_is_for_admins_only(organization, secretary):
    assert upload(client_for(secretary), organization, GOOD).status_code == 403


def test_export_then_import_gives_back_the_same_people(organization, admin, other_organization):
    Membership.objects.create(organization=organization, name="=HYPERLINK()", may_vote=False)
    exported = client_for(admin).get(
        reverse("assembly:organization-export", args=[organization.slug])
    )
    lines = list(csv.reader(io.StringIO(exported.content.decode())))
    assert ["'=HYPERLINK()", "", "no", "member"] in lines
    newcomer = make_person(other_organization, "nia@example.org", Role.ADMIN)
    response = upload(client_for(newcomer), other_organization, exported.content)
    assert response.status_code == 302
    assert set(other_organization.memberships.values_list("name", "may_vote", "role")) >= {
        ("=HYPERLINK()", False, "member"),
        ("Ada", True, "admin"),
    }


def test_import_refuses_a_null_character_and_imports_nothing(organization, admin):
    response = upload(client_for(admin), organization, GOOD.replace("Luis Pérez", "Luis\x00 Pérez"))
    assert response.status_code == 422
    assert "null character" in response.content.decode()
    assert roll_names(organization) == {"Ada"}
