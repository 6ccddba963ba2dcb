"""The model: what the knowledge graph says, as Python values, and the rules every layer shares.

* :mod:`kg.model.namespace`: every ontology term, declared once (a test checks them against the ontology);
* :mod:`kg.model.vocabulary`: the services, entity kinds and event effects, read from the ontology;
* :mod:`kg.model.facts`: :class:`~kg.model.facts.Facts` (actors, dependencies, events, observations,
  sources) read from an RDF graph: the reference reader (:mod:`kg.store.extract` is the fast one);
* :mod:`kg.model.names`: finding an entity by name or identifier; look-alike names;
* :mod:`kg.model.profile` and :mod:`kg.model.stats`: one entity's profile; counts over the facts;
* :mod:`kg.model.countries`: ISO 3166 country codes;
* :mod:`kg.model.text`: characters a terminal acts on, and text made safe to show;
* :mod:`kg.model.progress`: the progress callback library functions report through;
* :mod:`kg.model.resources`: where the ontology, shapes, queries and bundled data are.

What it may import: :mod:`kg.errors` and itself. Every other layer builds on it.
"""
