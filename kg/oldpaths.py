"""The module paths of the flat layout (``kg.loading``, ``kg.impact``, ...) still import, for one release.

Each old path is the new module itself (``kg.loading is kg.io.loading``), imported with a
:class:`DeprecationWarning` that names where it lives now. :mod:`kg` installs the finder on import.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import warnings

__all__ = ["MOVED", "OldPaths"]

#: Old module path -> new module path.
MOVED = {
    "kg.alternatives": "kg.analysis.alternatives",
    "kg.arraygraph": "kg.analysis.arrays.graph",
    "kg.cascade": "kg.analysis.arrays.cascade",
    "kg.countries": "kg.model.countries",
    "kg.criticality": "kg.analysis.criticality",
    "kg.csvdata": "kg.io.csvdata",
    "kg.csvfiles": "kg.io.csvfiles",
    "kg.depgraph": "kg.analysis.graph",
    "kg.description": "kg.io.description",
    "kg.endpoint": "kg.sparql.server",
    "kg.export": "kg.io.export",
    "kg.facts": "kg.model.facts",
    "kg.faulttree": "kg.analysis.faulttree",
    "kg.focus": "kg.analysis.arrays.focus",
    "kg.formatting": "kg.views.text",
    "kg.impact": "kg.analysis.impact",
    "kg.importing": "kg.store.importing",
    "kg.inputsafety": "kg.io.inputsafety",
    "kg.jsonout": "kg.views.jsondoc",
    "kg.loading": "kg.io.loading",
    "kg.names": "kg.model.names",
    "kg.namespace": "kg.model.namespace",
    "kg.ntriples": "kg.io.ntriples",
    "kg.outputs": "kg.io.outputs",
    "kg.overview": "kg.views.overview",
    "kg.profile": "kg.model.profile",
    "kg.progress": "kg.model.progress",
    "kg.push": "kg.sparql.push",
    "kg.queries": "kg.sparql.queries",
    "kg.render": "kg.views.html",
    "kg.replay": "kg.analysis.replay",
    "kg.resources": "kg.model.resources",
    "kg.scenario": "kg.analysis.scenario",
    "kg.serverfront": "kg.sparql.front",
    "kg.shaclsparql": "kg.validation.sparql",
    "kg.sharedsets": "kg.analysis.sharedsets",
    "kg.snapshot": "kg.views.snapshot",
    "kg.sparqlclient": "kg.sparql.client",
    "kg.sparqlscan": "kg.sparql.scan",
    "kg.stats": "kg.model.stats",
    "kg.status": "kg.analysis.status",
    "kg.story": "kg.views.story",
    "kg.template": "kg.io.template",
    "kg.viewpoint": "kg.analysis.viewpoint",
    "kg.vocabulary": "kg.model.vocabulary",
    "kg.webdep": "kg.io.webdep",
}


class OldPaths:
    """Finds an old module path and hands back the module that lives at the new one (a meta-path finder and
    loader by the import protocol; importlib.abc is not imported for it, since it costs every command
    start-up tens of milliseconds)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} is now {new}; the old path goes in the next release", DeprecationWarning, 2)
        module = importlib.import_module(new)
        spec.loader_state = module.__spec__  # the import system sets the old path's spec on the module
        return module

    def exec_module(self, module) -> None:
        """The module ran when it was imported at its new path; only its own spec is put back."""
        module.__spec__ = module.__spec__.loader_state


def install() -> None:
    """Put the finder on :data:`sys.meta_path` once, behind the regular finders."""
    if not any(isinstance(finder, OldPaths) for finder in sys.meta_path):
        sys.meta_path.append(OldPaths())
