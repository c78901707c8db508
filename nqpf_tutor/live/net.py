"""Which address to listen on and to show: the machine's LAN address, found without traffic."""

from __future__ import annotations

import ipaddress
import socket

DEFAULT_PORT = 8765
#: Ports tried after the default one when it is taken (only when no --port was given).
PORT_TRIES = 20
LOOPBACK = "127.0.0.1"
ALL = ("0.0.0.0", "::")


def lan_address() -> str:
    """This machine's address on the local network, or 127.0.0.1 when it has none.

    A UDP socket "connected" to a private address makes the system choose the outgoing
    interface; no packet is sent (UDP connect only sets the default destination).
    """
    for probe in ("10.254.254.254", "192.168.254.254", "172.31.254.254"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.connect((probe, 9))
            addr = s.getsockname()[0]
        except OSError:
            continue
        finally:
            s.close()
        if addr and not addr.startswith(("127.", "0.")):
            return addr
    return LOOPBACK


def check_bind(value: str) -> str:
    """``--bind ADDR``: an IP address (or ``localhost``); ``ValueError`` with a one-line reason."""
    v = (value or "").strip()
    if v == "localhost":
        return LOOPBACK
    try:
        ipaddress.ip_address(v)
    except ValueError:
        raise ValueError(f"--bind {value!r}: give an IP address such as 127.0.0.1, 192.168.1.20 or 0.0.0.0") from None
    return v


def shown_address(bind: str) -> str:
    """The address students type: the LAN address when listening on every interface."""
    if bind in ALL:
        return lan_address()
    return bind


def url_for(host: str, port: int) -> str:
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def port_free(host: str, port: int) -> bool:
    """Can a server listen on ``host:port`` now? (A bind and close; nothing is sent.)"""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()
