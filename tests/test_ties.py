"""The citizen game's tie store: every edit against a fresh build of the same tie list."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab import _graph
from scorelab._graph import symmetric_csr
from scorelab._ties import DynamicTies
from scorelab.society import homophilous_sbm

FRIEND = 1


def _tie_arrays(society):
    ties = society.ties
    return (ties["source"].to_numpy().astype(np.int64), ties["target"].to_numpy().astype(np.int64),
            ties["kind"].cat.codes.to_numpy().astype(np.int8), ties["weight"].to_numpy().copy())


@pytest.mark.parametrize("n, threads", [(40, 1), (1500, 1), (1500, 2)])
def test_edits_match_a_fresh_build(n, threads, monkeypatch):
    # two threads merge row blocks as soon as a block holds a few entries
    monkeypatch.setattr(_graph, "_MIN_NNZ_PER_THREAD", 10 if threads > 1 else 10**9)
    monkeypatch.setattr(_graph, "_thread_count", lambda: threads)
    rng = np.random.default_rng(n)
    society = homophilous_sbm(n, mean_degree=8, rng=1)
    source, target, kinds, weights = _tie_arrays(society)
    weights = weights * rng.uniform(0.5, 2.0, len(weights))  # weights not tied to kinds
    ties = DynamicTies(n, source, target, kinds, weights, new_kind=FRIEND)
    group = society.groups.cat.codes.to_numpy()
    for _ in range(15):
        m = ties.n_ties
        assert m == len(source)
        cut = np.sort(rng.choice(m, size=int(rng.integers(0, m // 8 + 2)), replace=False))
        cut_source, cut_target, position = ties.locate(cut)
        np.testing.assert_array_equal(cut_source, source[cut])
        np.testing.assert_array_equal(cut_target, target[cut])
        np.testing.assert_array_equal(ties.kinds(cut_source, cut_target), kinds[cut])
        np.testing.assert_array_equal(ties.matrix.data[position], weights[cut])
        # candidate new pairs, some of which exist (among them some of the cut ones)
        u, v = rng.integers(n, size=60), rng.integers(n, size=60)
        k = min(5, len(cut))
        u[:k], v[:k] = cut_source[:k], cut_target[:k]
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        keys = np.unique((lo * n + hi)[lo != hi])
        lo, hi = np.divmod(keys, n)
        present = ties.contains(lo, hi)
        np.testing.assert_array_equal(present, np.isin(keys, source * n + target))
        lo, hi = lo[~present], hi[~present]
        ties.edit(cut_source, cut_target, position, lo, hi, 0.7)
        keep = np.ones(m, dtype=bool)
        keep[cut] = False
        source = np.concatenate((source[keep], lo))
        target = np.concatenate((target[keep], hi))
        kinds = np.concatenate((kinds[keep], np.full(len(lo), FRIEND, dtype=np.int8)))
        weights = np.concatenate((weights[keep], np.full(len(lo), 0.7)))
        order = np.argsort(source * n + target)
        source, target, kinds, weights = source[order], target[order], kinds[order], weights[order]
        fresh = symmetric_csr(n, source, target, weights)
        for name in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(ties.matrix, name), getattr(fresh, name))
        # int32 indices (they fit), kept through every edit
        assert ties.matrix.indices.dtype == ties.matrix.indptr.dtype == np.int32
        listed = ties.tie_list()
        for got, want in zip(listed, (source, target, kinds, weights)):
            np.testing.assert_array_equal(got, want)
        # tie_list's one search for all kinds agrees with the search per tie
        np.testing.assert_array_equal(listed[2], ties.kinds(source, target))
        # the kind counts, kept by edit() from the first call on, against a recount
        counts = ties.kind_counts(group, 2, 4)
        want = np.zeros((4, 2), dtype=np.int64)
        np.add.at(want, (kinds, group[source]), 1)
        np.add.at(want, (kinds, group[target]), 1)
        np.testing.assert_array_equal(counts, want)
        # the crossing tie ends, kept the same way
        across = group[source] != group[target]
        want = (np.bincount(group[source][across], minlength=2)
                + np.bincount(group[target][across], minlength=2))
        np.testing.assert_array_equal(ties.crossing_ends(group, 2), want)


def test_a_pair_cut_and_formed_again_is_a_new_kind():
    society = homophilous_sbm(200, mean_degree=6, rng=2)
    source, target, kinds, weights = _tie_arrays(society)
    first = int(np.flatnonzero(kinds != FRIEND)[0])
    ties = DynamicTies(200, source, target, kinds, weights, new_kind=FRIEND)
    s, t, position = ties.locate([first])
    ties.edit(s, t, position, [], [], 1.0)
    assert not ties.contains(s, t)[0]
    ties.edit([], [], [], s, t, 1.0)
    assert ties.contains(s, t)[0]
    assert ties.kinds(s, t)[0] == FRIEND


def test_non_positive_weights_are_refused():
    with pytest.raises(ValueError, match="weights must be > 0"):
        DynamicTies(3, [0], [1], [0], [0.0], new_kind=FRIEND)


def test_edits_that_break_their_preconditions_are_refused_before_any_change():
    society = homophilous_sbm(300, mean_degree=6, rng=3)
    source, target, kinds, weights = _tie_arrays(society)
    ties = DynamicTies(300, source, target, kinds, weights, new_kind=FRIEND)
    s, t, position = ties.locate([0, 1])
    before = [a.copy() for a in (ties.matrix.indptr, ties.matrix.indices, ties.matrix.data)]
    absent_u, absent_v = 0, int(np.setdiff1d(np.arange(1, 300), target[source == 0])[0])
    bad = [
        ((s, t[::-1], position, [], []), "is not a tie"),  # wrong ends for the entries
        ((s[:1], t[:1], position, [], []), "one entry per cut tie"),
        ((np.r_[s[0], s[0]], np.r_[t[0], t[0]], np.r_[position[0], position[0]], [], []),
         "cut twice"),
        (([], [], [], [s[0]], [t[0]]), "already a tie"),
        (([], [], [], [absent_u, absent_u], [absent_v, absent_v]), "listed twice"),
        (([], [], [], [absent_v], [absent_u]), "source < target"),
        (([], [], [], [0], [300]), "source < target"),
    ]
    for args, match in bad:
        with pytest.raises(ValueError, match=match):
            ties.edit(*args, 1.0)
    after = (ties.matrix.indptr, ties.matrix.indices, ties.matrix.data)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert ties.n_ties == len(source)


def test_whole_weights_are_known_until_a_tie_of_another_weight_is_formed():
    society = homophilous_sbm(200, mean_degree=6, rng=2)
    source, target, kinds, weights = _tie_arrays(society)
    ties = DynamicTies(200, source, target, kinds, weights, new_kind=FRIEND)
    assert ties.whole_weights  # the kinds' weights are 1, 2 and 3
    absent = int(np.flatnonzero(~ties.contains(np.zeros(199, int), np.arange(1, 200)))[0]) + 1
    ties.edit([], [], [], [0], [absent], 2.0)
    assert ties.whole_weights
    s, t, position = ties.locate([0])
    ties.edit(s, t, position, [], [], 0.5)  # nothing formed: the weight is not used
    assert ties.whole_weights
    absent = int(np.flatnonzero(~ties.contains(np.ones(198, int), np.arange(2, 200)))[0]) + 2
    ties.edit([], [], [], [1], [absent], 0.5)
    assert not ties.whole_weights
    assert not DynamicTies(200, source, target, kinds, weights * 1.1, new_kind=FRIEND).whole_weights


# ------------------------------------------------------------------ components (forest)


def _check_components(ties, sizes):
    """The forest's component sizes against SciPy's search, and the forest itself: every
    link a live tie, one root per component, the kept roots those of the links."""
    from scipy.sparse.csgraph import connected_components

    from scorelab._components import _roots

    n_components, labels = connected_components(ties.matrix, directed=False)
    np.testing.assert_array_equal(np.sort(sizes), np.sort(np.bincount(labels)))
    forest = ties._forest
    parent = forest.parent
    child = np.flatnonzero(parent != np.arange(ties.n))
    assert ties.contains(np.minimum(child, parent[child]), np.maximum(child, parent[child])).all()
    roots = np.flatnonzero(parent == np.arange(ties.n))
    assert len(roots) == n_components
    np.testing.assert_array_equal(np.sort(labels[roots]), np.arange(n_components))
    root = _roots(parent)  # terminates: no cycle
    np.testing.assert_array_equal(root, forest.root)
    np.testing.assert_array_equal(labels, labels[root])  # a tree inside one component


def _random_edit(ties, rng, cut_share, n_new, again=()):
    """Cut a random share of the ties and form ``n_new`` random absent pairs, among them
    the pairs ``again`` (cut before) where absent. Returns the cut pairs."""
    n = ties.n
    m = ties.n_ties
    cut = np.sort(rng.choice(m, size=int(rng.binomial(m, cut_share)), replace=False))
    s, t, position = ties.locate(cut)
    u, v = rng.integers(n, size=n_new), rng.integers(n, size=n_new)
    if len(again[0] if again else ()):
        u, v = np.concatenate((u, again[0])), np.concatenate((v, again[1]))
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keys = np.unique((lo * n + hi)[lo != hi])
    lo, hi = np.divmod(keys, n)
    absent = ~ties.contains(lo, hi)
    ties.edit(s, t, position, lo[absent], hi[absent], 1.0)
    return s, t


@pytest.mark.parametrize("n, degree, cut_share, new_share, every", [
    (400, 8, 0.02, 0.02, 1),      # one giant component, a few citizens cut off
    (600, 3, 0.1, 0.05, 1),       # many components that split and merge
    (500, 1.5, 0.3, 0.1, 2),      # mostly small components and isolated citizens
    (2000, 6, 0.05, 0.01, 3),     # updates skipped: several edits between two
    (300, 10, 0.5, 0.0, 1),       # cuts only: the network falls apart
    (300, 0.5, 0.0, 0.3, 1),      # additions only: components merge
])
def test_components_from_the_forest_match_a_search_after_every_edit(n, degree, cut_share,
                                                                    new_share, every):
    rng = np.random.default_rng(n + int(10 * degree))
    society = homophilous_sbm(n, mean_degree=degree, rng=1)
    source, target, kinds, weights = _tie_arrays(society)
    ties = DynamicTies(n, source, target, kinds, weights, new_kind=FRIEND)
    _random_edit(ties, rng, cut_share, 5)  # edits before the first call are not needed
    _check_components(ties, ties.component_sizes())
    cut = ((), ())
    for step in range(25):
        # pairs cut in the last edit are formed again (a forest link cut and re-formed)
        cut = _random_edit(ties, rng, cut_share, int(new_share * n) + 1,
                           again=(cut[0][:3], cut[1][:3]))
        if step % every == 0:
            _check_components(ties, ties.component_sizes())
    _check_components(ties, ties.component_sizes())  # no edit since: the same forest


def test_components_of_ties_cut_and_formed_again_between_two_updates():
    society = homophilous_sbm(200, mean_degree=4, rng=4)
    source, target, kinds, weights = _tie_arrays(society)
    ties = DynamicTies(200, source, target, kinds, weights, new_kind=FRIEND)
    _check_components(ties, ties.component_sizes())
    parent = ties._forest.parent
    child = int(np.flatnonzero(parent != np.arange(200))[0])
    u, v = sorted((child, int(parent[child])))
    s, t, position = ties.locate(np.flatnonzero((source == u) & (target == v)))
    ties.edit(s, t, position, [], [], 1.0)  # a forest link cut ...
    ties.edit([], [], [], [u], [v], 1.0)  # ... and formed again before the next update
    w = int(np.flatnonzero(~ties.contains(np.full(199, 0), np.arange(1, 200)))[0]) + 1
    ties.edit([], [], [], [0], [w], 1.0)  # a tie formed ...
    s, t, position = ties.locate(np.flatnonzero(ties.tie_list()[0] == 0)[-1:])
    ties.edit(s, t, position, [], [], 1.0)  # ... and the last of citizen 0's cut again
    _check_components(ties, ties.component_sizes())


def test_components_of_a_society_without_ties():
    ties = DynamicTies(5, [], [], [], [], new_kind=FRIEND)
    np.testing.assert_array_equal(ties.component_sizes(), np.ones(5))
    ties.edit([], [], [], [0, 1], [1, 2], 1.0)
    _check_components(ties, ties.component_sizes())
    np.testing.assert_array_equal(np.sort(ties.component_sizes()), [1, 1, 3])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(0, 10**6), st.floats(0.0, 0.6), st.integers(0, 30),
       st.integers(1, 3))
def test_components_of_random_edit_sequences(n, seed, cut_share, n_new, every):
    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(n, size=(rng.integers(0, 3 * n) + 1, 2)) @ [n, 1])
    source, target = np.divmod(keys, n)
    keep = source < target
    source, target = source[keep], target[keep]
    ties = DynamicTies(n, source, target, np.zeros(len(source), np.int8),
                       np.ones(len(source)), new_kind=FRIEND)
    _check_components(ties, ties.component_sizes())
    for step in range(6):
        _random_edit(ties, rng, cut_share, n_new)
        if step % every == 0:
            _check_components(ties, ties.component_sizes())


def test_components_when_the_forest_is_built_afresh_at_some_updates(monkeypatch):
    # a forest whose trees grew deep is rebuilt; with the thresholds at 0 and 1 every
    # update whose cut-off share exceeds the first one's rebuilds, the others update
    from scorelab._components import SpanningForest

    monkeypatch.setattr(SpanningForest, "_REBUILD_SHARE", 0.0)
    monkeypatch.setattr(SpanningForest, "_REBUILD_GROWTH", 1.0)
    builds = []
    first_forest = SpanningForest._first_forest
    monkeypatch.setattr(SpanningForest, "_first_forest",
                        lambda self, matrix: builds.append(1) or first_forest(self, matrix))
    rng = np.random.default_rng(9)
    society = homophilous_sbm(800, mean_degree=4, rng=9)
    source, target, kinds, weights = _tie_arrays(society)
    ties = DynamicTies(800, source, target, kinds, weights, new_kind=FRIEND)
    _check_components(ties, ties.component_sizes())
    for _ in range(20):
        _random_edit(ties, rng, 0.05, 20)
        _check_components(ties, ties.component_sizes())
    assert 2 < len(builds) < 21  # some updates rebuilt, some did not
