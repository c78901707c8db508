"""kill -9 of the teacher's process mid-question: every answer a student saw locked is saved."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

import aiohttp

from nqpf_tutor.core.drill import load_drill
from nqpf_tutor.core.store import Store
from nqpf_tutor.locations import Locations

SERVER = textwrap.dedent("""
    import asyncio, sys
    from nqpf_tutor.core.classroom.live import LiveGame, live_config
    from nqpf_tutor.core.model import Card
    from nqpf_tutor.core.store import Store
    from nqpf_tutor.live.server import LiveServer

    cards = [Card("d", f"q{i}", "mcq", f"Question {i}?", f"right {i}", distractors=("a", "b", "c"))
             for i in range(5)]

    async def main():
        store = Store.open(sys.argv[1], "default")
        game = LiveGame.create(live_config(n=3, seconds=0, seed=1), cards, store=store, code="123456",
                               game_id="crash-game")
        server = LiveServer(game, "127.0.0.1", 0)
        await server.start()
        print(server.port, flush=True)
        while len(game.active_players()) < 4:
            await asyncio.sleep(0.01)
        game.open_next()
        await asyncio.Event().wait()

    asyncio.run(main())
""")


async def test_kill_9_loses_no_answer_given(tmp_path):
    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    Store.open(loc, profile="default").close()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(loc.db_path)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline), 20))
        async with aiohttp.ClientSession() as session:
            socks = []
            for name in ("Ann", "Bo", "Cy", "Di"):
                ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
                await ws.send_json({"type": "join", "code": "123456", "name": name})
                socks.append(ws)
            locked = []
            for i, ws in enumerate(socks[:3]):  # Di never answers: the question stays open
                while (question := await ws.receive_json(timeout=10))["type"] != "question":
                    pass
                await ws.send_json({"type": "answer", "q": 1, "choice": i})
                while (msg := await ws.receive_json(timeout=10))["type"] != "ack":
                    pass
                locked.append(question["options"][msg["choice"]])
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            for ws in socks:
                await ws.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(loc, profile="default") as store:
        rec = load_drill(store, "crash-game")
    assert [(a.student, a.chosen) for a in rec.answers] == list(zip(["Ann", "Bo", "Cy"], locked))
    assert [a.seq for a in rec.answers] == [1, 2, 3] and rec.cut_short and rec.config["turns"] == "everyone"
