"""Resolving the names users type (``parler``, ``Amazon Web Services``, ``aws``) to entities.

A name matches an entity's identifier or its name (label), ignoring case and surrounding space. An
unknown name raises :class:`~kg.errors.UnknownNameError` with the closest matches; a name shared by
several entities raises :class:`~kg.errors.InputError` listing their identifiers.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping

from kg.errors import InputError, UnknownNameError
from kg.facts import Entity

__all__ = ["NameIndex"]


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


class NameIndex:
    """Case-insensitive lookup of entities by identifier or name.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> index = NameIndex([Entity("aws", URIRef("x"), "Amazon Web Services", ("provider",))])
    >>> index.resolve("amazon web services").identifier
    'aws'
    >>> index.resolve("AWS").identifier
    'aws'
    >>> index.resolve("amazn web services")
    Traceback (most recent call last):
    ...
    kg.errors.UnknownNameError: unknown entity 'amazn web services'; did you mean 'Amazon Web Services'?
    """

    def __init__(self, entities: Iterable[Entity] | Mapping[str, Entity]) -> None:
        if isinstance(entities, Mapping):  # perhaps one that makes its records on demand: keep it
            self._entities = entities
        else:
            self._entities = {entity.identifier: entity for entity in entities}
        self._keys: tuple[dict[str, set[str]], dict[str, str]] | None = None

    def _index(self) -> tuple[dict[str, set[str]], dict[str, str]]:
        """Names and identifiers by lookup key (built on the first lookup that is not an identifier)."""
        if self._keys is None:
            by_key: dict[str, set[str]] = defaultdict(set)
            display: dict[str, str] = {}
            labels = getattr(self._entities, "labels", None)
            pairs = labels() if labels else [(i, e.name) for i, e in self._entities.items()]
            for identifier, label in pairs:
                for name in (identifier, label):
                    by_key[_key(name)].add(identifier)
                    display.setdefault(_key(name), name)
            self._keys = (by_key, display)
        return self._keys

    def resolve(self, name: str) -> Entity:
        """Return the entity called ``name`` (identifier first, then name)."""
        key = _key(name)
        if key in self._entities:
            return self._entities[key]
        by_key, display = self._index()
        matches = sorted(by_key.get(key, ()))
        if len(matches) == 1:
            return self._entities[matches[0]]
        if matches:
            raise InputError(f"{name!r} names several entities: {', '.join(matches)}; use an identifier")
        close = difflib.get_close_matches(key, list(display), n=3, cutoff=0.6)
        raise UnknownNameError("entity", name, [display[c] for c in close])

    def __contains__(self, name: str) -> bool:
        key = _key(name)
        return key in self._entities or key in self._index()[0]
