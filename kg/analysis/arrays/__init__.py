"""The fast engine: the analysis on numpy arrays, for data past a few thousand actors.

* :mod:`kg.analysis.arrays.graph`: :class:`~kg.analysis.arrays.graph.ArrayGraph`, the dependencies as
  arrays (pairs with :mod:`kg.analysis.graph`);
* :mod:`kg.analysis.arrays.cascade`: provider-exit cascades and the criticality table as joins and
  group-bys (pairs with :mod:`kg.analysis.impact` and :mod:`kg.analysis.criticality`);
* :mod:`kg.analysis.arrays.focus`: only the part of a big graph a question can touch, built for the
  reference engine.

What it may import: the same as :mod:`kg.analysis`, and the reference modules it pairs with.
"""
