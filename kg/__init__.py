"""pdkg: the Platform Dependency Knowledge Graph.

Who depends on whom among online platforms and infrastructure providers, as dated and sourced RDF facts.
Data flows one way: files -> :func:`kg.loading.load` (an rdflib graph) -> :func:`kg.facts.read_facts`
(plain records) -> results -> text, JSON or RDF. The ``kg`` command (:mod:`kg.cli`) is a thin shell over
these functions.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pdkg")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"
