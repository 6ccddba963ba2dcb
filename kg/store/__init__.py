"""The persistent store: data loaded once, then every command answers from it.

A store is a folder holding the RDF (an on-disk pyoxigraph store, for SPARQL) and the column tables the
analysis reads, built together from the same input in one pass and published atomically. Stores are keyed
by the content of their inputs, so loading unchanged files again costs nothing.

* :mod:`kg.store.dataset`: :class:`~kg.store.dataset.Dataset`, the one loading interface every question
  goes through (:func:`~kg.store.dataset.open_dataset`);
* :mod:`kg.store.build` and :mod:`kg.store.keys`: a store built, published and found by content;
* :mod:`kg.store.tables`, :mod:`kg.store.encodings` and :mod:`kg.store.tablebuilder`: the column tables,
  how their values are encoded, and how they are built from records;
* :mod:`kg.store.extract`: records read back from RDF with SPARQL, the fast reader beside
  :func:`kg.model.facts.read_facts` (``tests/test_store.py`` holds the two to the same records);
* :mod:`kg.store.factsjson`: facts kept as JSON beside small stores;
* :mod:`kg.store.remote`: the part of a remote SPARQL endpoint's graph a question needs, as a dataset;
* :mod:`kg.store.importing`: ``kg import``, files converted and validated into one RDF file.

What it may import: :mod:`kg.errors`, the model, the input layer and validation; never the analysis, the
views, the SPARQL layer or the command line.
"""
