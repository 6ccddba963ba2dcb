"""pdkg: the Platform Dependency Knowledge Graph.

Who depends on whom among online platforms and infrastructure providers, as dated and sourced RDF facts.
Data flows one way: files -> :func:`kg.store.dataset.open_dataset` (a persistent store: RDF for SPARQL
and column tables) -> :class:`~kg.facts.Facts` or arrays (:mod:`kg.arraygraph`) -> results -> text, JSON
or RDF. The ``kg`` command (:mod:`kg.cli`) is a thin shell over these functions.
"""


def __getattr__(name: str):
    if name == "__version__":  # looked up lazily: importlib.metadata costs start-up time
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("pdkg")
        except PackageNotFoundError:  # running from a checkout without installing
            return "0.0.0"
    raise AttributeError(name)
