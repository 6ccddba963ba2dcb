"""pdkg: the Platform Dependency Knowledge Graph.

Who depends on whom among online platforms and infrastructure providers, as dated and sourced RDF facts.
Data flows one way: files (:mod:`kg.io`) -> a persistent store (:mod:`kg.store`: RDF for SPARQL and column
tables) -> :class:`~kg.model.facts.Facts` or arrays -> the analysis (:mod:`kg.analysis`) -> results -> text,
JSON, HTML or RDF (:mod:`kg.views`). The ``kg`` command (:mod:`kg.cli`) is a thin shell over these functions.
"""

from kg.oldpaths import install as _install_old_paths

_install_old_paths()


def __getattr__(name: str):
    if name == "__version__":  # looked up lazily: importlib.metadata costs start-up time
        from kg.model.resources import package_version

        return package_version()
    raise AttributeError(name)
