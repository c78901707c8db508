"""Learning over time: what is due, counts and figures over a learner's progress, exam plans,
FSRS parameters fitted to a learner, scheduler simulations.

``fsrs_model`` holds the FSRS-6 formulas (as py-fsrs computes them) over numpy arrays, for the
plan and the simulation, where calling py-fsrs per card and day would be too slow.

``custom`` is Anki's custom study (more new cards today, forgotten cards, study ahead, a selection).
"""
