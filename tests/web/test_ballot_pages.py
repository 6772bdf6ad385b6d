"""Formal ballots in the web UI: opening one with the form (errors beside their fields, more
proposal rows without JavaScript), proposals and amendments per phase, voting per method with
server-side checks, "You voted", results as SVG bars with tables and ranked-choice rounds,
and members-only ballots hidden from everyone else."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from actors.chapters import create_chapter
from actors.follows import follow_actor
from actors.models import Actor, Chapter
from actors.urls import LocalUrls
from content import ballots as service
from content.ballot_models import Amendment, Ballot, BallotProposal, BallotVote
from content.membership import appoint
from core import clock
from core.settings import Settings
from tests.support.forms import csrf_from, post_form
from tests.support.members import log_in
from web.ui.bars import Bar, bar_chart, bar_table

AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]
DAY = timedelta(days=1)
Move = Callable[[timedelta], None]


@pytest.fixture
def move() -> Iterator[Move]:
    """A clock the test moves: the ballot's phases follow their dates."""
    base = datetime.now(UTC).replace(second=0, microsecond=0)
    offset = [timedelta()]
    clock.set_clock(lambda: base + offset[0])

    def to(moment: timedelta) -> None:
        offset[0] = moment

    yield to
    clock.set_clock(None)


def _urls(settings: Settings) -> LocalUrls:
    return LocalUrls(settings.server.base_url)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def _chapter(settings: Settings, coordinator: Actor, policy: str = "open") -> Chapter:
    return await create_chapter("Lyon", "lyon", join_policy=policy, creator=coordinator,
                                urls=_urls(settings))


async def _member(app_for: AppFor, settings: Settings, name: str, chapter: Chapter | None,
                  ) -> tuple[httpx.AsyncClient, Actor]:
    other = await app_for(settings)
    actor = await log_in(other, settings, name)
    if chapter is not None:
        await follow_actor(_urls(settings), actor, chapter.actor)
    return other, actor


async def _open(settings: Settings, opener: Actor, chapter: Chapter, method: str,
                titles: list[str], *, secret: bool = False, quorum: str = "") -> Ballot:
    now = clock.now()
    return await service.open_ballot(
        _urls(settings), opener, chapter=chapter.actor, title="Spring congress",
        description="Where do we meet?", method=method, secret=secret, quorum=quorum,
        proposals_at=now, amendments_at=now + DAY, voting_at=now + 2 * DAY,
        ends_at=now + 3 * DAY, proposals=[(t, f"We meet in {t}.") for t in titles])


async def _ids(ballot: Ballot) -> dict[str, int]:
    return {p.title: p.id for p in await BallotProposal.filter(ballot_id=ballot.id)}


def _row(html: str, name: str) -> str:
    """The table row whose header starts with `name`."""
    found = re.search(rf'<tr><th scope="row">{re.escape(name)}(?: <span[^<]*</span>)?</th>'
                      r'(.*?)</tr>', html, re.S)
    assert found, f"no row {name}"
    return found.group(1)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]


# --- the bar chart -------------------------------------------------------------------------------


def test_the_bar_chart_labels_every_bar_and_escapes_what_members_wrote() -> None:
    bars = [Bar("Lyon", 3, "winner"), Bar("<script>x</script>", 1), Bar("Nice", 0)]
    svg = bar_chart(bars, title="Votes per proposal", ident="t", total=4)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="t-title t-desc"' in svg
    assert '<title id="t-title">Votes per proposal</title>' in svg
    assert "Lyon: 3 votes, winner; &lt;script&gt;x&lt;/script&gt;: 1 vote; Nice: 0 votes" in svg
    assert "<script>" not in svg
    assert svg.count('<g class="bar"') == 3
    assert ">3 (75 %) winner</text>" in svg and ">0 (0 %)</text>" in svg
    table = bar_table(bars, caption="Votes per proposal", total=4)
    assert "<caption>Votes per proposal</caption>" in table and "<script>" not in table
    assert re.search(r'Lyon <span class="badge">winner</span></th><td class="num">3</td>'
                     r'<td class="num">75 %</td>', table)


# --- opening a ballot ------------------------------------------------------------------------------


