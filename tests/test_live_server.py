"""The live server through aiohttp's test client: the page, joining, answering, the reveal,
reconnecting, removing, and what malformed, oversized or too many messages do (nothing)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from nqpf_tutor.core.classroom.live import LiveGame, LiveLimits, live_config
from nqpf_tutor.core.drill import load_drill
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store
from nqpf_tutor.live.server import MAX_MESSAGE, LiveServer
from nqpf_tutor.locations import Locations

from test_live_core import FakeClock


def mcq(i):
    return Card("d", f"q{i:02d}", "mcq", f"Question {i}?", f"right {i}",
                distractors=(f"wrong {i}a", f"wrong {i}b", f"wrong {i}c"), explanation=f"Because {i}.")


CARDS = [mcq(i) for i in range(8)]


class Live:
    def __init__(self, game, server, client, store, clock):
        self.game, self.server, self.client, self.store, self.clock = game, server, client, store, clock

    async def ws(self):
        return await self.client.ws_connect("/ws")

    async def join(self, name, code="123456"):
        ws = await self.ws()
        await ws.send_json({"type": "join", "code": code, "name": name})
        welcome = await recv(ws)
        return ws, welcome


async def recv(ws, kind=None, timeout=2.0):
    """The next message (of ``kind``, skipping others)."""
    while True:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        if msg.type != WSMsgType.TEXT:
            return None
        data = json.loads(msg.data)
        if kind is None or data["type"] == kind:
            return data


async def nothing(ws, timeout=0.15):
    """No message arrives within ``timeout``."""
    try:
        msg = await asyncio.wait_for(ws.receive(), timeout)
    except asyncio.TimeoutError:
        return True
    return msg is None


@pytest.fixture
async def live(tmp_path):
    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    store = Store.open(loc, profile="default")
    clock = FakeClock()
    config = live_config(n=3, seconds=20, seed=5)
    game = LiveGame.create(config, CARDS, store=store, clock=clock, now=clock.now, code="123456",
                           limits=LiveLimits(failed_joins_per_client=(4, 60.0)))
    server = LiveServer(game, message_rate=(10, 5.0))
    client = TestClient(TestServer(server.app))
    await client.start_server()
    yield Live(game, server, client, store, clock)
    await client.close()
    await server.stop()
    store.close()


async def test_the_page_is_served_with_its_files_and_nothing_from_outside(live):
    r = await live.client.get("/?code=123456")
    html = await r.text()
    assert r.status == 200 and r.content_type == "text/html"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert 'src="/static/app.js"' in html and 'href="/static/style.css"' in html
    assert "http://" not in html and "https://" not in html
    for name, kind in [("app.js", "application/javascript"), ("style.css", "text/css")]:
        r = await live.client.get(f"/static/{name}")
        body = await r.text()
        assert r.status == 200 and r.content_type == kind and "https://" not in body
    for bad in ["/static/index.htm", "/static/..%2fserver.py", "/static/server.py", "/nope"]:
        assert (await live.client.get(bad)).status == 404
    assert len(await (await live.client.get("/favicon.ico")).read()) == 0


async def test_join_answer_reveal_for_three_students(live):
    game = live.game
    students = [await live.join(n) for n in ("Ann", "Bo", "Cy")]
    for ws, welcome in students:
        assert welcome["type"] == "welcome" and welcome["token"]
        lobby = await recv(ws, "lobby")
        assert lobby["total"] == 3
    assert [p.name for p in game.active_players()] == ["Ann", "Bo", "Cy"]
    game.open_next()
    q = game.current
    before = []
    for ws, _ in students:
        msg = await recv(ws, "question")
        before.append(msg)
        assert msg["options"] == list(q.options) and msg["q"] == 1
    assert before[0] == before[1] == before[2]
    wrong = (q.correct + 1) % 4
    for (ws, _), choice in zip(students, [q.correct, wrong, q.correct]):
        await ws.send_json({"type": "answer", "q": 1, "choice": choice})
        ack = await recv(ws)
        before.append(ack)
        assert ack == {"type": "ack", "q": 1, "choice": choice}
    text = json.dumps(before)
    assert '"correct"' not in text and "Because" not in text
    reveals = [await recv(ws, "reveal") for ws, _ in students]
    assert [r["answer_of_yours"]["correct"] for r in reveals] == [True, False, True]
    assert reveals[0]["correct"] == q.correct and reveals[0]["counts"][q.correct] == 2
    assert reveals[0]["you"]["rank"] == 1 and reveals[1]["you"]["rank"] == 3
    assert reveals[0]["explanation"] == q.card.explanation
    rec = load_drill(live.store, game.id)
    assert sorted((a.student, a.correct) for a in rec.answers) == [("Ann", True), ("Bo", False), ("Cy", True)]
    for ws, _ in students:
        await ws.close()


async def test_a_second_answer_and_a_wrong_code_change_nothing(live):
    ws, _ = await live.join("Ann")
    other, _ = await live.join("Bo")
    live.game.open_next()
    await ws.send_json({"type": "answer", "q": 1, "choice": 0})
    assert (await recv(ws, "ack"))["choice"] == 0
    await ws.send_json({"type": "answer", "q": 1, "choice": 1})
    err = await recv(ws, "error")
    assert err["reason"] == "already"
    assert len(live.game.answers) == 1
    bad = await live.ws()
    await bad.send_json({"type": "join", "code": "999999", "name": "Eve"})
    assert (await recv(bad))["reason"] == "bad_code"
    for s in (ws, other, bad):
        await s.close()


@pytest.mark.parametrize("payload", [
    "not json", "[1, 2]", '"answer"', "{}", '{"type": 7}', '{"type": "answer", "q": 1, "choice": 0}',
    '{"type": "resume", "token": 12}', '{"type": "resume"}', '{"type": "hello"}', "null",
])
async def test_malformed_messages_are_dropped(live, payload):
    game = live.game
    ws, _ = await live.join("Ann")
    await recv(ws, "lobby")
    game.open_next()
    await recv(ws, "question")
    stranger = await live.ws()
    await stranger.send_str(payload)  # not joined: nothing at all happens
    assert await nothing(stranger)
    assert game.answers == [] and len(game.players) == 1
    await ws.send_str(payload if "answer" not in payload else '{"type": "answer", "q": "1", "choice": 0}')
    msg = await recv(ws) if "answer" in payload else None
    assert msg is None or msg["type"] == "error"
    assert game.answers == [] and game.phase == "question"
    await ws.send_json({"type": "answer", "q": 1, "choice": 2})  # still playing afterwards
    assert (await recv(ws, "reveal"))["answer_of_yours"]["choice"] == 2
    await ws.close()
    await stranger.close()


async def test_binary_frames_are_dropped_and_an_oversized_message_closes_only_that_socket(live):
    ws, _ = await live.join("Ann")
    await recv(ws, "lobby")
    await ws.send_bytes(b"\x00\x01")
    assert await nothing(ws)
    big = await live.ws()
    await big.send_str(json.dumps({"type": "join", "code": "123456", "name": "x" * (MAX_MESSAGE + 10)}))
    msg = await asyncio.wait_for(big.receive(), 2)
    assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert [p.name for p in live.game.active_players()] == ["Ann"]
    live.game.open_next()
    assert (await recv(ws, "question"))["q"] == 1
    await ws.close()


async def test_too_many_messages_from_one_device_are_dropped(live):
    ws, _ = await live.join("Ann")
    await recv(ws, "lobby")
    for _ in range(50):  # message_rate: 10 per 5 s (the clock does not move)
        await ws.send_json({"type": "answer", "q": 9, "choice": 0})
    replies = 0
    while not await nothing(ws, 0.2):
        replies += 1
    assert replies <= 9


async def test_joins_are_rate_limited(live):
    ws = await live.ws()
    for _ in range(4):
        await ws.send_json({"type": "join", "code": "000000", "name": "Eve"})
        assert (await recv(ws))["reason"] == "bad_code"
    await ws.send_json({"type": "join", "code": "123456", "name": "Eve"})
    assert (await recv(ws))["reason"] == "rate_limited"
    assert live.game.players == {}
    await ws.close()


async def test_reconnect_with_the_token_keeps_the_score(live):
    game = live.game
    ws, welcome = await live.join("Ann")
    bo, _ = await live.join("Bo")
    game.open_next()
    await recv(ws, "question")
    await ws.send_json({"type": "answer", "q": 1, "choice": game.current.correct})
    await recv(ws, "ack")
    await ws.close()  # the phone sleeps
    await asyncio.sleep(0.05)
    assert not game.players[1].connected
    again = await live.ws()
    await again.send_json({"type": "resume", "token": welcome["token"]})
    assert (await recv(again))["type"] == "welcome"
    state = await recv(again)
    assert state["type"] == "question" and state["locked"] == game.current.correct
    assert game.players[1].connected
    game.skip()
    reveal = await recv(again, "reveal")
    assert reveal["you"]["points"] == 1 and reveal["you"]["rank"] == 1
    bad = await live.ws()
    await bad.send_json({"type": "resume", "token": "made-up"})
    assert (await recv(bad))["reason"] == "unknown_token"
    for s in (again, bo, bad):
        await s.close()


async def test_a_removed_student_is_told_and_disconnected(live):
    ws, _ = await live.join("Ann")
    await recv(ws, "lobby")
    live.game.remove(1)
    assert (await recv(ws))["type"] == "removed"
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)


async def test_the_server_timer_closes_the_question(live):
    live.server.tick = 0.01
    live.server.start_timer()
    ws, _ = await live.join("Ann")
    other, _ = await live.join("Bo")
    live.game.open_next()
    await recv(ws, "question")
    await ws.send_json({"type": "answer", "q": 1, "choice": 0})
    await recv(ws, "ack")
    live.clock.advance(21)
    reveal = await recv(other, "reveal")
    assert reveal["answer_of_yours"]["timed_out"] is True
    await ws.close()
    await other.close()


async def test_a_late_student_waits_and_the_end_reaches_everyone(live):
    game = live.game
    ws, _ = await live.join("Ann")
    game.open_next()
    late, _ = await live.join("Cy")
    state = await recv(late, "lobby")
    assert state["late"] is True
    await ws.send_json({"type": "answer", "q": 1, "choice": 0})
    await recv(ws, "reveal")
    game.open_next()
    assert (await recv(late, "question"))["q"] == 2
    game.end()
    end = await recv(late, "end")
    assert end["you"]["name"] == "Cy" and end["podium"]
    await ws.close()
    await late.close()


async def test_start_listens_on_the_address_and_the_url_has_the_code(live):
    server = LiveServer(live.game, "127.0.0.1", 0, shown_host="127.0.0.1")
    await server.start()
    try:
        assert server.port > 0
        assert server.join_url == f"http://127.0.0.1:{server.port}/?code=123456"
        taken = LiveServer(live.game, "127.0.0.1", server.port)
        with pytest.raises(OSError):
            await taken.start()
    finally:
        await server.stop()


async def test_connections_are_capped(live):
    live.server.max_connections = 2
    a = await live.ws()
    b = await live.ws()
    with pytest.raises(Exception):
        await live.client.ws_connect("/ws")
    await a.close()
    await asyncio.sleep(0.05)
    c = await live.ws()  # a place is free again
    await c.send_json({"type": "join", "code": "123456", "name": "Ann"})
    assert (await recv(c))["type"] == "welcome"
    for s in (b, c):
        await s.close()


async def test_thirty_answers_at_once_are_each_saved_once_and_acked(live):
    socks = []
    for i in range(30):
        ws, _ = await live.join(f"S{i:02d}")
        socks.append(ws)
    live.game.open_next()
    for ws in socks:
        await recv(ws, "question")
    await asyncio.gather(*(ws.send_json({"type": "answer", "q": 1, "choice": i % 4}) for i, ws in enumerate(socks)))
    acks = [await recv(ws, "ack") for ws in socks]
    assert [a["choice"] for a in acks] == [i % 4 for i in range(30)]
    reveal = await recv(socks[0], "reveal")
    assert sum(reveal["counts"]) == 30
    rec = load_drill(live.store, live.game.id)
    assert sorted(a.student for a in rec.answers) == [f"S{i:02d}" for i in range(30)]
    assert sorted(a.seq for a in rec.answers) == list(range(1, 31))
    for ws in socks:
        await ws.close()
