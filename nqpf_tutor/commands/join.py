"""``nqpf-tutor join ADDRESS [--code CODE] [--name NAME]``: play a live game from a terminal
(a computer lab). Plain text: the question and its numbered options are printed, you type the
number and enter. Reconnects by itself (same game, same score) if the connection drops.

Everything the server sends is printed as data: escape codes and control characters removed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import Any, Callable, TextIO
from urllib.parse import parse_qs, urlsplit

from nqpf_tutor.core.text import clean, one_line
from nqpf_tutor.errors import NqpfError

RETRY_MAX = 5.0


def parse_address(address: str) -> tuple[str, str | None]:
    """(the WebSocket URL, the code in the address if any) from what the teacher's screen shows:
    ``192.168.1.20:8765``, ``http://192.168.1.20:8765/`` or the QR code's ``...?code=123456``."""
    text = (address or "").strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or parts.scheme not in ("http", "https") or any(c.isspace() for c in host):
        raise NqpfError(f"join {address!r}: give the address on the teacher's screen, like 192.168.1.20:8765")
    code = (parse_qs(parts.query).get("code") or [None])[0]
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{netloc}/ws", code


def _pts(x: Any) -> str:
    n = _num(x)
    return f"{n} point" + ("" if n == "1" else "s")


def _num(x: Any) -> str:
    try:
        x = round(float(x), 2)
    except (TypeError, ValueError):
        return "0"
    return str(int(x)) if x.is_integer() else f"{x:g}"


class TerminalPlayer:
    """The client's state: what the last message asked for, and what a typed line means."""

    def __init__(self, code: str | None, name: str | None, out: TextIO = sys.stdout) -> None:
        self.code = code
        self.name = name
        self.out = out
        self.token: str | None = None
        self.question: dict[str, Any] | None = None
        self.answered_q = 0
        self.asking = ""  # "code", "name", "answer" or ""
        self.done = False
        self.last_wait = ""
        self.send: Callable[[dict[str, Any]], None] = lambda msg: None

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def prompt(self) -> None:
        if self.asking == "code":
            self.say("Game code:")
        elif self.asking == "name":
            self.say("Nickname:")

    def start(self) -> None:
        """Just connected: resume, or join (asking for what is missing)."""
        if self.token:
            self.send({"type": "resume", "token": self.token})
        else:
            self.try_join()

    def try_join(self) -> None:
        if not self.code:
            self.asking = "code"
        elif not self.name:
            self.asking = "name"
        else:
            self.asking = ""
            self.send({"type": "join", "code": self.code, "name": self.name})
            return
        self.prompt()

    def line(self, text: str) -> None:
        """A line typed by the student."""
        text = text.strip()
        if self.asking == "code":
            self.code = text or None
            self.try_join()
        elif self.asking == "name":
            self.name = text or None
            self.try_join()
        elif self.asking == "answer" and self.question is not None:
            q = self.question
            n = len(q["options"])
            choice = None
            if text.isdigit() and 1 <= int(text) <= n:
                choice = int(text) - 1
            elif q.get("truefalse") and text.lower() in ("t", "f", "true", "false"):
                choice = 0 if text.lower().startswith("t") else 1
            if choice is None:
                self.say(f"Type a number from 1 to {n} and press enter.")
                return
            self.asking = ""
            self.answered_q = q["q"]
            self.send({"type": "answer", "q": q["q"], "choice": choice})

    def message(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "welcome":
            self.token = msg.get("token")
            self.say(f"Joined as {one_line(msg.get('name', ''))}.")
        elif kind == "lobby":
            self.question = None
            if msg.get("late"):
                self.say("A question is under way: you play from the next one.")
            else:
                what = "the next question" if msg.get("started") else "the teacher to start"
                n = msg.get("players", 0)
                text = f"Waiting for {what}… ({n} player{'' if n == 1 else 's'})"
                if text != self.last_wait:  # the roster's updates: said once each
                    self.say(text)
                    self.last_wait = text
        elif kind == "question":
            self.last_wait = ""
            self.show_question(msg)
        elif kind == "ack":
            self.say(f"Answer locked: {int(msg.get('choice', 0)) + 1}. Wait for the reveal.")
        elif kind == "pause":
            self.say("Paused by the teacher." if msg.get("paused") else "Going on.")
        elif kind == "reveal":
            self.show_reveal(msg)
        elif kind == "end":
            self.asking = ""
            you = msg.get("you") or {}
            self.say(f"Game over. {_pts(you.get('points'))}, {you.get('right', 0)} of "
                     f"{you.get('answered', 0)} right" + (f", rank {you['rank']} of {you.get('players')}."
                                                          if you.get("rank") else "."))
            for p in msg.get("podium") or []:
                self.say(f"  {p.get('rank')}. {one_line(p.get('name', ''))}  {_num(p.get('points'))}")
        elif kind == "removed":
            self.say("The teacher removed you from the game.")
            self.done = True
        elif kind == "error":
            reason = msg.get("reason")
            self.say(f"! {one_line(msg.get('message', ''))}")
            if reason in ("bad_code", "rate_limited"):
                self.code = None if reason == "bad_code" else self.code
                self.try_join()
            elif reason in ("name_taken", "bad_name"):
                self.name = None
                self.try_join()
            elif reason in ("unknown_token",):
                self.token = None
                self.try_join()
            elif reason == "removed" or reason == "ended":
                self.done = True
            elif reason in ("not_saved", "paused") and self.question is not None:
                self.asking = "answer"

    def show_question(self, msg: dict[str, Any]) -> None:
        self.question = msg
        self.say()
        left = msg.get("remaining")
        timer = f"  ({_num(left)} s)" if left is not None else ""
        self.say(f"Question {msg.get('q')} of {msg.get('total')}{timer}")
        self.say(clean(msg.get("prompt", "")))
        for i, opt in enumerate(msg.get("options") or []):
            self.say(f"  {i + 1}. {one_line(opt)}")
        if isinstance(msg.get("locked"), int):
            self.asking = ""
            self.say(f"Answer locked: {msg['locked'] + 1}.")
            return
        self.asking = "answer"
        self.say(f"Your answer (1-{len(msg.get('options') or [])}):")

    def show_reveal(self, msg: dict[str, Any]) -> None:
        self.asking = ""
        self.question = None
        mine = msg.get("answer_of_yours") or {}
        if not mine.get("asked"):
            verdict = "You joined after this question."
        elif mine.get("correct"):
            verdict = f"Right! +{_pts(mine.get('points'))}"
        elif mine.get("timed_out"):
            verdict = "Time's up: +0"
        else:
            verdict = "Wrong: +0"
        self.say(verdict)
        self.say(f"Answer: {int(msg.get('correct', 0)) + 1}. {one_line(msg.get('answer', ''))}")
        if msg.get("explanation"):
            self.say(clean(msg["explanation"]))
        you = msg.get("you") or {}
        rank = f", rank {you['rank']} of {you.get('players')}" if you.get("rank") else ""
        self.say(f"Total {_pts(you.get('points'))}{rank}.")


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
    try:
        for text in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, text)
    except (OSError, ValueError, RuntimeError):  # no usable input, or the loop has closed
        pass
    try:
        loop.call_soon_threadsafe(queue.put_nowait, None)
    except RuntimeError:
        pass


