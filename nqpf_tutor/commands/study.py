"""``nqpf-tutor study [--deck ID ...] [--tag T ...]``: the app, straight into study."""

from __future__ import annotations


def run(args, loc) -> int:
    from nqpf_tutor.commands.app import launch

    return launch(args, loc, "study")
