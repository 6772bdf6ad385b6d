"""Real documents from other servers parse into what a user would see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from federation import PUBLIC, Activity, Actor, APObject, is_public, parse_document

Load = Callable[[str], Any]


def test_mastodon_person(load_json: Load) -> None:
    actor = Actor.from_ap(load_json("ap/mastodon/person.json"))
    assert actor.type == "Person"
    assert actor.preferred_username == "mastodon"
    assert actor.name == "Mastodon"
    assert actor.inbox == "https://masto.qa.urbanwildlife.biz/users/mastodon/inbox"
    assert actor.featured == "https://masto.qa.urbanwildlife.biz/users/mastodon/collections/featured"
    assert actor.public_key is not None
    assert actor.public_key.id == "https://masto.qa.urbanwildlife.biz/users/mastodon#main-key"
    assert actor.public_key.owner == actor.id
    assert actor.manually_approves_followers is False


def test_gotosocial_person_with_shared_inbox(load_json: Load) -> None:
    actor = Actor.from_ap(load_json("ap/gotosocial/person.json"))
    assert actor.name == "original zork (he/they)"
    assert actor.shared_inbox == "http://localhost:8080/sharedInbox"
    assert actor.best_inbox == "http://localhost:8080/sharedInbox"
    assert actor.icon is not None and actor.icon.media_type == "image/jpeg"
    assert actor.icon.name == "a green goblin looking nasty"
    assert actor.public_key is not None
    assert actor.public_key.id.endswith("/main-key")  # GoToSocial keys have no '#'


def test_pleroma_person(load_json: Load) -> None:
    actor = Actor.from_ap(load_json("ap/pleroma/person.json"))
    assert actor.preferred_username == "lanodan"
    assert actor.shared_inbox == "https://queer.hacktivis.me/inbox"
    assert actor.image is not None and actor.image.url.endswith(".jpg")
    assert actor.summary is not None and "Pleroma maintainer" in actor.summary


def test_misskey_persons(load_json: Load) -> None:
    aimu = Actor.from_ap(load_json("ap/misskey/person.json"))
    assert aimu.name == "あいむ"
    assert aimu.url == "https://misskey.io/@aimu"
    assert aimu.shared_inbox == "https://misskey.io/inbox"
    # Misskey publishes null for empty name, summary and icon.
    relay = Actor.from_ap(load_json("ap/misskey/person_null_fields.json"))
    assert relay.name is None and relay.summary is None and relay.icon is None
    assert relay.preferred_username == "relay_test"
    assert relay.manually_approves_followers is True


def test_lemmy_group_lists_its_moderators(load_json: Load) -> None:
    group = Actor.from_ap(load_json("ap/lemmy/group.json"))
    assert group.type == "Group"
    assert group.name == "Ten Forward"
    assert group.attributed_to == ("https://enterprise.lemmy.ml/c/tenforward/moderators",)
    assert group.shared_inbox == "https://enterprise.lemmy.ml/inbox"


def test_mastodon_reply_note(load_json: Load) -> None:
    note = APObject.from_ap(load_json("ap/mastodon/note.json"))
    assert note.author == "https://mastodon.madrid/users/felix"
    assert note.in_reply_to == "https://mamot.fr/users/retiolus/statuses/107224244380204526"
    assert note.content is not None and "thinkpad" in note.content
    assert note.content_map["en"] == note.content
    assert note.to == ("https://mastodon.madrid/users/felix/followers",)
    assert is_public(note.cc)
    assert [m.href for m in note.mentions] == ["https://mamot.fr/users/retiolus"]
    assert note.conversation is not None and note.conversation.startswith("tag:mamot.fr")
    assert note.published == datetime(2021, 11, 5, 11, 46, 50, tzinfo=UTC)
    assert note.replies is not None and note.replies.endswith("/replies")


def test_gotosocial_note_with_single_string_addressing(load_json: Load) -> None:
    note = APObject.from_ap(load_json("ap/gotosocial/note.json"))
    assert note.to == (PUBLIC,)  # GoToSocial writes "to" as a bare string
    assert note.cc == ("http://localhost:8080/users/the_mighty_zork/followers",)
    assert note.sensitive is True
    assert note.summary == "introduction post"
    assert note.content == "<p>hello everyone!</p>"


def test_pleroma_note_with_string_source(load_json: Load) -> None:
    note = APObject.from_ap(load_json("ap/pleroma/note.json"))
    assert note.content == "Have what?"
    assert note.source is not None and note.source.content.endswith("Have what?")
    assert note.context == note.conversation
    assert not is_public(note.to)
    assert note.cc == (PUBLIC,)


def test_mastodon_poll(load_json: Load) -> None:
    create = Activity.from_ap(load_json("ap/mastodon/create_question.json"))
    assert create.type == "Create"
    poll = create.object
    assert isinstance(poll, APObject) and poll.type == "Question"
    assert poll.content == "<p>Why is Tenshi eating a corndog so cute?</p>"
    assert [o.name for o in poll.options] == [
        "Dunno", "Everyone knows that!", "25 char limit is dumb", "I can't even fit a funny"]
    assert [o.votes for o in poll.options] == [0, 1, 0, 1]
    assert poll.multiple_choice is False
    assert poll.end_time == datetime(2019, 5, 11, 9, 3, 36, tzinfo=UTC)
    assert is_public(create.to)


def test_misskey_poll_without_end(load_json: Load) -> None:
    poll = APObject.from_ap(load_json("ap/misskey/question.json"))
    assert [(o.name, o.votes) for o in poll.one_of] == [("Working", 0), ("Broken af", 1)]
    assert poll.end_time is None
    assert poll.author == "https://skippers-bin.com/users/7v1w1r8ce6"


def test_misskey_create_note(load_json: Load) -> None:
    create = Activity.from_ap(load_json("ap/misskey/create_note.json"))
    note = create.object
    assert isinstance(note, APObject)
    assert note.source is not None and note.source.media_type == "text/x.misskeymarkdown"
    assert note.in_reply_to == "https://calckey.jp/notes/9f2i7ymf1d"
    assert is_public(note.cc)


@pytest.mark.parametrize(("path", "actor", "obj"), [
    ("ap/mastodon/follow.json", "https://masto.asonix.dog/users/asonix",
     "https://ds9.lemmy.ml/c/testcom"),
    ("ap/lemmy/follow.json", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://enterprise.lemmy.ml/c/main"),
    ("ap/pleroma/follow.json", "https://mycrowd.ca/users/kinetix", "https://lemmy.ca/u/kinetix"),
])
def test_follows(load_json: Load, path: str, actor: str, obj: str) -> None:
    follow = Activity.from_ap(load_json(path))
    assert (follow.type, follow.actor, follow.object_id) == ("Follow", actor, obj)


@pytest.mark.parametrize("path", ["ap/mastodon/accept.json", "ap/lemmy/accept.json"])
def test_accepts_embed_the_follow(load_json: Load, path: str) -> None:
    accept = Activity.from_ap(load_json(path))
    follow = accept.object
    assert isinstance(follow, Activity) and follow.type == "Follow"
    assert follow.object_id == accept.actor
    assert accept.object_id == follow.id


def test_mastodon_announce_by_reference(load_json: Load) -> None:
    boost = Activity.from_ap(load_json("ap/mastodon/announce.json"))
    assert boost.object_id == "http://mastodon.example.org/@admin/99541947525187367"
    assert boost.object is None
    assert is_public(boost.to)


def test_lemmy_community_announce_keeps_the_original(load_json: Load) -> None:
    announce = Activity.from_ap(load_json("ap/lemmy/announce_create_page.json"))
    create = announce.object
    assert isinstance(create, Activity) and create.type == "Create"
    page = create.object
    assert isinstance(page, APObject) and page.type == "Page"
    assert page.name == "post 4"
    assert page.author == "http://enterprise.lemmy.ml/u/lemmy_beta"
    assert announce.actor == "http://enterprise.lemmy.ml/c/main"


def test_wordpress_article(load_json: Load) -> None:
    create = parse_document(load_json("ap/wordpress/create_article.json"))
    assert isinstance(create, Activity)
    article = create.object
    assert isinstance(article, APObject) and article.type == "Article"
    assert article.name == "The end is near: Mastodon plans to drop OStatus support"
    assert article.url == "https://wedistribute.org/2019/07/mastodon-drops-ostatus/"
    assert article.summary is not None and article.summary.startswith("One of the largest")


def test_lemmy_page_with_link_attachment(load_json: Load) -> None:
    page = APObject.from_ap(load_json("ap/lemmy/page.json"))
    assert page.audience == ("https://enterprise.lemmy.ml/c/tenforward",)
    assert page.attachments[0].type == "Link"
    assert page.attachments[0].url.endswith("eOtYb9iEiB.png")
    assert page.source is not None and page.source.media_type == "text/markdown"