async def test_a_coordinator_opens_a_ballot_with_the_form(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings, move: Move,
) -> None:
    cora = await log_in(client, settings, "cora")
    await _chapter(settings, cora)
    listing = await client.get("/chapters/lyon/ballots")
    assert 'href="/chapters/lyon/ballots/new"' in listing.text
    assert "No ballot is open." in listing.text
    page = await client.get("/chapters/lyon/ballots/new")
    assert page.status_code == 200 and page.text.count('name="proposal_title"') == 3
    for field, label in (("title", "Title"), ("quorum", "Quorum"), ("voting_at", "Voting opens"),
                         ("pt-1", "Proposal 1: title"), ("px-3", "Proposal 3: text")):
        assert f'<label for="f-{field}">{label}</label>' in page.text
    assert 'type="datetime-local"' in page.text and "UTC" in page.text
    now = clock.now()
    token = await csrf_from(client, "/chapters/lyon/ballots/new")
    form: dict[str, str | list[str]] = {
        "csrf_token": token, "title": "Spring congress", "description": "Where do we *meet*?",
        "method": "ranked", "quorum": "1/3", "seats": "1",
        "proposals_at": _local(now), "amendments_at": _local(now + DAY),
        "voting_at": _local(now + 2 * DAY), "ends_at": _local(now + 3 * DAY),
        "proposal_title": ["Lyon", "Marseille", ""],
        "proposal_text": ["In the **old** town", "By the sea", ""]}
    more = await client.post("/chapters/lyon/ballots/new", data={**form, "more": "1"})
    assert more.status_code == 200 and more.text.count('name="proposal_title"') == 6
    assert 'value="Marseille"' in more.text and "By the sea</textarea>" in more.text
    assert await Ballot.all().count() == 0

    wrong = await client.post("/chapters/lyon/ballots/new", data={
        **form, "title": "", "quorum": "lots", "threshold": "2/3", "ends_at": "soon"})
    assert wrong.status_code == 422 and await Ballot.all().count() == 0
    assert 'id="f-title" name="title" value="" required maxlength="200" ' \
           'aria-describedby="e-title" aria-invalid="true"' in wrong.text
    assert 'aria-describedby="h-ends_at e-ends_at" aria-invalid="true"' in wrong.text
    assert 'value="Lyon"' in wrong.text and 'value="lots"' in wrong.text
    refused = await client.post("/chapters/lyon/ballots/new", data={
        **form, "quorum": "lots", "threshold": "2/3"})
    assert refused.status_code == 422
    assert re.search(r'<p class="error" id="e-quorum">[^<]+</p>', refused.text)
    assert 'id="e-threshold">Ranked choice takes no threshold' in refused.text

    opened = await client.post("/chapters/lyon/ballots/new", data=form)
    assert opened.status_code == 303
    ballot = await Ballot.get()
    assert opened.headers["location"] == f"/ballots/{ballot.id}"
    assert ballot.method == "ranked" and ballot.quorum == "1/3"
    assert ballot.voting_at == now + 2 * DAY
    assert sorted(await _ids(ballot)) == ["Lyon", "Marseille"]
    shown = await client.get(f"/ballots/{ballot.id}")
    assert "<h1 id=\"ballot-h\">Spring congress</h1>" in shown.text
    assert "<em>meet</em>" in shown.text and "In the <strong>old</strong> town" in shown.text
    assert re.search(r'<li aria-current="step">\s*<strong>Proposals</strong>', shown.text)
    listed = await client.get("/chapters/lyon/ballots")
    assert f'href="/ballots/{ballot.id}">Spring congress</a>' in listed.text

    bea, _ = await _member(app_for, settings, "bea", None)
    assert (await bea.get("/chapters/lyon/ballots/new")).status_code == 403
    assert (await bea.get("/ballots/new")).status_code == 403
    assert 'href="/chapters/lyon/ballots/new"' not in (await bea.get(
        "/chapters/lyon/ballots")).text
    admin, _ = await _member(app_for, settings, "ada", None)
    await admin.aclose()
    office = await app_for(settings)
    await log_in(office, settings, "root", role="admin")
    org = await office.get("/ballots/new")
    assert org.status_code == 200 and "of the whole organization" in org.text


# --- proposals and amendments ----------------------------------------------------------------------


