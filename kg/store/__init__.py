"""The persistent store: data loaded once, then every command answers from it.

A store is a folder holding the RDF (an on-disk pyoxigraph store, for SPARQL) and the column tables
the analysis reads (:mod:`kg.store.tables`), built together from the same input in one pass and
published atomically (:mod:`kg.store.build`). Stores are keyed by the content of their inputs, so
loading unchanged files again costs nothing (:mod:`kg.store.keys`). :class:`~kg.store.dataset.Dataset`
is the one loading interface every command goes through.

This package may import the library's data modules (``csvdata``, ``namespace``, ``vocabulary``,
``facts``, ``errors``) but nothing from analysis or output.
"""
