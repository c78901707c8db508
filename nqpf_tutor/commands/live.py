"""``nqpf-tutor live [--deck ...] [--tag ...] [-n N] [--seconds S] [--seed S] [--speed-bonus]
[--streaks] [--no-leaderboard] [--bind ADDR] [--port P] [--class NAME]``: the app, straight into a
live game (``--class``: kept with the results, for ``nqpf-tutor report --class``).

Checked before the terminal is taken over, each problem one line: the numbers, the address
and port (can a server listen there?), whether the chosen cards give any question.
"""

from __future__ import annotations

from nqpf_tutor.errors import NqpfError


def live_options(args) -> dict:
    """The options the app's live screen reads (``app.live_options``)."""
    return {
        "n": args.n, "seconds": args.seconds, "seed": args.seed,
        "speed_bonus": bool(args.speed_bonus), "streaks": bool(args.streaks),
        "leaderboard": not args.no_leaderboard, "bind": args.bind, "port": args.port,
        "class_name": getattr(args, "class_name", None),
    }


def run(args, loc) -> int:
    from nqpf_tutor.commands.app import launch
    from nqpf_tutor.core.classroom.live import live_config
    from nqpf_tutor.core.drill import build_questions
    from nqpf_tutor.core.loader import load_catalog, select_cards
    from nqpf_tutor.live.net import DEFAULT_PORT, check_bind, lan_address, port_free

    options = live_options(args)
    config = live_config(n=options["n"], seconds=options["seconds"], seed=options["seed"],
                         class_name=options["class_name"])  # one line if bad (numbers, --class)
    options["class_name"] = config.class_name  # spaces collapsed, None for blank
    if options["bind"] is not None:
        try:
            options["bind"] = check_bind(options["bind"])
        except ValueError as e:
            raise NqpfError(str(e)) from None
    port = options["port"]
    if port is not None:
        if not 1 <= port <= 65535:
            raise NqpfError(f"--port {port}: give a port from 1 to 65535 (default {DEFAULT_PORT})")
        host = options["bind"] or lan_address()
        if not port_free(host, port):
            raise NqpfError(f"--port {port}: cannot listen on {host}:{port} (in use, or not this machine's "
                            "address); try another --port")
    elif options["bind"] is not None and not port_free(options["bind"], 0):
        raise NqpfError(f"--bind {options['bind']}: not an address of this machine")
    catalog = load_catalog(loc)
    cards = select_cards(catalog, list(args.deck or []), list(args.tag or []))
    if not cards:
        raise NqpfError("no cards in the chosen decks and tags")
    build_questions(cards, config.n, 0)  # no multiple-choice or true/false question: one line now
    return launch(args, loc, "live", live_options=options)