async def test_members_propose_withdraw_and_amend_and_the_author_decides(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings, move: Move,
) -> None:
    cora = await log_in(client, settings, "cora")
    chapter = await _chapter(settings, cora)
    ballot = await _open(settings, cora, chapter, "single", ["Lyon"])
    page = f"/ballots/{ballot.id}"
    bea, _ = await _member(app_for, settings, "bea", chapter)
    added = await post_form(bea, f"{page}/proposals",
                            {"title": "Marseille", "text": "By the *sea*"}, page=page)
    assert added.status_code == 303 and added.headers["location"] == page
    shown = (await bea.get(page)).text
    assert "<h3>Marseille</h3>" in shown and "By the <em>sea</em>" in shown
    assert 'aria-label="Withdraw the proposal Marseille"' in shown
    assert 'aria-label="Withdraw the proposal Lyon"' not in shown
    await post_form(bea, f"{page}/proposals", {"title": "Grenoble", "text": "Mountains"},
                    page=page)
    grenoble = (await _ids(ballot))["Grenoble"]
    gone = await post_form(bea, f"{page}/proposals/{grenoble}/withdraw", {}, page=page)
    assert gone.status_code == 303 and "<h3>Grenoble</h3>" not in (await bea.get(page)).text
    empty = await post_form(bea, f"{page}/proposals", {"title": "", "text": "x"}, page=page)
    assert empty.status_code == 422 and "Give each proposal a title." in empty.text

    carl, _ = await _member(app_for, settings, "carl", None)
    outsider = await carl.get(page)
    assert "Only members of Lyon make proposals." in outsider.text
    refused = await post_form(carl, f"{page}/proposals", {"title": "Paris", "text": ""},
                              page=page)
    assert refused.status_code == 403 and "only members may make proposals" in refused.text

    move(DAY)  # amendments
    shown = (await bea.get(page)).text
    assert re.search(r'<li aria-current="step">\s*<strong>Amendments</strong>', shown)
    lyon = (await _ids(ballot))["Lyon"]
    amended = await post_form(bea, f"{page}/proposals/{lyon}/amendments",
                              {"text": "We meet in Lyon, by the river.", "reason": "Nicer"},
                              page=page)
    assert amended.status_code == 303
    amendment = await Amendment.get()
    assert "Accept</button>" not in (await bea.get(page)).text
    forbidden = await post_form(bea, f"{page}/amendments/{amendment.id}",
                                {"decision": "accept"}, page=page)
    assert forbidden.status_code == 403 and (await Amendment.get()).state == "pending"
    own = (await client.get(page)).text
    assert "<strong>Current text</strong>" in own and "We meet in Lyon.</p>" in own
    assert "We meet in Lyon, by the river.</p>" in own and "Reason: Nicer" in own
    assert f'action="/ballots/{ballot.id}/amendments/{amendment.id}"' in own
    accepted = await post_form(client, f"{page}/amendments/{amendment.id}",
                               {"decision": "accept"}, page=page)
    assert accepted.status_code == 303
    assert (await BallotProposal.get(id=lyon)).text == "We meet in Lyon, by the river."
    after = (await client.get(page)).text
    assert "· amended" in after and "<strong>Current text</strong>" not in after
    late = await post_form(bea, f"{page}/proposals", {"title": "Nice", "text": ""}, page=page)
    assert late.status_code == 409 and "proposals phase only" in late.text


# --- voting and results ----------------------------------------------------------------------------


