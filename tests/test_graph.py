"""Graph helpers: component labels against SciPy's public function; the thread pool."""

import time

import networkx as nx
import numpy as np
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
    total = sum(_graph._pool().map(abs, values))
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


@pytest.mark.parametrize("labels", ["range", "shuffled_ints", "strings", "mixed"])
@pytest.mark.parametrize("directed", [False, True])
def test_networkx_conversion_matches_networkx(labels, directed):
    from scorelab._graph import as_weight_matrix

    rng = np.random.default_rng(5)
    G = nx.gnp_random_graph(60, 0.1, seed=5, directed=directed)
    G.add_edge(3, 3)
    for k, (u, v) in enumerate(G.edges()):
        if k % 3:  # some ties without the attribute: weight 1
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
