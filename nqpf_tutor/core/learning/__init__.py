"""Learning: what to study and when (new modules; scheduler, session, store and stats move here later)."""
