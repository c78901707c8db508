"""``nqpf-tutor schema``: print the deck JSON Schema."""

from __future__ import annotations

import sys


def run(args, loc) -> int:
    from nqpf_tutor.core.schema import schema_text

    sys.stdout.write(schema_text())
    return 0
