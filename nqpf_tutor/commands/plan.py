"""``nqpf-tutor plan --exam DATE [--deck ID ...] [--tag T ...] [--retention R] [--json] [--set] [--clear]``."""

from __future__ import annotations

import json
import sys

from nqpf_tutor.errors import NqpfError


def _retention(text):
    if text is None:
        return None
    from nqpf_tutor.core.learning.plan import PlanError, check_retention

    try:
        value = float(text)
    except ValueError:
        raise PlanError(f"retention must be a number from 0.7 to 0.99, not {text!r}") from None
    return check_retention(value)


def run(args, loc) -> int:
    from nqpf_tutor.core.learning.plan import format_text, parse_exam_date, plan_for
    from nqpf_tutor.core.learning.profile import load_plan, save_plan
    from nqpf_tutor.core.loader import load_catalog, select_cards
    from nqpf_tutor.core.scheduler import Scheduler, utc_now
    from nqpf_tutor.core.session import sync_catalog
    from nqpf_tutor.core.settings import load_settings
    from nqpf_tutor.core.store import Store
    from nqpf_tutor.core.text import one_line

    if not args.clear and not args.exam:
        raise NqpfError("plan: --exam DATE is required (YYYY-MM-DD), or --clear to remove the plan kept")
    settings = load_settings(loc.settings_path)
    now = utc_now()
    retention = _retention(args.retention)
    exam = parse_exam_date(args.exam, Scheduler(settings).study_day(now)) if args.exam else None
    with Store.open(loc, profile=args.profile or "default") as store:
        if store.notice:
            print(f"nqpf-tutor: {store.notice}", file=sys.stderr)
        if args.clear and exam is None:
            had = load_plan(store) is not None
            save_plan(store, None)
            print("Exam plan removed." if had else "No exam plan was set.")
            return 0
        catalog = load_catalog(loc)
        for warning in catalog.warnings:
            print(f"nqpf-tutor: warning: {one_line(warning)}", file=sys.stderr)
        cards = select_cards(catalog, args.deck, args.tag)
        sync_catalog(store, catalog.all_cards())
        plan = plan_for(store, cards, settings, now, exam, retention, deck_ids=args.deck, tags=args.tag)
        if args.set:
            save_plan(store, plan.spec())
    if args.json:
        out = plan.to_dict()
        out["set"] = bool(args.set)
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(one_line_safe(format_text(plan)))
        if args.set:
            print(f"Exam plan kept: study paces new cards by it until {plan.exam.isoformat()}.")
    return 0


def one_line_safe(text: str) -> str:
    """Each line cleaned of escape codes (deck ids and tags are user text)."""
    from nqpf_tutor.core.text import clean

    return clean(text)
