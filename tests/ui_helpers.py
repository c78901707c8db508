"""Build the app on the test decks with a fixed clock, for Pilot and snapshot tests."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

from nqpf_tutor.core.loader import load_catalog
from nqpf_tutor.core.session import sync_catalog
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store
from nqpf_tutor.locations import Locations

FIXTURE_DECKS = Path(__file__).parent / "fixtures" / "decks"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def utc_local_time() -> None:
    """Dates on screen are in local time: make it UTC so snapshots agree everywhere."""
    os.environ["TZ"] = "UTC"
    if hasattr(time, "tzset"):
        time.tzset()


def make_app(tmp_path: Path, *, start: str = "home", decks: Path | None = FIXTURE_DECKS, choice=None,
             clock: Clock | None = None, show_welcome: bool = False, extra_decks: list[Path] | None = None, **kw):
    from nqpf_tutor.ui.app import TutorApp

    utc_local_time()
    env = {"NQPF_TUTOR_BUNDLED_DIR": str(decks) if decks else ""}
    loc = Locations.resolve(data_dir=tmp_path / "data", decks_dirs=[str(p) for p in extra_decks or []], environ=env)
    store = Store.open(loc, profile="default")
    catalog = load_catalog(loc)
    sync_catalog(store, catalog.all_cards())
    settings = Settings(timezone="UTC")
    app = TutorApp(loc=loc, store=store, settings=settings, catalog=catalog, start=start, choice=choice,
                   clock=clock or Clock(), show_welcome=show_welcome, cursor_blink=False, **kw)
    return app


async def settle_counts(pilot) -> None:
    """Wait for the home screen's counts (made in a worker thread) to be on screen."""
    for _ in range(5):
        busy = [w for w in pilot.app.workers if w.group == "home-counts" and not w.is_finished]
        if not busy:
            return
        await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()
