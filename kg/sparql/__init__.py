"""SPARQL: the shipped queries, the local server, remote endpoints and uploads.

* :mod:`kg.sparql.queries`: the query library (``queries/*.rq``) run with bound parameters;
* :mod:`kg.sparql.scan`: a SPARQL text read as Oxigraph's parser reads it (``SERVICE``, updates);
* :mod:`kg.sparql.server` and :mod:`kg.sparql.front`: ``kg serve``, Oxigraph behind a checking front;
* :mod:`kg.sparql.client`: a remote SPARQL 1.1 endpoint, queried and checked;
* :mod:`kg.sparql.push`: the ontology and the data uploaded into a named graph.

What it may import: everything below the views, and the views' text tables; never measurement or the
command line.
"""
