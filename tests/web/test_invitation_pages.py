"""Invitation links through the real app: a member makes one, a newcomer joins through it
(in `invite` and `approval` modes), the join page says why a link cannot be used, members
revoke links, and every form needs its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.invitations import EXPIRED, REVOKED, UNKNOWN, USED_UP, create_invitation
from actors.models import Account, Follow, Invitation
from core import clock
from core.settings import Settings
from tests.support.forms import post_form

AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]
PASSWORD = "a long enough password"
LINK = re.compile(r"/join\?invite=([A-Za-z0-9_-]+)")


def newcomer(name: str) -> dict[str, str]:
    return {"username": name, "email": f"{name}@example.org", "password": PASSWORD,
            "commitments": "accept"}


async def logged_in(app_for: AppFor, settings: Settings, name: str, role: str = "member"
                    ) -> httpx.AsyncClient:
    reg = Registration(username=name, email=f"{name}@example.org", password=PASSWORD,
                       accepted_commitments=True, reason="founder")
    await register_member(reg, settings.registration, role=role)
    client = await app_for(settings)
    answer = await post_form(client, "/login", {"identifier": name, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


async def test_a_member_invites_and_the_newcomer_joins_in_invite_mode(
    app_for: AppFor, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(mode="invite")
    leeds = await create_chapter("Leeds", "leeds", join_policy="approval")
    rosa = await logged_in(app_for, settings, "rosa", role="admin")
    page = await rosa.get("/invitations")
    assert page.status_code == 200 and "Leeds" in page.text
    made = await post_form(rosa, "/invitations", {
        "expires": "7", "max_uses": "1", "note": "for Ana", "chapter": str(leeds.actor_id)})  # type: ignore[attr-defined]
    assert made.status_code == 303
    page = await rosa.get("/invitations")
    [code] = set(LINK.findall(page.text))
    assert f"{settings.server.base_url}/join?invite={code}" in page.text
    assert "0 / 1" in page.text and "for Ana" in page.text and "Active" in page.text

    visitor = await app_for(settings)
    plain = await visitor.get("/join")
    assert "by invitation only" in plain.text and 'action="/join"' not in plain.text
    invited = await visitor.get(f"/join?invite={code}")
    assert "rosa" in invited.text and "invited you" in invited.text and "Leeds" in invited.text
    assert 'action="/join"' in invited.text and "Why do you want to join?" not in invited.text
    joined = await post_form(visitor, "/join", {**newcomer("ana"), "invite": code},
                             page=f"/join?invite={code}")
    assert joined.status_code == 303 and joined.headers["location"] == "/?welcome=1"
    assert "@ana" in (await visitor.get("/")).text
    ana = await Account.get(actor__username="ana")
    assert ana.approved and ana.invited_by_id == (await Account.get(actor__username="rosa")).actor_id  # type: ignore[attr-defined]
    follow = await Follow.get(follower_id=ana.actor_id, followed_id=leeds.actor_id)  # type: ignore[attr-defined]
    assert follow.state == "pending"  # Leeds approves its members

    page = await rosa.get("/invitations")
    assert "1 / 1" in page.text and "Used up" in page.text
    assert "Whom you recruited" in page.text and "@ana" in page.text

    late = await app_for(settings)
    used = await late.get(f"/join?invite={code}")
    assert USED_UP in used.text and 'action="/join"' not in used.text
    sneaky = await post_form(late, "/join", {**newcomer("bea"), "invite": code}, page="/login")
    assert sneaky.status_code == 422 and USED_UP in sneaky.text
    assert not await Account.filter(actor__username="bea").exists()


async def test_an_invitation_skips_the_application_in_approval_mode(
    app_for: AppFor, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(mode="approval")
    rosa = await logged_in(app_for, settings, "rosa", role="admin")
    await post_form(rosa, "/invitations", {"expires": "never", "max_uses": ""})
    [code] = set(LINK.findall((await rosa.get("/invitations")).text))
    visitor = await app_for(settings)
    form = await visitor.get(f"/join?invite={code}")
    assert "Why do you want to join?" not in form.text and "Apply to join" not in form.text
    joined = await post_form(visitor, "/join", {**newcomer("ana"), "invite": code},
                             page=f"/join?invite={code}")
    assert joined.status_code == 303
    assert (await Account.get(actor__username="ana")).approved
    # Without the link the same page asks for an application.
    other = await app_for(settings)
    assert "Why do you want to join?" in (await other.get("/join")).text


async def test_the_join_page_says_why_a_link_cannot_be_used(
    app_for: AppFor, settings: Settings
) -> None:
    rosa_account = await register_member(
        Registration(username="rosa", email="rosa@example.org", password=PASSWORD,
                     accepted_commitments=True), settings.registration)
    expired = await create_invitation(rosa_account, expires="1")
    revoked = await create_invitation(rosa_account)
    await Invitation.filter(id=revoked.id).update(revoked_at=clock.now())
    await Invitation.filter(id=expired.id).update(expires_at=clock.now() - timedelta(seconds=1))
    visitor = await app_for(settings)
    for code, message in ((expired.code, EXPIRED), (revoked.code, REVOKED), ("nope", UNKNOWN)):
        page = await visitor.get(f"/join?invite={code}")
        assert page.status_code == 200 and message in page.text
        # In `open` mode one may still join without it.
        assert "You can still join without the invitation." in page.text
        assert 'name="invite"' not in page.text


async def test_members_revoke_their_links_with_a_csrf_protected_form(
    app_for: AppFor, settings: Settings
) -> None:
    rosa = await logged_in(app_for, settings, "rosa")
    assert (await post_form(rosa, "/invitations", {"expires": "30"})).status_code == 303
    invitation = await Invitation.get()
    assert invitation.expires_at is not None
    other = await logged_in(app_for, settings, "other")
    # Another member cannot revoke it, and a post without the token is refused.
    await post_form(other, f"/invitations/{invitation.id}/revoke", {}, page="/invitations")
    forged = await rosa.post(f"/invitations/{invitation.id}/revoke", data={})
    assert forged.status_code == 403
    assert (await Invitation.get(id=invitation.id)).revoked_at is None
    done = await post_form(rosa, f"/invitations/{invitation.id}/revoke", {}, page="/invitations")
    assert done.status_code == 303
    assert (await Invitation.get(id=invitation.id)).revoked_at is not None
    assert "Revoked" in (await rosa.get("/invitations")).text
    no_token = await rosa.post("/invitations", data={"expires": "7"})
    assert no_token.status_code == 403 and await Invitation.all().count() == 1


@pytest.mark.parametrize("data", [{"expires": "2"}, {"max_uses": "3"}, {"chapter": "12345"},
                                  {"note": "n" * 201}])
async def test_a_wrong_choice_is_refused_on_the_form(
    app_for: AppFor, settings: Settings, data: dict[str, str]
) -> None:
    rosa = await logged_in(app_for, settings, "rosa")
    answer = await post_form(rosa, "/invitations", data)
    assert answer.status_code == 422 and "Please correct" in answer.text
    assert await Invitation.all().count() == 0


async def test_visitors_are_sent_to_log_in(client: httpx.AsyncClient) -> None:
    answer = await client.get("/invitations")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
