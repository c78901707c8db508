"""Start the Textual app (plain ``nqpf-tutor``, ``study``, ``quiz``, ``drill``).

Everything that can fail on bad input (the data dir, the settings file, an unknown deck or tag)
is checked here first, so it is reported as one line before the terminal is taken over.
"""

from __future__ import annotations

import gc
import sys


def _resume_collector() -> None:
    """After the first frame: everything start-up made (modules, decks, the first screen) lives
    as long as the app, so it is kept out of the collector's scans, which then resume."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def launch(args, loc, start: str = "home", **extra) -> int:
    from nqpf_tutor.core.loader import load_catalog, select_cards
    from nqpf_tutor.core.session import sync_catalog
    from nqpf_tutor.core.settings import load_settings
    from nqpf_tutor.core.store import Store

    gc.disable()  # start-up makes many objects and no garbage: no collector passes (issue 17)
    settings = load_settings(loc.settings_path)
    catalog = load_catalog(loc)
    deck_ids = list(getattr(args, "deck", []) or [])
    tags = list(getattr(args, "tag", []) or [])
    if deck_ids or tags:
        select_cards(catalog, deck_ids, tags)  # unknown deck or tag: one line, before the app starts
    n = getattr(args, "n", None)
    if n is not None and n < 1:
        from nqpf_tutor.errors import NqpfError

        raise NqpfError("-n must be at least 1")
    with Store.open(loc, profile=args.profile or "default") as store:
        sync_catalog(store, catalog.all_cards())
        from nqpf_tutor.ui.app import Choice, TutorApp

        choice = Choice(deck_ids=deck_ids, tags=tags, n=n or 10, seed=getattr(args, "seed", None),
                        schedule_quiz=bool(getattr(args, "schedule", False)))
        app = TutorApp(loc=loc, store=store, settings=settings, catalog=catalog, start=start, choice=choice,
                       first_frame=_resume_collector, **extra)
        try:
            app.run()
        finally:
            _resume_collector()  # (the app ended before its first frame)
        if store.writes.pending:  # the app ended with writes kept: one last (short) try
            store.writes.flush()
        unsaved = app.unsaved_line()
        if getattr(app, "journal", None) is not None:
            app.journal.close()  # what still waits stays on disk: the next start saves it
    if store.notice:
        print(f"nqpf-tutor: {store.notice}", file=sys.stderr)
    if unsaved:
        print(f"nqpf-tutor: {unsaved}", file=sys.stderr)
        return 1
    if app.quit_unsaved:  # quit with writes waiting, all saved by the last try
        return 0
    return app.return_code or 0


def run(args, loc) -> int:
    return launch(args, loc, "home")
