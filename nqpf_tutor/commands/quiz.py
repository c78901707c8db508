"""``nqpf-tutor quiz [--deck ...] [--tag ...] [-n N] [--seed S] [--schedule]``: the app, straight into a quiz."""

from __future__ import annotations


def run(args, loc) -> int:
    from nqpf_tutor.commands.app import launch

    return launch(args, loc, "quiz")
