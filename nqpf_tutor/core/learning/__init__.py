"""Learning: what is due, counts and figures over a learner's progress (see DESIGN.md)."""
