"""The live game's server: the student page over HTTP, the game over one WebSocket per device.

It runs in whatever asyncio loop starts it (the Textual app's own, a test's, the benchmark's):
``await server.start()`` ... ``await server.stop()``. The game's rules are the core's
``LiveGame``; the server only turns messages into calls and the game's events into messages.

Protocol (JSON text frames, at most ``MAX_MESSAGE`` bytes; anything else is dropped):
  student -> server  {"type": "join", "code": "123456", "name": "Ann"}
                     {"type": "resume", "token": "..."}
                     {"type": "answer", "q": 3, "choice": 0}           (choice 0-based)
  server -> student  welcome (token), lobby, question, ack, pause, reveal, end, removed, error
Each device may send at most ``MESSAGE_RATE`` messages per window; more are dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Callable

from aiohttp import WSMsgType, web

from nqpf_tutor.core.classroom.live import LOBBY, LiveError, LiveGame, Pending, Player, RateLimiter, save_answers
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.live.net import url_for

MAX_MESSAGE = 2048  # bytes: the largest message a student may send
MESSAGE_RATE = (20, 5.0)  # messages per seconds, per device
TICK = 0.05  # seconds between checks of the question's time
LOBBY_UPDATE = 0.3  # seconds: roster changes sent to waiting students at most this often
STATIC = {"app.js": "application/javascript", "style.css": "text/css"}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

log = logging.getLogger(__name__)


def _static(name: str) -> bytes:
    return resources.files("nqpf_tutor.live").joinpath("static", name).read_bytes()


@dataclass(eq=False)
class Conn:
    """One open WebSocket: its outgoing queue (sent in order by one task) and its player."""

    ws: web.WebSocketResponse
    client: str
    player: Player | None = None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    writer: asyncio.Task | None = None

    def send(self, text: str, since: float | None = None) -> None:
        """Queue ``text`` (in order); ``since``: a perf_counter() stamp to time its delivery from."""
        self.queue.put_nowait((text, since))


class LiveServer:
    """Serve ``game`` on ``host:port`` (port 0: any free one). ``on_error(message)``: a problem
    for the teacher to see (an answer that could not be saved, say)."""

    def __init__(self, game: LiveGame, host: str = "127.0.0.1", port: int = 0, *,
                 shown_host: str | None = None, on_error: Callable[[str], None] | None = None,
                 message_rate: tuple[int, float] = MESSAGE_RATE, tick: float = TICK) -> None:
        self.game = game
        self.host = host
        self.port = port
        self.shown_host = shown_host or host
        self.on_error = on_error or (lambda message: log.warning("%s", message))
        self.message_rate = message_rate
        #: Open WebSockets at most (joined or not): twice the class and some reloads.
        self.max_connections = 2 * game.limits.max_students + 50
        self.tick = tick
        self.conns: set[Conn] = set()
        self.by_player: dict[int, set[Conn]] = {}
        self._pending: list[tuple[Conn, str, Any, Any, float]] = []
        self._flush_scheduled = False
        self._lobby_handle: asyncio.TimerHandle | None = None
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task | None = None
        # Answers are committed (fsync) in a thread of their own, on a connection of its own, so
        # the event loop (the screen, the other students) never waits for the disk.
        self._saver: ThreadPoolExecutor | None = None
        self._to_save: list[tuple[LiveGame, list, list, list[Pending]]] = []
        self._saving = False
        #: Seconds from an answer's arrival to its ack being handed to the socket (the last ones).
        self.ack_times: deque[float] = deque(maxlen=20_000)
        #: Seconds from a question's opening to its message being written to each socket.
        self.delivery_times: deque[float] = deque(maxlen=20_000)
        self._save_store: Any = None
        self.app = self.make_app()
        game.subscribe(self._on_game)

    # --- the web app ----------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE)
        app.router.add_get("/", self.index)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/ws", self.websocket)
        app.router.add_get("/favicon.ico", self.no_icon)
        return app

    async def index(self, request: web.Request) -> web.Response:
        return web.Response(body=_static("index.html"), content_type="text/html", charset="utf-8", headers=HEADERS)

    async def no_icon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        return web.Response(body=_static(name), content_type=STATIC[name], charset="utf-8", headers=HEADERS)

    # --- start and stop --------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen (``OSError`` when the address cannot be used) and start the question timer."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True, backlog=512)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        self.start_timer()

    def start_timer(self) -> None:
        """Check the open question's time every ``tick`` seconds (``start`` does this)."""
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick_loop())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        for conn in list(self.conns):
            await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.game.unsubscribe(self._on_game)
        if self._saver is not None:  # answers being saved are saved first
            await asyncio.get_running_loop().run_in_executor(self._saver, self._close_save_store)
            self._saver.shutdown(wait=False)
            self._saver = None

    @property
    def url(self) -> str:
        """The address students open."""
        return url_for(self.shown_host, self.port)

    @property
    def join_url(self) -> str:
        """The address with the code (what the QR code holds)."""
        return f"{self.url}?code={self.game.code}"

    def set_game(self, game: LiveGame) -> None:
        """Go on with another game (a second round): devices whose token it knows follow."""
        self.game.unsubscribe(self._on_game)
        self.game = game
        game.subscribe(self._on_game)
        by_player: dict[int, set[Conn]] = {}
        for conn in self.conns:
            if conn.player is None:
                continue
            try:
                conn.player = game.player_for(conn.player.token)
            except LiveError:
                conn.player = None
                continue
            by_player.setdefault(conn.player.id, set()).add(conn)
            self._send(conn, game.lobby_message(conn.player))
        self.by_player = by_player

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            try:
                self.game.tick()
            except NqpfError as e:  # the misses could not be saved: try again on the next tick
                self.on_error(str(e))
            except Exception as e:  # noqa: BLE001 - the timer must keep going
                log.exception("live game tick")
                self.on_error(f"live game: {e}")

    # --- sending ------------------------------------------------------------------------------------

    def _send(self, conn: Conn, msg: dict[str, Any] | str) -> None:
        conn.send(msg if isinstance(msg, str) else json.dumps(msg, ensure_ascii=False))

    def _player_conns(self, player: Player) -> set[Conn]:
        return self.by_player.get(player.id, set())

    def connected_players(self) -> list[Player]:
        return [p for p in self.game.active_players() if self.by_player.get(p.id)]

    def _on_game(self, kind: str, data: dict[str, Any]) -> None:
        game = self.game
        if kind == "question":
            opened = time.perf_counter()
            text = json.dumps(game.question_message(), ensure_ascii=False)
            for p in game.active_players():
                if p.first_question <= game.index:
                    for conn in self._player_conns(p):
                        conn.send(text, opened)
        elif kind == "pause":
            text = json.dumps({"type": "pause", "paused": game.paused, "remaining": game.remaining()})
            for conn in self.conns:
                if conn.player is not None:
                    conn.send(text)
        elif kind == "reveal":
            ranks = game.ranks()
            board = game.board(ranks)
            counts = game.option_counts()
            for p in game.active_players():
                conns = self._player_conns(p)
                if conns:
                    text = json.dumps(game.reveal_message(p, ranks, board, counts), ensure_ascii=False)
                    for conn in conns:
                        conn.send(text)
        elif kind == "end":
            ranks = game.ranks()
            for p in game.active_players():
                for conn in self._player_conns(p):
                    self._send(conn, game.end_message(p, ranks))
        elif kind == "removed":
            player = data["player"]
            for conn in list(self._player_conns(player)):
                self._send(conn, {"type": "removed", "message": "the teacher removed you from the game"})
                conn.player = None
                conn.send("")  # the writer closes the socket after the message
            self.by_player.pop(player.id, None)
        elif kind == "roster" and game.phase == LOBBY:
            if self._lobby_handle is None:
                self._lobby_handle = asyncio.get_running_loop().call_later(LOBBY_UPDATE, self._lobby_update)

    def _lobby_update(self) -> None:
        self._lobby_handle = None
        if self.game.phase != LOBBY:
            return
        for p in self.game.active_players():
            for conn in self._player_conns(p):
                self._send(conn, self.game.lobby_message(p))

    async def _writer(self, conn: Conn) -> None:
        ws = conn.ws
        try:
            while True:
                text, since = await conn.queue.get()
                if text == "":
                    await ws.close()
                    return
                if ws.closed:
                    return
                await ws.send_str(text)
                if since is not None:
                    self.delivery_times.append(time.perf_counter() - since)
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            return

    # --- receiving ----------------------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        if len(self.conns) >= self.max_connections:
            raise web.HTTPServiceUnavailable(text="too many connections")
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE, heartbeat=20.0, compress=False)
        await ws.prepare(request)
        conn = Conn(ws, request.remote or "")
        conn.writer = asyncio.get_running_loop().create_task(self._writer(conn))
        self.conns.add(conn)
        limit = RateLimiter(*self.message_rate, clock=self.game.clock)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue  # binary frames: dropped
                if not limit.allow(""):
                    continue
                self._handle(conn, msg.data)
        finally:
            self.conns.discard(conn)
            player = conn.player
            if player is not None:
                conns = self.by_player.get(player.id, set())
                conns.discard(conn)
                if not conns:
                    self.by_player.pop(player.id, None)
                    if not player.removed:
                        try:
                            self.game.set_connected(player, False)
                        except NqpfError as e:
                            self.on_error(str(e))
            if conn.writer is not None:
                conn.writer.cancel()
        return ws

    def _handle(self, conn: Conn, data: str) -> None:
        """One message from a device. Anything malformed is dropped: no reply, no change."""
        try:
            msg = json.loads(data)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        kind = msg.get("type")
        try:
            if kind == "join" and conn.player is None:
                player = self.game.join(msg.get("code"), msg.get("name"), conn.client)
                self._attach(conn, player)
            elif kind == "resume" and conn.player is None:
                token = msg.get("token")
                if not isinstance(token, str) or len(token) > 100:
                    return
                self._attach(conn, self.game.resume(token))
            elif kind == "answer" and conn.player is not None:
                self._pending.append((conn, conn.player.token, msg.get("q"), msg.get("choice"), time.perf_counter()))
                if not self._flush_scheduled:
                    self._flush_scheduled = True
                    asyncio.get_running_loop().call_soon(self._flush)
        except LiveError as e:
            self._send(conn, {"type": "error", "reason": e.reason, "message": str(e)})
        except NqpfError as e:
            self.on_error(str(e))

    def _attach(self, conn: Conn, player: Player) -> None:
        conn.player = player
        self.by_player.setdefault(player.id, set()).add(conn)
        if not player.connected:
            self.game.set_connected(player, True)
        self._send(conn, {"type": "welcome", "token": player.token, "name": player.name, "id": player.id,
                          "code": self.game.code})
        self._send(conn, self.game.state_message(player))

    def _flush(self) -> None:
        """Answers received in this turn of the loop: checked, saved together, then acknowledged
        (an ack is only sent once the answer is on disk), then the reveal if everyone answered."""
        self._flush_scheduled = False
        batch, self._pending = self._pending, []
        if not batch:
            return
        game = self.game
        try:
            results, pending = game.reserve([(token, q, choice) for _, token, q, choice, _ in batch])
        except Exception as e:  # noqa: BLE001 - a bug must not stop the game
            log.exception("live answers")
            self.on_error(f"answers not taken: {e}")
            return
        for (conn, *_), result in zip(batch, results):
            if isinstance(result, LiveError):
                self._send(conn, {"type": "error", "reason": result.reason, "message": str(result)})
        if not pending:
            return
        if game.store is None:
            game.commit(pending, results)
            self._acked(game, batch, results, pending)
            return
        self._to_save.append((game, batch, results, pending))
        if not self._saving:
            self._save_next()

    def _save_next(self) -> None:
        """Group commit: everything received while the last save ran, saved in one transaction."""
        jobs, self._to_save = self._to_save, []
        if not jobs:
            return
        if self._saver is None:
            self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nqpf-live-save")
        self._saving = True
        answers = [p.answer for _, _, _, pending in jobs for p in pending]
        future = asyncio.get_running_loop().run_in_executor(self._saver, self._save_in_thread, jobs[0][0].store, answers)

        def done(f: asyncio.Future) -> None:
            self._saving = False
            for job in jobs:
                self._saved(f, *job)
            self._save_next()

        future.add_done_callback(done)

    def _save_in_thread(self, store: Any, answers: list) -> None:
        if self._save_store is None:
            from nqpf_tutor.core.store import Store

            self._save_store = Store.open(store.path, store.profile)
        save_answers(self._save_store, answers)

    def _close_save_store(self) -> None:
        if self._save_store is not None:
            self._save_store.close()
            self._save_store = None

    def _saved(self, future: asyncio.Future, game: LiveGame, batch: list, results: list,
               pending: list[Pending]) -> None:
        error = future.exception()
        if error is not None:
            if not isinstance(error, NqpfError):
                log.error("live answers not saved", exc_info=error)
            game.release(pending, results, error)
            self.on_error(f"answers not saved: {error}")
            for p in pending:
                result = results[p.slot]
                self._send(batch[p.slot][0], {"type": "error", "reason": result.reason, "message": str(result)})
            return
        game.commit(pending, results)
        self._acked(game, batch, results, pending)

    def _acked(self, game: LiveGame, batch: list, results: list, pending: list[Pending]) -> None:
        now = time.perf_counter()
        for p in pending:
            conn = batch[p.slot][0]
            self._send(conn, results[p.slot].message())
            self.ack_times.append(now - batch[p.slot][-1])
            if game is self.game and game.phase != "question" and p.index == game.index and conn.player is not None:
                self._send(conn, game.state_message(conn.player))  # saved just after the close
        if game is self.game:  # the acks go out first, then (everyone has answered) the reveal
            asyncio.get_running_loop().call_soon(self._close_if_done, game)

    def _close_if_done(self, game: LiveGame) -> None:
        if game is not self.game:
            return
        try:
            game.close_if_all_answered()
        except NqpfError as e:
            self.on_error(str(e))
