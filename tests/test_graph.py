"""Graph helpers: component labels against SciPy's public function; the thread pool."""

import time

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from scorelab import _graph
from scorelab._graph import symmetric_components


def _same_partition(a, b):
    # the same partition: a label maps to exactly one label each way
    pairs = np.unique(np.stack([a, b]), axis=1)
    return len(np.unique(pairs[0])) == pairs.shape[1] == len(np.unique(pairs[1]))


@pytest.mark.parametrize("n, m", [(1, 0), (5, 0), (50, 20), (300, 250), (2000, 6000)])
@pytest.mark.parametrize("public", [False, True])
def test_symmetric_components_match_scipy(n, m, public, monkeypatch):
    if public:  # the fallback path
        monkeypatch.setattr(_graph, "_connected_components_undirected", None)
    rng = np.random.default_rng(n + m)
    u, v = rng.integers(n, size=m), rng.integers(n, size=m)
    keep = u != v
    upper = sp.coo_array((np.ones(keep.sum()), (u[keep], v[keep])), shape=(n, n))
    matrix = (upper + upper.T).tocsr()
    matrix.sum_duplicates()
    labels = symmetric_components(matrix)
    count, expected = connected_components(matrix, directed=False)
    assert len(np.unique(labels)) == count
    assert _same_partition(labels, expected)


def _sum_in_pool(values, queue=None):
    total = sum(_graph.thread_pool().map(abs, values))
    if queue is not None:
        queue.put(total)
    return total


def test_the_thread_pool_works_in_a_forked_child():
    import multiprocessing

    # the parent's pool has started its threads, and they have gone idle: a pool copied
    # into a forked child then starts no thread for new work (it waited forever)
    assert _sum_in_pool([-1, 2, -3, 4]) == 10
    time.sleep(0.3)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_sum_in_pool, args=([-3, 4], queue))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("the forked child's thread pool never ran the work")
    assert queue.get(timeout=5) == 7


def test_parallel_product_writes_into_out_and_checks_it(monkeypatch):
    monkeypatch.setattr(_graph, "_MIN_NNZ_PER_THREAD", 10)
    monkeypatch.setattr(_graph, "_thread_count", lambda: 2)
    rng = np.random.default_rng(1)
    matrix = sp.random_array((200, 200), density=0.05, format="csr", rng=rng)
    product = _graph.ParallelProduct(matrix)
    x = rng.random(200)
    out = np.full(200, 7.0)
    assert product(x, out=out) is out
    np.testing.assert_allclose(out, matrix @ x)
    for bad in (np.empty(100), np.empty(400)[::2], x):
        with pytest.raises(ValueError, match="out must be"):
            product(x, out=bad)


def test_lower_bound_matches_searchsorted_within_each_range():
    rng = np.random.default_rng(4)
    array = np.sort(rng.integers(0, 50, size=400))
    lo = rng.integers(0, 400, size=300)
    hi = lo + rng.integers(0, 60, size=300).clip(max=400 - lo)
    values = rng.integers(-5, 55, size=300)
    found = _graph.lower_bound(array, lo, hi, values)
    expected = [a + np.searchsorted(array[a:b], v) for a, b, v in zip(lo, hi, values)]
    assert found.tolist() == expected


def test_sorted_key_helpers_against_python_sets():
    rng = np.random.default_rng(5)
    ordered = np.sort(rng.integers(0, 30, size=40))
    first = _graph.first_of_runs(ordered)
    assert ordered[first].tolist() == sorted(set(ordered.tolist()))
    values = rng.integers(-3, 33, size=50)
    assert _graph.in_sorted(values, ordered).tolist() == [v in set(ordered) for v in values]
    assert not _graph.in_sorted(values, ordered[:0]).any()


def test_symmetric_csr_is_the_upper_triangle_plus_its_transpose():
    source, target = np.array([0, 0, 1, 2]), np.array([1, 3, 2, 3])
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    matrix = _graph.symmetric_csr(4, source, target, weights)
    upper = sp.csr_array((weights, (source, target)), shape=(4, 4))
    assert matrix.has_sorted_indices
    assert (matrix != (upper + upper.T)).nnz == 0