async def play(url: str, player: TerminalPlayer, lines: asyncio.Queue) -> int:
    import aiohttp

    retry = 0.5
    ever = False
    async with aiohttp.ClientSession() as session:
        while not player.done:
            try:
                async with session.ws_connect(url, heartbeat=20) as ws:
                    ever, retry = True, 0.5
                    player.send = lambda msg: asyncio.ensure_future(ws.send_str(json.dumps(msg)))
                    player.start()
                    reader = asyncio.ensure_future(ws.receive())
                    typed = asyncio.ensure_future(lines.get())
                    while not player.done:
                        done, _ = await asyncio.wait({reader, typed}, return_when=asyncio.FIRST_COMPLETED)
                        if typed in done:
                            text = typed.result()
                            if text is None:
                                reader.cancel()
                                return 0
                            player.line(text)
                            typed = asyncio.ensure_future(lines.get())
                        if reader in done:
                            msg = reader.result()
                            if msg.type != aiohttp.WSMsgType.TEXT:
                                break
                            try:
                                data = json.loads(msg.data)
                            except ValueError:
                                data = None
                            if isinstance(data, dict):
                                player.message(data)
                            reader = asyncio.ensure_future(ws.receive())
                    reader.cancel()
                    typed.cancel()
            except aiohttp.ClientError as e:
                if not ever:
                    page = url.replace("ws://", "http://").replace("wss://", "https://")[: -len("ws")]
                    reason = getattr(getattr(e, "os_error", None), "strerror", None) or str(e)
                    raise NqpfError(f"cannot reach the game at {page}: {reason} (is the address right, "
                                    "and this computer on the same network?)") from None
            if player.done:
                break
            player.say("Connection lost: reconnecting…")
            await asyncio.sleep(retry)
            retry = min(retry * 2, RETRY_MAX)
    return 0


def run(args, loc) -> int:
    url, code = parse_address(args.address)
    player = TerminalPlayer(args.code or code, args.name)
    player.say(f"Joining {url.replace('/ws', '/').replace('ws://', 'http://')} (ctrl+c or ctrl+d leaves)")

    async def main() -> int:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue = asyncio.Queue()
        threading.Thread(target=_stdin_lines, args=(loop, lines), daemon=True).start()
        return await play(url, player, lines)

    return asyncio.run(main())
