"""Accounts through django-allauth: sign up and sign in by email, or by a code sent by email."""

from django.urls import reverse

from assembly.models import User


def test_sign_up_by_email_signs_you_in(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "jin@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "display_name": "  Jin  the Tall ",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="jin@example.org").display_name == "Jin the Tall"
    assert client.get("/").context["user"].is_authenticated


def test_sign_up_asks_for_the_name_to_show_and_says_a_nickname_is_fine(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'name="display_name"' in html
    assert "nickname is fine" in html
    response = client.post(
        reverse("account_signup"),
        {
            "email": "jin@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "display_name": "   ",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="jin@example.org").exists()


def test_someone_without_a_name_never_appears_as_their_email(db):
    user = User.objects.create_user("maria.lopez@example.org", "a-long-pass-phrase")
    assert "maria" not in str(user).lower()


def test_the_signed_out_home_offers_to_join_a_meeting_by_code(client, db):
    html = client.get(reverse("assembly:home")).content.decode()
    assert "Join a meeting" in html
    assert f'action="{reverse("assembly:join")}"' in html
    assert 'name="code"' in html


def test_sign_in_by_email_and_password(client, member):
    response = client.post(
        reverse("account_login"),
        {"login": "lupe@example.org", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == member


def test_a_wrong_password_is_refused_with_a_message(client, member):
    response = client.post(
        reverse("account_login"), {"login": "lupe@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_sign_in_by_code_mails_a_code(client, member, mailoutbox):
    response = client.post(reverse("account_request_login_code"), {"email": "lupe@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lupe@example.org"]


def test_account_pages_use_the_app_layout(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="site-header"' in html
    assert "account-card" in html
