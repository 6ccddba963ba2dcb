"""Resolving the names users type (``parler``, ``Amazon Web Services``, ``aws``) to entities.

A name matches an entity's identifier or its name (label), ignoring case and surrounding space. An
unknown name raises :class:`~kg.errors.UnknownNameError` with the closest matches; a name shared by
several entities raises :class:`~kg.errors.InputError` listing their identifiers.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

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

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._entities = {}
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self._display: dict[str, str] = {}
        for entity in entities:
            self._entities[entity.identifier] = entity
            for name in (entity.identifier, entity.name):
                self._by_key[_key(name)].add(entity.identifier)
                self._display.setdefault(_key(name), name)

    def resolve(self, name: str) -> Entity:
        """Return the entity called ``name`` (identifier first, then name)."""
        key = _key(name)
        if key in self._entities:
            return self._entities[key]
        matches = sorted(self._by_key.get(key, ()))
        if len(matches) == 1:
            return self._entities[matches[0]]
        if matches:
            raise InputError(f"{name!r} names several entities: {', '.join(matches)}; use an identifier")
        close = difflib.get_close_matches(key, list(self._display), n=3, cutoff=0.6)
        raise UnknownNameError("entity", name, [self._display[c] for c in close])

    def __contains__(self, name: str) -> bool:
        key = _key(name)
        return key in self._entities or key in self._by_key
