"""Resolving the names users type (``parler``, ``Amazon Web Services``, ``aws``) to entities.

A name matches an entity's identifier or its name (label), ignoring case, surrounding space and how its
characters are encoded (Unicode NFKC: however an accented letter was typed). An
unknown name raises :class:`~kg.errors.UnknownNameError` with the closest matches; a name shared by
several entities raises :class:`~kg.errors.InputError` listing their identifiers.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

from kg.errors import InputError, UnknownNameError
from kg.model.facts import Entity

__all__ = ["NameIndex", "entity_labels", "lookalike_names"]


def _key(name: str) -> str:
    """The lookup key of a name: Unicode compatibility-normalised (NFKC: a composed ``ä`` and ``a`` with a
    combining diaeresis, or a full-width ``Ａ`` and ``A``, are one), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def entity_labels(entities: Mapping[str, Entity]) -> list[tuple[str, str]]:
    """Every entity's ``(identifier, name)``: from the column tables' own list when ``entities`` makes its
    records on demand (:class:`kg.store.tables.EntityTable`), without making them."""
    labels = getattr(entities, "labels", None)
    return labels() if labels else [(identifier, entity.name) for identifier, entity in entities.items()]


#: Scripts whose letters are mistaken for Latin ones (``а`` Cyrillic, ``ο`` Greek).
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def _mixed_word(name: str) -> str | None:
    """A word of ``name`` that mixes letters of scripts easily mistaken for one another, or ``None``."""
    for word in name.split():
        scripts = set()
        for character in word:
            if character.isalpha():
                script = unicodedata.name(character, "").split(" ", 1)[0]
                if script in _LOOKALIKE_SCRIPTS:
                    scripts.add(script)
        if len(scripts) > 1:
            return word
    return None


def lookalike_names(labels: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The entities whose names could be taken for another's, as ``(identifier, why)``: names that are
    the same once normalised (NFKC, case, spaces) but belong to several entities, and names with a word
    that mixes Latin, Cyrillic or Greek letters (``Pаypal`` with a Cyrillic ``а``).

    >>> for found in lookalike_names([("a", "Tingsr\u00e4tt"), ("b", "Tingsra\u0308tt"), ("c", "P\u0430ypal")]):
    ...     print(found)
    ('a', "its name is the same as b's once normalised")
    ('b', "its name is the same as a's once normalised")
    ('c', "its name mixes Cyrillic and Latin letters in 'Pаypal'")
    """
    by_key: dict[str, list[str]] = defaultdict(list)
    found = []
    for identifier, label in labels:
        by_key[_key(label)].append(identifier)
        word = _mixed_word(label)
        if word is not None:
            scripts = sorted({unicodedata.name(c, "").split(" ", 1)[0] for c in word if c.isalpha()})
            found.append((identifier, f"its name mixes {' and '.join(s.title() for s in scripts)} letters in {word!r}"))
    for identifiers in by_key.values():
        if len(identifiers) > 1:
            for identifier in identifiers:
                others = ", ".join(i for i in identifiers if i != identifier)
                found.append((identifier, f"its name is the same as {others}'s once normalised"))
    return sorted(found)


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
            for identifier, label in entity_labels(self._entities):
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
