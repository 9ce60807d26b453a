"""The experiments layer: running the model many times and writing what came out.

Seeding (:mod:`.seeding`), where runs execute (:mod:`.executors`), the many-runs type and the
one function that produces it (:mod:`.runs`), results folders (:mod:`.folders`), statistics
(:mod:`.stats`), plots (:mod:`.plots`), and the ``run`` and ``compare`` outputs
(:mod:`.scenario_run`, :mod:`.comparison`). It reaches the model only through ``sim.api``,
``sim.config``, ``sim.schema`` and ``sim.outcomes`` (docs/architecture.md). Nothing is
imported here, so that importing one light module (e.g. the folders' error type) stays cheap.
"""
