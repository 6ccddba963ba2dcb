"""Sets of providers that share their tails, and counting membership over many of them at once.

What takes an actor offline is its provider plus what takes that provider offline, and so on down a chain
of providers. Copying those sets is quadratic in the depth of the chain; sharing them is linear. A
:class:`SharedSet` is its own members (``head``) and the set it stands on (``tail``), and the sets of a
whole graph form a forest along their tails.

:class:`Forest` answers, for many sets at once, the two questions the analyses ask: how many of the sets
hold each element (a provider's criticality counts the actors whose set holds it), and whether a given
set holds a given element. Both are array operations over the forest's Euler tour, so neither copies a
set: an element's occurrences that have no occurrence above them in the forest cover disjoint intervals of
the tour, and a set holds the element exactly when its node falls in one of those intervals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EVERY", "Forest", "SharedSet", "intersection", "meet", "split", "union"]


class SharedSet:
    """A set as its own members and a shared tail: the set it stands on.

    Down a chain of providers each set is its provider plus the provider's set, so sharing the tail keeps
    every set in constant space. A member may appear both in a head and further down the tail.

    Examples
    --------
    >>> chain = SharedSet(frozenset({"a"}), SharedSet(frozenset({"b"}), None))
    >>> sorted(chain.members()), chain.depth
    (['a', 'b'], 2)
    """

    __slots__ = ("depth", "head", "tail")

    def __init__(self, head: frozenset, tail: SharedSet | None) -> None:
        self.head = head
        self.tail = tail
        self.depth = 1 + (tail.depth if tail is not None else 0)

    def members(self, stop: SharedSet | None = None) -> set:
        """Every member down to (not including) ``stop``, walked without recursion."""
        found: set = set()
        link: SharedSet | None = self
        while link is not None and link is not stop:
            found |= link.head
            link = link.tail
        return found

    def __eq__(self, other) -> bool:
        return other is self or (isinstance(other, SharedSet) and self.members() == other.members())

    __hash__ = object.__hash__


#: The set of every provider: what has already happened needs no exit at all.
EVERY = object()


def union(left, right):
    """The union of two sets (``None`` is the empty set, :data:`EVERY` the set of everything).

    The deeper set is shared as the tail and the shallower one's members above what the two share are
    copied onto it: the deeper one itself when it holds them all (a set and the set it stands on, down a
    resale chain), so each link of a chain stays constant. The deeper one is walked only as far as the
    shallower one is deep; beyond that, the shallower one is copied whole (finding what they share would
    walk the deeper one: quadratic down a chain).

    Examples
    --------
    >>> sorted(union(SharedSet(frozenset({"a"}), None), SharedSet(frozenset({"b"}), None)).members())
    ['a', 'b']
    >>> tail = SharedSet(frozenset({"b"}), None)
    >>> chain = SharedSet(frozenset({"a"}), tail)
    >>> union(tail, chain) is chain
    True
    """
    if left is EVERY or right is EVERY:
        return EVERY
    if left is None or left is right:
        return right
    if right is None:
        return left
    deep, shallow = (left, right) if left.depth >= right.depth else (right, left)
    if deep.depth - shallow.depth > shallow.depth:
        return SharedSet(frozenset(shallow.members()), deep)
    _, deep_above, shallow_above = split(deep, shallow)
    head = frozenset(shallow_above - deep_above)
    return SharedSet(head, deep) if head else deep


def split(left, right) -> tuple:
    """The deepest tail two sets share, and the members of each above it (each walked once, only down to
    that tail)."""
    if not isinstance(left, SharedSet) or not isinstance(right, SharedSet):
        return (
            None,
            left.members() if isinstance(left, SharedSet) else set(),
            (right.members() if isinstance(right, SharedSet) else set()),
        )
    a: SharedSet | None = left
    b: SharedSet | None = right
    above_left: list[frozenset] = []
    above_right: list[frozenset] = []
    while a is not b and a is not None and b is not None:
        deep_a, deep_b = a.depth, b.depth
        if deep_a >= deep_b:
            above_left.append(a.head)
            a = a.tail
        if deep_b >= deep_a:
            above_right.append(b.head)
            b = b.tail
    return (a if a is b else None), set().union(*above_left), set().union(*above_right)


def meet(common, left_above: set, right_above: set):
    """The intersection of two sets split by :func:`split`: the shared tail and what both hold above it.

    Examples
    --------
    >>> shared = SharedSet(frozenset({"c"}), None)
    >>> left, right = SharedSet(frozenset({"a", "b"}), shared), SharedSet(frozenset({"b"}), shared)
    >>> sorted(meet(*split(left, right)).members())
    ['b', 'c']
    """
    head = frozenset(left_above & right_above)
    return SharedSet(head, common) if head else common


def intersection(left: SharedSet | None, right: SharedSet | None) -> SharedSet | None:
    """The intersection of two sets (``None`` is the empty set): :func:`meet` of :func:`split`.

    Examples
    --------
    >>> shared = SharedSet(frozenset({"c"}), None)
    >>> left, right = SharedSet(frozenset({"a", "b"}), shared), SharedSet(frozenset({"b"}), shared)
    >>> sorted(intersection(left, right).members())
    ['b', 'c']
    """
    return meet(*split(left, right))


class Forest:
    """The shared sets reachable from some sets, as arrays: each node's place in an Euler tour of the
    forest (along tails) and the occurrences of each element that have none above them.

    ``code`` turns a member into a number below ``size`` (members already numbered need none).

    Examples
    --------
    >>> base = SharedSet(frozenset({2}), None)
    >>> sets = [SharedSet(frozenset({0}), base), SharedSet(frozenset({1, 2}), base), base, None]
    >>> forest = Forest(sets, size=3)
    >>> forest.counts(sets).tolist()  # how many of the sets hold 0, 1, 2
    [1, 1, 3]
    >>> forest.holds(sets, [0, 2, 0, 2]).tolist()
    [True, True, False, False]
    """

    def __init__(self, sets: Iterable, size: int, code=None) -> None:
        import numpy as np  # here, not at import: commands on small data start without numpy

        self.size = size
        number: dict[int, int] = {}
        nodes: list[SharedSet] = []
        for value in sets:
            link = value
            while isinstance(link, SharedSet) and id(link) not in number:
                number[id(link)] = len(nodes)
                nodes.append(link)
                link = link.tail
        self._number = number
        self.sets = nodes  # node number -> its shared set
        count = len(nodes)
        self.depth = np.fromiter((n.depth for n in nodes), dtype=np.int64, count=count)
        tails = np.fromiter(
            (number[id(n.tail)] if n.tail is not None else -1 for n in nodes), dtype=np.int64, count=count
        )
        # Children in order (a node's children follow it in the tour), then an iterative depth-first tour.
        has_tail = tails >= 0
        children = np.flatnonzero(has_tail)[np.argsort(tails[has_tail], kind="stable")]
        start = np.searchsorted(tails[children], np.arange(count + 1)) if count else np.zeros(1, dtype=np.int64)
        entry = np.zeros(count, dtype=np.int64)
        exit_ = np.zeros(count, dtype=np.int64)
        clock = 0
        stack = [int(n) for n in np.flatnonzero(~has_tail)[::-1]]
        while stack:
            node = stack.pop()
            if node < 0:
                exit_[~node] = clock
                continue
            entry[node] = clock
            clock += 1
            stack.append(~node)
            stack.extend(children[start[node] : start[node + 1]][::-1].tolist())
        self.entry, self.exit = entry, exit_
        # Occurrences (node, element), keeping per element those with no occurrence above them: sorted by
        # element then tour entry, an occurrence lies inside an earlier one when it enters before the
        # furthest exit seen so far for its element (intervals of a tour nest or are disjoint).
        sizes = np.fromiter((len(n.head) for n in nodes), dtype=np.int64, count=count)
        owner = np.repeat(np.arange(count), sizes)
        members = [member for n in nodes for member in n.head]
        element = np.array(members if code is None else [code(m) for m in members], dtype=np.int64).reshape(-1)
        order = np.lexsort((entry[owner], element))
        element, owner = element[order], owner[order]
        first = np.r_[True, element[1:] != element[:-1]] if len(element) else np.zeros(0, dtype=bool)
        offset = element * (count + 1)  # keeps the running maximum within each element
        furthest = np.maximum.accumulate(exit_[owner] + offset) - offset if len(element) else element
        before = np.r_[0, furthest[:-1]] if len(element) else element
        top = first | (entry[owner] >= before)
        self._element, self._node = element[top], owner[top]
        self._key = self._element * (count + 1) + entry[self._node]

    def nodes(self, sets: Iterable) -> np.ndarray:
        """Each set's node number (-1 for the empty set)."""
        import numpy as np

        number = self._number
        return np.fromiter((number[id(s)] if isinstance(s, SharedSet) else -1 for s in sets), dtype=np.int64).reshape(
            -1
        )

    def counts(self, sets: Iterable, nodes: np.ndarray | None = None) -> np.ndarray:
        """How many of ``sets`` (or of the sets at ``nodes``, repeated as often as they occur) hold each
        element, as an array over element numbers."""
        import numpy as np

        at = self.nodes(sets) if nodes is None else np.asarray(nodes, dtype=np.int64)
        at = at[at >= 0]
        weight = np.bincount(self.entry[at], minlength=len(self.entry) + 1)
        before = np.r_[0, np.cumsum(weight)]  # sets at tour positions below i
        held = before[self.exit[self._node]] - before[self.entry[self._node]]
        return np.bincount(self._element, weights=held, minlength=self.size).astype(np.int64)

    def holds(self, sets: Iterable, elements, nodes: np.ndarray | None = None) -> np.ndarray:
        """Whether each set (or the set at each of ``nodes``) holds the element beside it."""
        import numpy as np

        at = self.nodes(sets) if nodes is None else np.asarray(nodes, dtype=np.int64)
        elements = np.asarray(elements, dtype=np.int64).reshape(-1)
        result = np.zeros(len(at), dtype=bool)
        valid = at >= 0
        if not valid.any() or not len(self._key):
            return result
        entry = self.entry[at[valid]]
        key = elements[valid] * (len(self.entry) + 1) + entry
        place = np.searchsorted(self._key, key, side="right") - 1
        found = place >= 0
        place = np.maximum(place, 0)
        found &= self._element[place] == elements[valid]
        found &= entry < self.exit[self._node[place]]
        result[valid] = found
        return result
