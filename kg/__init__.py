"""pdkg: the Platform Dependency Knowledge Graph.

Who depends on whom among online platforms and infrastructure providers, as dated and sourced RDF facts.
Data flows one way: files (:mod:`kg.io`) -> a persistent store (:mod:`kg.store`: RDF for SPARQL and column
tables) -> :class:`~kg.model.facts.Facts` or arrays -> the analysis (:mod:`kg.analysis`) -> results -> text,
JSON, HTML or RDF (:mod:`kg.views`). One function per question is the front door (:mod:`kg.api`, also as
``kg.<question>``); the ``kg`` command (:mod:`kg.cli`) is a thin shell over it.

>>> import kg
>>> kg.spof("parler", at="2021-01-07").points.offline
['aws']
"""

from kg.oldpaths import install as _install_old_paths

_install_old_paths()


def __getattr__(name: str):
    """The library's front door (:mod:`kg.api`) as ``kg.<question>``, imported on first use; and
    ``__version__``."""
    if name == "__version__":  # looked up lazily: importlib.metadata costs start-up time
        from kg.model.resources import package_version

        return package_version()
    if not name.startswith("_") and name != "api":  # kg.api itself is a submodule, imported as one
        import importlib

        api = importlib.import_module("kg.api")
        if name in api.__all__:
            return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
