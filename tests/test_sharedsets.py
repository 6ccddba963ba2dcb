"""Shared sets and counting over their forest, checked against the sets written out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis.sharedsets import Forest, SharedSet, intersection, meet, split, union

SIZE = 8

# A program builds sets one after another: a new set is a head of elements on top of an earlier set (or
# none), or the union or the intersection of two earlier ones.
steps = st.lists(
    st.tuples(
        st.sampled_from(["on", "union", "meet", "intersection"]),
        st.integers(0, 40),
        st.integers(0, 40),
        st.frozensets(st.integers(0, SIZE - 1), max_size=3),
    ),
    max_size=40,
)


def build(program) -> list:
    sets: list = [None]
    for operation, first, second, head in program:
        left, right = sets[first % len(sets)], sets[second % len(sets)]
        if operation == "on":
            sets.append(SharedSet(head, left) if head else left)
        elif operation == "union":
            sets.append(union(left, right))
        elif operation == "meet":
            sets.append(meet(*split(left, right)) if left is not None and right is not None else None)
        else:
            sets.append(intersection(left, right))
            assert written_out(sets[-1]) == written_out(left) & written_out(right)
    return sets


def written_out(value) -> set:
    return value.members() if isinstance(value, SharedSet) else set()


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(steps, st.lists(st.integers(0, 40), max_size=30), st.lists(st.integers(0, SIZE - 1), max_size=30))
def test_counts_and_membership_agree_with_the_sets_written_out(program, picks, elements):
    sets = build(program)
    chosen = [sets[p % len(sets)] for p in picks]
    forest = Forest(sets, SIZE)
    expected = [sum(e in written_out(s) for s in chosen) for e in range(SIZE)]
    assert forest.counts(chosen).tolist() == expected
    pairs = list(zip(chosen, elements, strict=False))
    held = forest.holds([s for s, _ in pairs], [e for _, e in pairs])
    assert held.tolist() == [e in written_out(s) for s, e in pairs]


def test_union_and_meet_are_the_set_operations():
    base = SharedSet(frozenset({1}), None)
    left, right = SharedSet(frozenset({2, 3}), base), SharedSet(frozenset({3, 4}), base)
    assert union(left, right).members() == {1, 2, 3, 4}
    assert meet(*split(left, right)).members() == {1, 3}
    assert meet(*split(left, SharedSet(frozenset({5}), None))) is None
    assert intersection(left, right).members() == {1, 3} and intersection(left, None) is None


def test_a_deep_chain_is_counted_without_writing_its_sets_out():
    """Ten thousand sets down a chain hold fifty million memberships; the forest has ten thousand nodes."""
    sets = [None]
    for element in range(10_000):
        sets.append(SharedSet(frozenset({element}), sets[-1]))
    forest = Forest(sets, 10_000)
    counts = forest.counts(sets)
    assert counts[0] == 10_000 and counts[9_999] == 1 and int(counts.sum()) == 10_000 * 10_001 // 2
    assert forest.holds([sets[-1], sets[1]], [0, 5]).tolist() == [True, False]