def test_align_to_nodes_aligns_broadcasts_and_names_the_bad_value():
    nodes = pd.Index([10, 20, 30], name="citizen")
    series = pd.Series({30: 3.0, 10: 1.0, 20: 2.0})
    assert _graph.align_to_nodes(series, nodes, name="x").tolist() == [1.0, 2.0, 3.0]
    assert _graph.align_to_nodes({10: 1, 20: 2, 30: 3}, nodes, name="x").tolist() == [1, 2, 3]
    assert _graph.align_to_nodes(0.5, nodes, name="x", scalar=True).tolist() == [0.5] * 3
    assert _graph.align_to_nodes(series, 3, name="x").tolist() == [3.0, 1.0, 2.0]  # own order
    mask = np.array([True, False, True])
    assert _graph.align_to_nodes(mask, nodes, name="m", boolean=True) is mask
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]; 1 value\(s\) outside, "
                                         r"e.g. 1.5 for citizen 20$"):
        _graph.align_to_nodes([0.2, 1.5, 0.1], nodes, name="x", minimum=0.0, maximum=1.0)
    with pytest.raises(ValueError, match="x must be finite .* first for citizen 30$"):
        _graph.align_to_nodes([0.2, 0.5, np.nan], nodes, name="x")
    with pytest.raises(ValueError, match="x is missing values for 1 of 3 citizens"):
        _graph.align_to_nodes({10: 1.0, 20: 2.0}, nodes, name="x")
    with pytest.raises(ValueError, match=r"x must have one value per citizen \(3\), got shape"):
        _graph.align_to_nodes([1.0, 2.0], nodes, name="x")
    with pytest.raises(ValueError, match="x must be 1-dimensional"):
        _graph.align_to_nodes(np.ones((3, 2)), nodes, name="x", ndim=1)
    with pytest.raises(TypeError, match="x must be a number or one value per citizen"):
        _graph.align_to_nodes("0.5", nodes, name="x", scalar=True)
    with pytest.raises(ValueError, match=r"x must be <= 1.0, got 2"):
        _graph.align_to_nodes(2, nodes, name="x", scalar=True, maximum=1.0)
    with pytest.raises(TypeError, match="m must be boolean"):
        _graph.align_to_nodes([1, 0, 1], nodes, name="m", boolean=True)
    with pytest.raises(ValueError, match="x is empty"):
        _graph.align_to_nodes([], None, name="x")


def test_trusted_input_skips_the_checks_not_the_alignment():
    nodes = pd.Index(["a", "b"])
    with _graph.trusted_input():
        assert np.isnan(_graph.align_to_nodes([np.nan, 2.0], nodes, name="x")).any()
        assert _graph.align_to_nodes(pd.Series({"b": 2.0, "a": 1.0}), nodes,
                                     name="x").tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="x must be finite"):  # checked again outside
        _graph.align_to_nodes([np.nan, 2.0], nodes, name="x")


def test_group_codes_sorted_categorical_or_given_categories():
    codes, labels = _graph.group_codes(["b", "a", "b"], 3)
    assert codes.tolist() == [1, 0, 1] and labels.tolist() == ["a", "b"]
    categorical = pd.Categorical(["x", "x"], categories=["y", "x"])
    codes, labels = _graph.group_codes(categorical, 2)
    assert codes.tolist() == [1, 1] and labels.tolist() == ["y", "x"]  # empty category kept
    series = pd.Series({2: "b", 1: "a"})
    codes, _ = _graph.group_codes(series, 2, pd.Index([1, 2]))
    assert codes.tolist() == [0, 1]  # aligned on the citizens
    codes, labels = _graph.group_codes(["q", "p"], 2, categories=["p", "q", "r"])
    assert codes.tolist() == [1, 0] and labels.tolist() == ["p", "q", "r"]
    with pytest.raises(ValueError, match=r"g holds labels \['z'\] that are not groups"):
        _graph.group_codes(["p", "z"], 2, name="g", categories=["p", "q"])
    with pytest.raises(ValueError, match="groups has missing labels: 1 missing group label"):
        _graph.group_codes(["a", None], 2)
    with pytest.raises(ValueError, match="groups is missing labels for 1 of 2 citizens"):
        _graph.group_codes(pd.Series({1: "a"}), 2, pd.Index([1, 2]))


@pytest.mark.parametrize("labels", ["range", "shuffled_ints", "strings", "mixed"])
@pytest.mark.parametrize("directed", [False, True])
def test_networkx_conversion_matches_networkx(labels, directed):
    from scorelab._graph import as_weight_matrix

    rng = np.random.default_rng(5)
    G = nx.gnp_random_graph(60, 0.1, seed=5, directed=directed)
    G.add_edge(3, 3)
    for u, v in G.edges():
        G.edges[u, v]["weight"] = float(rng.uniform(0.5, 2.0))
    mapping = {
        "range": {i: i for i in G},
        "shuffled_ints": dict(zip(G, rng.permutation(np.arange(100, 160)).tolist())),
        "strings": {i: f"c{i}" for i in G},
        "mixed": {i: (i if i % 2 else f"c{i}") for i in G},
    }[labels]
    H = nx.relabel_nodes(G, mapping)
    wm = as_weight_matrix(H)
    assert list(wm.nodes) == list(H)
    expected = nx.to_scipy_sparse_array(H, nodelist=list(H), weight="weight", format="csr")
    np.testing.assert_array_equal(wm.matrix.toarray(), expected.toarray())
    unweighted = as_weight_matrix(H, weight=None).matrix.toarray()
    np.testing.assert_array_equal(unweighted, (expected.toarray() > 0).astype(float))