async def test_a_ranked_ballot_is_voted_with_selects_and_shows_both_counts(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings, move: Move,
) -> None:
    cora = await log_in(client, settings, "cora")
    chapter = await _chapter(settings, cora)
    ballot = await _open(settings, cora, chapter, "ranked", ["Lyon", "Marseille", "Nice"],
                         quorum="1/3")
    page = f"/ballots/{ballot.id}"
    ids = await _ids(ballot)
    lyon, marseille, nice = ids["Lyon"], ids["Marseille"], ids["Nice"]
    bea, _ = await _member(app_for, settings, "bea", chapter)
    others = [(await _member(app_for, settings, n, chapter))[1] for n in ("dan", "eve", "fay")]
    before = (await bea.get(page)).text
    assert f'action="{page}/vote"' not in before
    move(2 * DAY)  # voting: the snapshot is taken
    shown = (await bea.get(page)).text
    assert f'action="{page}/vote"' in shown and "5 eligible members · 0 voted" in shown
    assert f'<label for="f-rank-{lyon}">Rank of “Lyon”</label>' in shown
    assert shown.count('<option value="">Not ranked</option>') == 0  # one is selected
    assert shown.count('<option value="" selected>Not ranked</option>') == 3
    assert shown.count('<option value="3">3</option>') == 3

    token = await csrf_from(bea, page)
    twice = await bea.post(f"{page}/vote", data={
        "csrf_token": token, f"rank-{lyon}": "1", f"rank-{marseille}": "1"})
    assert twice.status_code == 422
    assert "You gave rank 1 to both “Lyon” and “Marseille”" in twice.text
    assert re.search(rf'name="rank-{lyon}".*?<option value="1" selected>1</option>',
                     twice.text, re.S)
    assert await BallotVote.all().count() == 0
    voted = await bea.post(f"{page}/vote", data={
        "csrf_token": token, f"rank-{lyon}": "1", f"rank-{marseille}": "2",
        f"rank-{nice}": "3"})
    assert voted.status_code == 303
    assert [v.choice for v in await BallotVote.all()] == [[str(lyon), str(marseille),
                                                          str(nice)]]
    mine = (await bea.get(page)).text
    assert "<strong>You voted.</strong>" in mine and f'action="{page}/vote"' not in mine
    again = await bea.post(f"{page}/vote", data={"csrf_token": token, f"rank-{nice}": "1"})
    assert again.status_code == 409 and "voted in this ballot already" in again.text

    gus, gus_actor = await _member(app_for, settings, "gus", chapter)  # joined too late
    assert "You are not on the list of members who may vote" in (await gus.get(page)).text
    late = await post_form(gus, f"{page}/vote", {f"rank-{nice}": "1"}, page=page)
    assert late.status_code == 403 and "not eligible" in late.text
    anonymous = await (await app_for(settings)).get(page)
    assert "to vote if you are a member of Lyon" in anonymous.text

    fresh = await Ballot.get(id=ballot.id)
    urls = _urls(settings)
    await service.cast_vote(urls, fresh, cora, [lyon, nice, marseille])
    await service.cast_vote(urls, fresh, others[0], [marseille, nice, lyon])
    await service.cast_vote(urls, fresh, others[1], [nice, marseille, lyon])
    await service.cast_vote(urls, fresh, others[2], [nice, marseille, lyon])
    move(3 * DAY)  # closed: counted
    result = (await client.get(page)).text
    assert "5 of 5 eligible members voted." in result and "Quorum met." in result
    assert "Winner by instant-runoff: <strong>Nice</strong>" in result
    assert "Winner by the Schulze method: <strong>Nice</strong>" in result
    assert _cells(_row(result, "Lyon"))[0] == "2" and _cells(_row(result, "Nice")) == ["2", "3"]
    assert _cells(_row(result, "Marseille")) == ["1 eliminated", "out"]
    ranking = re.search(r'<ol class="schulze">(.*?)</ol>', result, re.S)
    assert ranking and re.findall(r"<li>(.*?)</li>", ranking.group(1))[0] == "Nice"
    assert f'action="{page}/vote"' not in result and gus_actor is not None


