"""Differential fuzzing: hypothesis draws arguments across the whole space, valid and invalid,
and each draw must either raise in both libraries with the same exception class, or succeed in
both with results within tolerance.  Families register strategies in ``tests/fuzz/families.py``;
``tests/fuzz/run.py`` runs one family in a subprocess so a crash is recorded, not fatal."""
