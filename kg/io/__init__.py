"""Files in and out: the CSV interchange format, web measurements, RDF files, and outputs written whole.

* :mod:`kg.io.csvfiles` and :mod:`kg.io.csvdata`: the CSV interchange format (``data/README.md``) read,
  checked and converted to RDF;
* :mod:`kg.io.webdep`: web-dependency measurement folders converted to RDF;
* :mod:`kg.io.ntriples`: N-Triples lines written as the converters read;
* :mod:`kg.io.inputsafety`: limits that keep hostile input from exhausting memory or time;
* :mod:`kg.io.loading`: any mix of RDF and CSV files into an rdflib graph;
* :mod:`kg.io.queryrows`: the rows of a SPARQL SELECT on a pyoxigraph store, read fast;
* :mod:`kg.io.export`: deterministic Turtle, N-Triples, JSON-LD and RDF/XML;
* :mod:`kg.io.outputs`: output files written whole or not at all;
* :mod:`kg.io.template`: the starter CSV folder of ``kg import --template``;
* :mod:`kg.io.description`: the dataset's VoID and DCAT description.

What it may import: :mod:`kg.errors`, the model (:mod:`kg.model`) and itself.
"""
