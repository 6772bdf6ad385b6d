"""Our models as Mastodon entities, as a Mastodon app would read them: accounts of members,
chapters and remote actors; notes, replies, articles, polls with hidden totals, ballots and
boosts as statuses; notifications, relationships and a thread's context; and a page of 40
statuses costing no more queries than a page of 2."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections

from actors.chapters import create_chapter
from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.ballots import open_ballot
from content.models import Notification, Post
from content.notifications import notify
from content.polls import close_poll, create_poll_post, poll_of, vote
from content.posts import create_post
from content.reactions import boost_post, like_post
from core import clock
from core.settings import Settings
from tests.support.members import new_member
from web.api.entities import (
    account_entities,
    account_entity,
    credential_account_entity,
    relationship_entity,
)
from web.api.entities_notifications import notification_entities
from web.api.entities_status import context_entity, status_entities, status_entity

H = timedelta(hours=1)


def urls(settings: Settings) -> LocalUrls:
    return LocalUrls(settings.server.base_url)


def base(settings: Settings) -> str:
    return settings.server.base_url.rstrip("/")


async def remote(name: str = "bob", host: str = "remote.test") -> Actor:
    uri = f"https://{host}/users/{name}"
    return await Actor.create(username=name, domain=host, acct_key=Actor.key_for(name, host),
                              uri=uri, url=f"https://{host}/@{name}", inbox=f"{uri}/inbox",
                              display_name=name.title(), summary="Remote & proud")


async def test_local_member_account(database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    alice.summary = "I <b>organize</b>.\n\nSecond line & more"
    await alice.save()
    bob = await remote()
    await Follow.create(follower=bob, followed=alice, state="accepted", uri="https://x.test/f1")
    await Follow.create(follower=alice, followed=bob, state="pending", uri="https://x.test/f2")
    await create_post(urls(settings), alice, "one")
    await create_post(urls(settings), alice, "two")

    entity = await account_entity(alice, base_url=settings.server.base_url)

    assert entity["id"] == str(alice.id)
    assert entity["username"] == entity["acct"] == "alice"
    assert entity["group"] is False and entity["locked"] is False and entity["bot"] is False
    assert entity["url"] == entity["uri"] == f"{base(settings)}/users/alice"
    assert entity["note"] == ("<p>I &lt;b&gt;organize&lt;/b&gt;.</p>"
                              "<p>Second line &amp; more</p>")
    assert entity["avatar"] == f"{base(settings)}/static/avatar.png"
    assert entity["header_static"] == f"{base(settings)}/static/header.png"
    assert (entity["followers_count"], entity["following_count"]) == (1, 0)
    assert entity["statuses_count"] == 2
    assert entity["last_status_at"] == clock.now().date().isoformat()
    assert entity["created_at"].endswith("T00:00:00.000Z")


async def test_static_defaults_are_served(client: Any, settings: Settings) -> None:
    for name in ("avatar.png", "header.png"):
        answer = await client.get(f"/static/{name}")
        assert answer.status_code == 200
        assert answer.content.startswith(b"\x89PNG")


async def test_chapters_are_group_accounts_and_remote_actors_have_domains(
        database: str, settings: Settings) -> None:
    open_ = await create_chapter("Greens Lyon", "greens_lyon")
    approval = await create_chapter("Greens Paris", "greens_paris", join_policy="approval")
    bob = await remote()
    chapter_actors = [await Actor.get(id=c.actor_id) for c in (open_, approval)]  # type: ignore[attr-defined]
    lyon, paris, far = await account_entities([*chapter_actors, bob],
                                              base_url=settings.server.base_url)
    assert lyon["group"] is True and lyon["acct"] == "greens_lyon"
    assert lyon["display_name"] == "Greens Lyon" and lyon["locked"] is False
    assert lyon["url"] == f"{base(settings)}/chapters/greens_lyon"
    assert paris["locked"] is True
    assert far["acct"] == "bob@remote.test" and far["username"] == "bob"
    assert far["url"] == "https://remote.test/@bob"
    assert far["uri"] == "https://remote.test/users/bob"
    assert far["note"] == "<p>Remote &amp; proud</p>" and far["group"] is False


async def test_credential_account(database: str, settings: Settings) -> None:
    root = await new_member(settings, "root", role="admin")
    bob = await remote()
    await Follow.create(follower=bob, followed=root, state="pending", uri="https://x.test/f3")
    root.summary = "Plain <note>"
    await root.save()
    entity = await credential_account_entity(root, base_url=settings.server.base_url)
    assert entity["source"]["note"] == "Plain <note>"
    assert entity["source"]["privacy"] == "public"
    assert entity["source"]["follow_requests_count"] == 1
    assert entity["role"]["name"] == "Admin" and entity["role"]["permissions"] == "1"


async def test_note_reply_with_mentions_tags_and_viewer_flags(database: str,
                                                              settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    carol = await new_member(settings, "carol")
    bob = await remote()
    first = await create_post(urls(settings), alice, "Hello #Greens", tags=["Greens"])
    reply = await create_post(urls(settings), carol, "Answer", in_reply_to=first,
                              mentions=[alice, bob], visibility="followers",
                              summary="cw: politics")
    await like_post(urls(settings), carol, first)
    await boost_post(urls(settings), carol, first)

    one, two = await status_entities([first, reply], base_url=settings.server.base_url,
                                     viewer=carol)
    assert one["id"] == str(first.id) and one["uri"] == first.uri
    assert one["visibility"] == "public"
    assert one["tags"] == [{"name": "Greens", "url": f"{base(settings)}/tags/greens"}]
    assert (one["favourites_count"], one["reblogs_count"], one["replies_count"]) == (1, 1, 1)
    assert one["favourited"] is True and one["reblogged"] is True
    assert one["bookmarked"] is False and one["pinned"] is False
    assert one["account"]["acct"] == "alice"
    assert two["visibility"] == "private"
    assert two["spoiler_text"] == "cw: politics"
    assert two["in_reply_to_id"] == str(first.id)
    assert two["in_reply_to_account_id"] == str(alice.id)
    assert {m["acct"] for m in two["mentions"]} == {"alice", "bob@remote.test"}
    assert two["favourited"] is False and two["reblog"] is None

    anonymous = await status_entity(first, base_url=settings.server.base_url)
    assert "favourited" not in anonymous and "pinned" not in anonymous


async def test_articles_show_title_summary_and_link_or_the_full_text(
        database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    article = await create_post(urls(settings), alice, "The **whole** text of it.",
                                kind="article", title="Plans & budgets",
                                summary="Short & sweet")
    short = await status_entity(article, base_url=settings.server.base_url)
    assert short["content"].startswith("<p><strong>Plans &amp; budgets</strong></p>")
    assert "<p>Short &amp; sweet</p>" in short["content"]
    assert f'href="{article.url or article.uri}"' in short["content"]
    assert "whole" not in short["content"]
    assert short["spoiler_text"] == ""
    full = await status_entity(article, base_url=settings.server.base_url, full_text=True)
    assert "<strong>whole</strong>" in full["content"]
    assert full["content"].startswith("<p><strong>Plans &amp; budgets</strong></p>")


async def test_poll_with_hidden_totals(database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    carol = await new_member(settings, "carol")
    post = await create_poll_post(urls(settings), alice, "Where?", ["Berlin", "Lyon"], False,
                                  clock.now() + 24 * H, True, "public")
    poll = await poll_of(post)
    assert poll is not None
    options = sorted(await poll.options.all(), key=lambda o: o.position)
    await vote(urls(settings), carol, post, [options[1].id])

    seen = await status_entity(post, base_url=settings.server.base_url, viewer=carol)
    entity = seen["poll"]
    assert entity["id"] == str(poll.id) and entity["multiple"] is False
    assert entity["expired"] is False and entity["expires_at"] is not None
    assert [o["title"] for o in entity["options"]] == ["Berlin", "Lyon"]
    assert [o["votes_count"] for o in entity["options"]] == [None, None]
    assert entity["voted"] is True and entity["own_votes"] == [1]
    assert entity["voters_count"] == 1

    await close_poll(poll)
    closed = (await status_entity(post, base_url=settings.server.base_url))["poll"]
    assert closed["expired"] is True
    assert [o["votes_count"] for o in closed["options"]] == [0, 1]
    assert "voted" not in closed


async def test_ballot_is_a_poll_with_a_link_to_its_page(database: str,
                                                        settings: Settings) -> None:
    root = await new_member(settings, "root", role="admin")
    now = clock.now()
    ballot = await open_ballot(
        urls(settings), root, chapter=None, title="Budget", description="Which **budget**?",
        method="approval", proposals_at=now - H, amendments_at=now + H, voting_at=now + 2 * H,
        ends_at=now + 3 * H, proposals=[("Plan A", "a"), ("Plan B", "b")])
    post = await Post.get(id=ballot.post_id)  # type: ignore[attr-defined]
    entity = await status_entity(post, base_url=settings.server.base_url, viewer=root)
    link = f"{base(settings)}/ballots/{ballot.id}"
    assert f'href="{link}"' in entity["content"]
    assert entity["content"].rstrip().endswith("</p>")
    poll = entity["poll"]
    assert poll["id"] == str(ballot.id) and poll["multiple"] is True
    assert [o["title"] for o in poll["options"]] == ["Plan A", "Plan B"]
    assert [o["votes_count"] for o in poll["options"]] == [None, None]
    assert poll["voted"] is False and poll["expired"] is False


async def test_boost_nests_the_boosted_status(database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    carol = await new_member(settings, "carol")
    post = await create_post(urls(settings), alice, "Share me")
    boost = await boost_post(urls(settings), carol, post)
    entity = await status_entity(boost, base_url=settings.server.base_url, viewer=carol)
    assert entity["id"] == str(boost.id)
    assert entity["account"]["acct"] == "carol"
    assert entity["reblog"]["id"] == str(post.id)
    assert entity["reblog"]["account"]["acct"] == "alice"
    assert entity["reblog"]["reblogged"] is True and entity["reblog"]["reblogs_count"] == 1
    assert entity["content"] == ""


async def test_notifications_map_to_mastodon_types(database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    carol = await new_member(settings, "carol")
    chapter = await Actor.get(id=(await create_chapter("Greens", "greens")).actor_id)  # type: ignore[attr-defined]
    post = await create_post(urls(settings), alice, "Hello")
    reply = await create_post(urls(settings), carol, "Hi", in_reply_to=post)
    await like_post(urls(settings), carol, post)
    await notify(alice, "follow", actor=carol)
    await notify(alice, "join_accepted", actor=chapter)
    rows = await Notification.filter(recipient_id=alice.id).order_by("-id")
    entities = await notification_entities(rows, base_url=settings.server.base_url,
                                           viewer=alice)
    types = [e["type"] for e in entities]
    assert sorted(types) == ["favourite", "follow", "mention"]
    by_type = {e["type"]: e for e in entities}
    assert by_type["mention"]["status"]["id"] == str(reply.id)
    assert by_type["favourite"]["status"]["id"] == str(post.id)
    assert by_type["follow"]["account"]["acct"] == "carol" and "status" not in by_type["follow"]
    assert all(e["group_key"] == f"ungrouped-{e['id']}" for e in entities)


async def test_relationship(database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    bob = await remote()
    carol = await new_member(settings, "carol")
    await Follow.create(follower=alice, followed=bob, state="accepted", uri="https://x.test/r1")
    await Follow.create(follower=alice, followed=carol, state="pending", uri="https://x.test/r2")
    await Follow.create(follower=carol, followed=alice, state="accepted", uri="https://x.test/r3")
    with_bob = await relationship_entity(alice, bob)
    assert with_bob["id"] == str(bob.id)
    assert with_bob["following"] is True and with_bob["requested"] is False
    assert with_bob["followed_by"] is False
    with_carol = await relationship_entity(alice, carol)
    assert with_carol["following"] is False and with_carol["requested"] is True
    assert with_carol["followed_by"] is True


async def test_context_of_a_thread(database: str, settings: Settings) -> None:
    alice = await new_member(settings, "alice")
    carol = await new_member(settings, "carol")
    root = await create_post(urls(settings), alice, "root")
    a = await create_post(urls(settings), carol, "a", in_reply_to=root)
    a1 = await create_post(urls(settings), alice, "a1", in_reply_to=a)
    b = await create_post(urls(settings), carol, "b", in_reply_to=root)
    hidden = await create_post(urls(settings), carol, "secret", in_reply_to=a,
                               visibility="direct")
    around_a = await context_entity(a, base_url=settings.server.base_url)
    assert [s["id"] for s in around_a["ancestors"]] == [str(root.id)]
    assert [s["id"] for s in around_a["descendants"]] == [str(a1.id)]
    around_root = await context_entity(root, base_url=settings.server.base_url, viewer=carol)
    assert [s["id"] for s in around_root["descendants"]] == [
        str(a.id), str(a1.id), str(hidden.id), str(b.id)]


class QueryCounter:
    """Counts the statements sent through the default connection's real client."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        client = type(connections.get("default"))
        for name in ("execute_query", "execute_query_dict"):
            original = getattr(client, name)

            def counted(conn: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
                self.count += 1
                return _original(conn, *args, **kw)

            monkeypatch.setattr(client, name, counted)


async def test_a_page_of_40_costs_the_queries_of_a_page_of_2(
        database: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = await new_member(settings, "alice")
    people = [alice] + [await new_member(settings, f"m{i}") for i in range(4)]
    bob = await remote()
    posts = []
    for i in range(40):
        author = people[i % len(people)]
        parent = posts[-1] if i % 3 == 0 and posts else None
        posts.append(await create_post(urls(settings), author, f"post {i} #tag{i % 4}",
                                       tags=[f"tag{i % 4}"], in_reply_to=parent,
                                       mentions=[bob]))
    for post in posts[:10]:
        await like_post(urls(settings), people[1], post)
    poll = await create_poll_post(urls(settings), alice, "Q?", ["x", "y"], False,
                                  clock.now() + H, False, "public")
    page = [*posts[:38], poll]
    page.append(await boost_post(urls(settings), people[2], posts[5]))  # type: ignore[arg-type]

    counter = QueryCounter(monkeypatch)
    await status_entities(page[:1] + page[-2:], base_url=settings.server.base_url,
                          viewer=alice)
    small = counter.count
    counter.count = 0
    entities = await status_entities(page, base_url=settings.server.base_url, viewer=alice)
    assert len(entities) == 40
    assert counter.count <= small, (counter.count, small)
    assert 10 < counter.count < 30, counter.count