async def test_single_approval_and_consent_results_are_bars_with_their_numbers(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings, move: Move,
) -> None:
    cora = await log_in(client, settings, "cora")
    chapter = await _chapter(settings, cora)
    single = await _open(settings, cora, chapter, "single", ["Lyon", "Marseille"])
    approval = await _open(settings, cora, chapter, "approval", ["Lyon", "Marseille", "Nice"])
    consent = await _open(settings, cora, chapter, "consent", ["Budget", "Statutes"],
                          secret=True)
    bea, bea_actor = await _member(app_for, settings, "bea", chapter)
    dan = (await _member(app_for, settings, "dan", chapter))[1]
    move(2 * DAY)
    s, a, c = (await _ids(single), await _ids(approval), await _ids(consent))

    form = (await bea.get(f"/ballots/{approval.id}")).text
    assert form.count('type="checkbox" name="choice"') == 3
    assert (await bea.get(f"/ballots/{single.id}")).text.count('type="radio" name="choice"') == 2
    paper = (await bea.get(f"/ballots/{consent.id}")).text
    assert "This is a secret ballot" in paper
    assert "<legend>Your position on “Budget”</legend>" in paper
    assert paper.count(f'name="consent-{c["Budget"]}"') == 4
    missing = await post_form(bea, f"/ballots/{consent.id}/vote",
                              {f"consent-{c['Budget']}": "agree"}, page=f"/ballots/{consent.id}")
    assert missing.status_code == 422 and "“Statutes” has none" in missing.text
    assert re.search(rf'name="consent-{c["Budget"]}" value="agree" checked', missing.text)
    for path, data in (
        (f"/ballots/{single.id}/vote", {"choice": str(s["Marseille"])}),
        (f"/ballots/{approval.id}/vote", {"choice": [str(a["Lyon"]), str(a["Nice"])]}),
        (f"/ballots/{consent.id}/vote", {f"consent-{c['Budget']}": "agree",
                                         f"consent-{c['Statutes']}": "block"}),
    ):
        token = await csrf_from(bea, path.removesuffix("/vote"))
        answer = await bea.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 303, answer.text
    assert await BallotVote.filter(ballot_id=consent.id, voter_id=bea_actor.id).count() == 0
    urls = _urls(settings)
    for ballot, voter, choice in (
        (single, cora, [s["Marseille"]]), (single, dan, [s["Lyon"]]),
        (approval, cora, [a["Lyon"]]), (approval, dan, [a["Lyon"], a["Marseille"]]),
        (consent, cora, {c["Budget"]: "agree", c["Statutes"]: "agree"}),
        (consent, dan, {c["Budget"]: "abstain", c["Statutes"]: "agree"}),
    ):
        await service.cast_vote(urls, await Ballot.get(id=ballot.id), voter, choice)
    move(3 * DAY)

    first = (await client.get(f"/ballots/{single.id}")).text
    assert "<strong>Decided</strong>: Marseille" in first
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in first and 'role="img"' in first
    assert 'data-count="2" data-label="Marseille"' in first
    assert 'data-count="1" data-label="Lyon"' in first
    assert _cells(_row(first, "Marseille")) == ["2", "67 %"]
    second = (await client.get(f"/ballots/{approval.id}")).text
    assert _cells(_row(second, "Lyon")) == ["3", "100 %"]
    assert _cells(_row(second, "Nice")) == ["1", "33 %"]
    assert _cells(_row(second, "Marseille")) == ["1", "33 %"]
    third = (await client.get(f"/ballots/{consent.id}")).text
    assert '<title id="result-consent-1-title">Budget: adopted</title>' in third
    assert '<title id="result-consent-2-title">Statutes: blocked</title>' in third
    assert _cells(_row(third, "Agree"))[:1] == ["2"] and _cells(_row(third, "Block"))[:1] == [
        "0"]
    statutes = third.split('id="result-consent-2-title"')[1]
    assert _cells(_row(statutes, "Block")) == ["1", "33 %"]
    assert _cells(_row(statutes, "Agree")) == ["2", "67 %"]


async def test_a_members_only_ballot_is_not_found_by_others(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings, move: Move,
) -> None:
    cora = await log_in(client, settings, "cora")
    chapter = await _chapter(settings, cora, policy="approval")
    ballot = await _open(settings, cora, chapter, "single", ["Lyon", "Marseille"])
    page = f"/ballots/{ballot.id}"
    bea, bea_actor = await _member(app_for, settings, "bea", None)
    await appoint(_urls(settings), chapter.actor, bea_actor, cora)
    carl, _ = await _member(app_for, settings, "carl", None)
    visitor = await app_for(settings)
    assert (await bea.get(page)).status_code == 200
    assert (await carl.get(page)).status_code == 404
    assert (await visitor.get(page)).status_code == 404
    for someone in (carl, visitor):
        for listing in ("/ballots", "/chapters/lyon/ballots"):
            assert "Spring congress" not in (await someone.get(listing)).text
    assert "Spring congress" in (await bea.get("/ballots")).text
    move(2 * DAY)
    token = await csrf_from(carl, "/ballots")
    refused = await carl.post(f"{page}/vote", data={"csrf_token": token, "choice": "1"})
    assert refused.status_code == 404 and await BallotVote.all().count() == 0
