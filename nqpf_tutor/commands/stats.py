"""``nqpf-tutor stats [--json]``: review figures for a profile."""

from __future__ import annotations

import sys

from nqpf_tutor.core.text import clean, json_text

from nqpf_tutor.errors import NqpfError


def _load_cards(loc):
    try:
        from nqpf_tutor.core.loader import load_catalog
    except ImportError:
        raise NqpfError("cannot load decks: the deck loader is not available in this build") from None
    catalog = load_catalog(loc)
    for warning in getattr(catalog, "warnings", []):
        print(f"nqpf-tutor: warning: {warning}", file=sys.stderr)
    return catalog.all_cards()


def _defaults():
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return DEFAULT_PARAMETERS


def run(args, loc) -> int:
    from nqpf_tutor.core.session import sync_catalog
    from nqpf_tutor.core.settings import load_settings
    from nqpf_tutor.core.stats import compute_stats, format_text
    from nqpf_tutor.core.store import Store

    with Store.open(loc, profile=args.profile or "default") as store:
        if store.notice:
            print(f"nqpf-tutor: {store.notice}", file=sys.stderr)
        settings = load_settings(loc.settings_path)
        cards = _load_cards(loc)
        sync_catalog(store, cards)
        from nqpf_tutor.core.learning.custom import extra_new_today
        from nqpf_tutor.core.scheduler import Scheduler, utc_now

        extra = extra_new_today(loc.custom_study_path, store.profile, Scheduler(settings).study_day(utc_now()))
        stats = compute_stats(store, cards, settings, extra_new=extra)
        from nqpf_tutor.core.learning.profile import fitted_record, parameters_line

        record = fitted_record(store)
        stats["fsrs_parameters"] = {"fitted": record is not None, **(record or {"parameters": list(_defaults())})}
        params_line = parameters_line(store)
    if args.json:
        print(json_text(stats))
    else:
        print(clean(format_text(stats)))
        print(clean(params_line))
    return 0
