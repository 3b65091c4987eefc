"""Association (score propagation) checked against independent references.

References used: the dense closed form ``(I - Lambda W)^-1 (I - Lambda) s`` with
``numpy.linalg``; the four-agent example of Friedkin & Johnsen (1999) as reprinted by
Parsegov et al. (2017); the DeGroot limit as the left unit eigenvector of ``W`` (Jackson
2008); a slow pure-Python neighbour loop; ``networkx.pagerank``.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab import (
    ConvergenceError,
    contributions,
    decompose,
    one_hop_mean,
    personalised_pagerank,
    propagate,
    worst_neighbour,
)


def dense_row_normalised(A):
    A = np.asarray(A, dtype=float)
    d = A.sum(axis=1)
    W = np.divide(A, d[:, None], out=np.zeros_like(A), where=d[:, None] > 0)
    return W, d


def dense_equilibrium_matrix(A, lam):
    """M = (I - Lambda W)^-1 (I - Lambda), citizens without ties keeping their score."""
    W, d = dense_row_normalised(A)
    lam = np.where(d > 0, lam, 0.0)
    n = len(d)
    return np.linalg.solve(np.eye(n) - lam[:, None] * W, np.diag(1 - lam))


def random_weighted_graph(n, p, rng, *, directed=False, self_loops=True, isolated=2):
    A = (rng.random((n, n)) < p) * rng.uniform(0.5, 3.0, (n, n))
    if not self_loops:
        np.fill_diagonal(A, 0)
    if not directed:
        A = np.triu(A) + np.triu(A, 1).T
    A[:isolated, :] = 0
    A[:, :isolated] = 0
    return A


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("method", ["exact", "iterate"])
def test_matches_dense_closed_form(directed, method):
    rng = np.random.default_rng(1)
    for _ in range(5):
        n = 60
        A = random_weighted_graph(n, 0.08, rng, directed=directed)
        s = rng.uniform(350, 950, n)
        lam = rng.uniform(0, 0.95, n)
        lam[5] = 0.0
        expected = dense_equilibrium_matrix(A, lam) @ s
        G = nx.from_numpy_array(A, create_using=nx.DiGraph if directed else nx.Graph)
        got = propagate(G, s, alpha=lam, method=method, tol=1e-10)
        np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-10 * 950)
        got_matrix = propagate(sp.csr_array(A), s, alpha=lam, method=method, tol=1e-10)
        np.testing.assert_allclose(got_matrix.to_numpy(), expected, rtol=0, atol=1e-10 * 950)


def test_slow_mixing_graph_meets_tolerance():
    # a ring lattice with few shortcuts mixes slowly: the residual bound must still hold
    G = nx.watts_strogatz_graph(1500, 4, 0.01, seed=3)
    A = nx.to_numpy_array(G)
    s = np.random.default_rng(3).uniform(350, 950, 1500)
    for alpha in (0.5, 0.95):
        expected = dense_equilibrium_matrix(A, np.full(1500, alpha)) @ s
        for method in ("exact", "iterate"):
            got = propagate(G, s, alpha=alpha, method=method, tol=1e-8).to_numpy()
            assert np.abs(got - expected).max() <= 1e-8 * np.abs(s).max()


def test_exact_and_iterate_agree_and_warm_start():
    G = nx.barabasi_albert_graph(2000, 3, seed=4)
    own = pd.Series(np.random.default_rng(4).uniform(350, 950, 2000))
    exact = propagate(G, own, alpha=0.85, method="exact")
    iterate = propagate(G, own, alpha=0.85, method="iterate")
    assert np.abs(exact - iterate).max() <= 2e-8 * own.abs().max()
    warm = propagate(G, own, alpha=0.85, method="iterate", x0=exact, max_iter=2)
    assert np.abs(warm - exact).max() <= 2e-8 * own.abs().max()


def test_friedkin_johnsen_four_agents():
    # Friedkin & Johnsen (1999), reprinted in Parsegov et al. (2017, Sec. II):
    # Lambda = I - diag(W); prejudices u = (25, 25, 75, 85); final opinions (60, 60, 75, 75).
    W = np.array(
        [
            [0.220, 0.120, 0.360, 0.300],
            [0.147, 0.215, 0.344, 0.294],
            [0.000, 0.000, 1.000, 0.000],
            [0.090, 0.178, 0.446, 0.286],
        ]
    )
    lam = 1 - np.diag(W)
    u = [25.0, 25.0, 75.0, 85.0]
    for method in ("exact", "iterate"):
        x = propagate(sp.csr_array(W), u, alpha=lam, method=method, tol=1e-12)
        np.testing.assert_allclose(x.to_numpy(), [60, 60, 75, 75], atol=0.05)
    # and exactly the closed form
    np.testing.assert_allclose(
        propagate(sp.csr_array(W), u, alpha=lam).to_numpy(),
        dense_equilibrium_matrix(W, lam) @ u,
        atol=1e-8 * 85,
    )


def left_unit_eigenvector(W):
    values, vectors = np.linalg.eig(W.T)
    v = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    return v / v.sum()


def test_degroot_limit_is_influence_weighted_mean():
    # Jackson (2008), ch. 8: the consensus is pi . s with pi the left unit eigenvector of W
    rng = np.random.default_rng(5)
    G = nx.connected_watts_strogatz_graph(40, 4, 0.3, seed=5)
    for u, v in G.edges:
        G[u][v]["weight"] = rng.uniform(0.5, 2)
    s = rng.uniform(350, 950, 40)
    W, _ = dense_row_normalised(nx.to_numpy_array(G))
    consensus = left_unit_eigenvector(W) @ s
    for method in ("exact", "iterate"):
        x = propagate(G, s, alpha=1.0, method=method, tol=1e-12)
        np.testing.assert_allclose(x.to_numpy(), consensus, rtol=1e-9)


def test_degroot_limit_directed_aperiodic():
    rng = np.random.default_rng(6)
    G = nx.DiGraph()
    G.add_weighted_edges_from([(0, 1, 1.0), (1, 2, 2.0), (2, 0, 1.0), (2, 2, 0.5), (1, 0, 1.0)])
    s = rng.uniform(0, 1, 3)
    W, _ = dense_row_normalised(nx.to_numpy_array(G))
    x = propagate(G, s, alpha=1.0, tol=1e-13, max_iter=5000)
    np.testing.assert_allclose(x.to_numpy(), left_unit_eigenvector(W) @ s, rtol=1e-9)


def test_degroot_on_periodic_digraph_raises():
    G = nx.DiGraph([(0, 1), (1, 0)])
    with pytest.raises(ConvergenceError, match="periodic"):
        propagate(G, [0.0, 1.0], alpha=1.0, max_iter=50)


def test_citizens_without_ties_keep_their_score_and_alpha_zero_is_identity():
    G = nx.Graph([(0, 1)])
    G.add_node(2)
    x = propagate(G, [900.0, 300.0, 500.0], alpha=0.7)
    assert x[2] == 500.0
    assert (propagate(G, [900.0, 300.0, 500.0], alpha=0.0) == [900.0, 300.0, 500.0]).all()


def test_labels_and_series_alignment():
    G = nx.Graph([("ann", "bo"), ("bo", "cy")])
    own = pd.Series({"cy": 900.0, "ann": 900.0, "bo": 500.0})
    x = propagate(G, own, alpha=0.5)
    assert list(x.index) == ["ann", "bo", "cy"]
    assert x["ann"] == pytest.approx(2300 / 3)


def slow_reference(G, own, alpha, sweeps=3000):
    """Plain Python Jacobi sweeps over G.neighbors: obvious and slow."""
    x = dict(own)
    for _ in range(sweeps):
        new = {}
        for i in G.nodes:
            total = sum(G[i][j].get("weight", 1.0) for j in G.neighbors(i))
            if total == 0:
                new[i] = own[i]
                continue
            mean = sum(G[i][j].get("weight", 1.0) * x[j] for j in G.neighbors(i)) / total
            new[i] = alpha * mean + (1 - alpha) * own[i]
        x = new
    return x


@st.composite
def small_graphs(draw):
    n = draw(st.integers(1, 9))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    edges = draw(st.lists(st.tuples(pairs, st.floats(0.1, 5.0)), max_size=25))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for (u, v), w in edges:
        G.add_edge(u, v, weight=w)
    own = {i: draw(st.floats(-1000, 1000)) for i in range(n)}
    alpha = draw(st.floats(0.0, 0.9))
    return G, own, alpha


@settings(max_examples=60, deadline=None)
@given(small_graphs())
def test_fast_matches_slow_reference(case):
    G, own, alpha = case
    expected = slow_reference(G, own, alpha, sweeps=400)
    scale = max(1.0, max(abs(v) for v in own.values()))
    for method in ("exact", "iterate"):
        got = propagate(G, own, alpha=alpha, method=method, tol=1e-12)
        assert max(abs(got[i] - expected[i]) for i in G) <= 1e-8 * scale


def test_decompose_matches_dense_matrix():
    rng = np.random.default_rng(7)
    A = random_weighted_graph(80, 0.06, rng)
    s = rng.uniform(350, 950, 80)
    lam = rng.uniform(0, 0.9, 80)
    M = dense_equilibrium_matrix(A, lam)
    parts = decompose(sp.csr_array(A), s, alpha=lam, batch_size=16)
    np.testing.assert_allclose(parts["self_weight"], np.diag(M), atol=1e-9)
    others = M @ s - np.diag(M) * s
    np.testing.assert_allclose(parts["from_others"], others, atol=1e-6)
    np.testing.assert_allclose(parts["from_own"] + parts["from_others"], parts["displayed"], atol=0)
    np.testing.assert_allclose(parts["association_effect"], M @ s - s, atol=1e-6)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("probes", [1, 7, 40])
def test_probing_self_weights_within_their_stated_bound(directed, probes):
    rng = np.random.default_rng(11)
    A = random_weighted_graph(150, 0.05, rng, directed=directed)
    s = rng.uniform(350, 950, 150)
    lam = rng.uniform(0, 0.9, 150)
    M = dense_equilibrium_matrix(A, lam)
    exact = np.diag(M)
    parts = decompose(sp.csr_array(A), s, alpha=lam, method="probing", probes=probes, rng=3)
    error = np.abs(parts["self_weight"].to_numpy() - exact)
    bound = parts["self_weight_error"].to_numpy()
    assert np.all(error <= bound + 1e-12)
    # the bound is the Neumann tail beyond two steps at worst, and never empty
    lam_max = lam[A.sum(axis=1) > 0].max()
    assert np.all(bound <= lam_max**3 / 2 + 1e-6)
    assert np.all(bound > 0)
    # the split still adds up exactly
    np.testing.assert_allclose(parts["from_own"] + parts["from_others"], parts["displayed"], atol=0)
    np.testing.assert_allclose(parts["displayed"], M @ s, atol=1e-6)


def test_probing_bound_tightens_with_more_groups_and_auto_is_exact_when_small():
    rng = np.random.default_rng(12)
    A = sp.csr_array(random_weighted_graph(400, 0.03, rng))
    s = rng.uniform(350, 950, 400)
    few = decompose(A, s, alpha=0.6, method="probing", probes=2, rng=1)
    many = decompose(A, s, alpha=0.6, method="probing", probes=64, rng=1)
    assert many["self_weight_error"].mean() < few["self_weight_error"].mean() / 4
    exact = decompose(A, s, alpha=0.6, method="exact")
    auto = decompose(A, s, alpha=0.6)
    pd.testing.assert_frame_equal(auto, exact)
    assert (exact["self_weight_error"] == 1e-10).all()
    again = decompose(A, s, alpha=0.6, method="probing", probes=64, rng=1)
    pd.testing.assert_frame_equal(again, many)


def test_auto_decomposition_probes_large_societies(monkeypatch):
    from scorelab import association

    rng = np.random.default_rng(15)
    A = sp.csr_array(random_weighted_graph(300, 0.03, rng))
    s = rng.uniform(350, 950, 300)
    monkeypatch.setattr(association, "_EXACT_UP_TO", 299)
    auto = decompose(A, s, alpha=0.5, rng=2)
    probing = decompose(A, s, alpha=0.5, method="probing", rng=2)
    pd.testing.assert_frame_equal(auto, probing)
    assert (auto["self_weight_error"] > 1e-10).all()


def test_own_column_product_is_the_full_product_read_per_row():
    from scorelab._probing import _own_column_product
    from scorelab.association import _build_system

    rng = np.random.default_rng(14)
    A = sp.csr_array(random_weighted_graph(90, 0.07, rng, directed=True))
    lam = rng.uniform(0, 0.9, 90)
    lam[5:9] = 0.0
    system = _build_system(A, lam, "weight")
    values = rng.normal(size=(90, 4))
    full = system.lam[:, None] * system.mean_of_ties(values)
    rows = rng.choice(90, 50, replace=False)
    column = rng.integers(4, size=50)
    np.testing.assert_allclose(_own_column_product(system, values, rows, column),
                               full[rows, column], rtol=1e-13, atol=1e-15)


def test_probe_groups_separate_ties():
    from scorelab._probing import probe_groups
    from scorelab.society import erdos_renyi

    A = erdos_renyi(5000, 10.0, rng=4).adjacency(weight=None)
    rows = np.repeat(np.arange(5000), np.diff(A.indptr))
    for count in (16, 64, 200):
        group = probe_groups(A, count, np.random.default_rng(0))
        assert set(np.unique(group)) <= set(range(count + 64))
        inside = np.count_nonzero(group[rows] == group[A.indices]) / 2
        # a random split puts about ties / count ties inside groups
        assert inside < 0.1 * A.nnz / 2 / count


def test_contributions_sum_to_displayed_and_match_dense_row():
    rng = np.random.default_rng(8)
    A = random_weighted_graph(50, 0.1, rng, directed=True)
    s = rng.uniform(350, 950, 50)
    M = dense_equilibrium_matrix(A, np.full(50, 0.6))
    c = contributions(sp.csr_array(A), s, 10, alpha=0.6, tol=1e-10)
    np.testing.assert_allclose(c.sort_index().to_numpy(), M[10] * s, atol=1e-7)
    assert c.sum() == pytest.approx((M @ s)[10], abs=1e-7)
    default = contributions(sp.csr_array(A), s, 10, alpha=0.6)  # tol 1e-8 of max |s|
    assert default.sum() == pytest.approx((M @ s)[10], abs=1e-8 * s.max())
    top = contributions(sp.csr_array(A), s, 10, alpha=0.6, top=3)
    assert len(top) == 3 and list(top.index) == list(c.index[:3])


@pytest.mark.parametrize("as_networkx", [False, True])
def test_contributions_on_undirected_ties_match_dense_row(as_networkx):
    rng = np.random.default_rng(13)
    A = random_weighted_graph(70, 0.08, rng)
    s = rng.uniform(350, 950, 70)
    lam = rng.uniform(0, 0.95, 70)
    lam[10:15] = 0.0  # held at their own score, but still passing theirs on
    M = dense_equilibrium_matrix(A, lam)
    G = nx.from_numpy_array(A) if as_networkx else sp.csr_array(A)
    for citizen in (0, 12, 20, 45):  # without ties, lambda 0, two ordinary citizens
        c = contributions(G, s, citizen, alpha=lam, tol=1e-12)
        np.testing.assert_allclose(c.sort_index().to_numpy(), M[citizen] * s, atol=1e-8)
        assert c.sum() == pytest.approx((M @ s)[citizen], abs=1e-8)


def test_contributions_list_the_largest_first_with_ties_in_citizen_order():
    from scorelab.association import _largest_first

    rng = np.random.default_rng(21)
    distinct = rng.normal(size=500)
    tied = np.round(rng.normal(size=500), 1)  # many equal absolute values, both signs
    for values in (distinct, tied, np.zeros(7)):
        expected = np.argsort(-np.abs(values), kind="stable")
        assert _largest_first(values).tolist() == expected.tolist()
    # zero own scores give exactly equal (zero) contributions: listed in citizen order
    A = random_weighted_graph(40, 0.15, rng, isolated=0)
    s = rng.uniform(350, 950, 40)
    s[[3, 17, 29]] = 0.0
    c = contributions(sp.csr_array(A), s, 5, alpha=0.5)
    zeros = c.index[c.to_numpy() == 0.0].tolist()
    assert zeros == sorted(zeros) and {3, 17, 29} <= set(zeros)


def test_sparse_first_product_matches_the_full_product():
    from scorelab.association import _build_system, _SparseFirst

    rng = np.random.default_rng(25)
    A = sp.csr_array(random_weighted_graph(400, 0.05, rng))
    sparse_first = _SparseFirst(_build_system(A, 0.5, None))
    for support in ([7], [0, 1, 399], rng.choice(400, 20, replace=False)):
        v = np.zeros(400)
        v[support] = rng.normal(size=len(support))
        np.testing.assert_allclose(sparse_first(v), A @ v, rtol=1e-14, atol=1e-14)
        out = np.full(400, 3.0)
        assert sparse_first(v, out=out) is out
        np.testing.assert_allclose(out, A @ v, rtol=1e-14, atol=1e-14)
    dense = rng.normal(size=400)  # too many ties: the full product, bit for bit
    assert np.array_equal(sparse_first(dense), A @ dense)
    v = np.zeros(400)
    v[7] = 1.0  # from then on the full product (CG's vectors only spread)
    assert np.array_equal(sparse_first(v), A @ v)


@pytest.mark.parametrize("all_free", [True, False])
def test_conjugate_gradients_meet_tolerance_with_self_loops(monkeypatch, all_free):
    """The CG preconditioner leaves out self-loops (no pass reads the diagonal): CG must
    still converge and pass its own true-residual check, with no fixed-point fallback."""
    import scorelab.association as association

    def no_fallback(*args, **kwargs):
        raise AssertionError("CG failed its check and fell back to the fixed point")

    monkeypatch.setattr(association, "_fixed_point", no_fallback)
    rng = np.random.default_rng(22)
    A = random_weighted_graph(80, 0.1, rng, isolated=0 if all_free else 3)
    np.fill_diagonal(A, rng.uniform(0.0, 20.0, 80))  # heavy self-loops
    s = rng.uniform(350, 950, 80)
    lam = rng.uniform(0.05, 0.95, 80)
    if not all_free:
        lam[10:14] = 0.0
    expected = dense_equilibrium_matrix(A, lam) @ s
    for tol in (1e-6, 1e-8, 1e-11):
        got = propagate(sp.csr_array(A), s, alpha=lam, tol=tol).to_numpy()
        assert np.abs(got - expected).max() <= tol * s.max()


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_parallel_product_and_row_sums_are_identical_to_scipy(monkeypatch, threads):
    """Row blocks shared among threads give SciPy's product and row sums bit for bit,
    with empty rows inside and at the end, one or several columns."""
    from scorelab import _graph

    monkeypatch.setattr(_graph, "_MIN_NNZ_PER_THREAD", 20)
    monkeypatch.setattr(_graph, "_thread_count", lambda: threads)
    rng = np.random.default_rng(23)
    matrix = sp.random_array((300, 300), density=0.05, format="csr", rng=rng)
    matrix = sp.csr_array(matrix.multiply(np.isin(np.arange(300), [4, 5, 150, 297, 298, 299],
                                                  invert=True)[:, None]))
    product = _graph.ParallelProduct(matrix)
    if threads > 1:
        assert len(product.cuts) > threads  # more blocks than threads: they are shared
    x = rng.normal(size=300)
    assert np.array_equal(product(x), matrix @ x)
    X = rng.normal(size=(300, 3))
    assert np.array_equal(product(X, out=np.full((300, 3), 5.0)), matrix @ X)
    sums = product.row_sums()
    assert np.array_equal(sums, np.asarray(matrix.sum(axis=1)).ravel())
    assert sums[[4, 5, 150, 297, 298, 299]].tolist() == [0.0] * 6


def test_parallel_product_does_not_wait_for_helpers_that_never_start(monkeypatch):
    """On a loaded machine a helper thread may start late: the calling thread then does
    every block itself rather than wait (here the helper never starts at all)."""
    from scorelab import _graph

    class Stalled:
        def submit(self, *args, **kwargs):
            return None  # the work is never run

    monkeypatch.setattr(_graph, "_MIN_NNZ_PER_THREAD", 20)
    monkeypatch.setattr(_graph, "_thread_count", lambda: 2)
    monkeypatch.setattr(_graph, "thread_pool", lambda: Stalled())
    rng = np.random.default_rng(24)
    matrix = sp.random_array((200, 200), density=0.05, format="csr", rng=rng)
    product = _graph.ParallelProduct(matrix)
    x = rng.normal(size=200)
    assert np.array_equal(product(x), matrix @ x)
    assert np.array_equal(product.row_sums(), np.asarray(matrix.sum(axis=1)).ravel())


def test_one_hop_and_worst_neighbour_closed_forms():
    rng = np.random.default_rng(9)
    A = random_weighted_graph(30, 0.15, rng)
    s = rng.uniform(350, 950, 30)
    W, d = dense_row_normalised(A)
    lam = np.where(d > 0, 0.4, 0.0)
    np.testing.assert_allclose(
        one_hop_mean(sp.csr_array(A), s, alpha=0.4), (1 - lam) * s + lam * (W @ s), atol=1e-9
    )
    expected = []
    for i in range(30):
        neighbours = [j for j in range(30) if A[i, j] > 0 and j != i]
        floor = min([s[i]] + [s[j] for j in neighbours])
        expected.append(s[i] if d[i] == 0 else 0.6 * s[i] + 0.4 * floor)
    np.testing.assert_allclose(worst_neighbour(sp.csr_array(A), s, alpha=0.4), expected)


def test_personalised_pagerank_matches_networkx():
    G = nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=10)
    rng = np.random.default_rng(10)
    s = {i: rng.uniform(350, 950) for i in G}
    ours = personalised_pagerank(G, s, alpha=0.85)
    theirs = nx.pagerank(G, alpha=0.85, personalization=s, tol=1e-13, max_iter=10_000)
    total = sum(s.values())
    np.testing.assert_allclose(ours.to_numpy(), [theirs[i] * total for i in G], rtol=1e-8)
    assert ours.sum() == pytest.approx(total)


def test_tie_weights_change_the_answer():
    G = nx.Graph()
    G.add_edge(0, 1, weight=3.0, kind="family")
    G.add_edge(0, 2, weight=1.0, kind="colleague")
    own = [600.0, 900.0, 300.0]
    weighted = propagate(G, own, alpha=0.5)
    unweighted = propagate(G, own, alpha=0.5, weight=None)
    assert weighted[0] > unweighted[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"alpha": 1.5}, ValueError, "alpha must be <= 1"),
        ({"alpha": -0.1}, ValueError, "alpha must be >= 0"),
        ({"alpha": [0.5, 2.0, 0.1]}, ValueError, "alpha must lie in"),
        ({"alpha": [0.5, 0.5]}, ValueError, "alpha must have one value per citizen"),
        ({"alpha": "high"}, TypeError, "alpha must be"),
        ({"method": "magic"}, ValueError, "method must be one of"),
        ({"tol": 0.0}, ValueError, "tol must be >"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        propagate(nx.path_graph(3), [1.0, 2.0, 3.0], **kwargs)


def test_bad_graphs_and_scores():
    with pytest.raises(ValueError, match="own must be finite"):
        propagate(nx.path_graph(3), [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match="own must be finite"):
        propagate(nx.path_graph(3), [1.0, np.inf, 3.0])
    with pytest.raises(ValueError, match="missing values for 1 of 3"):
        propagate(nx.path_graph(3), {0: 1.0, 1: 2.0})
    with pytest.raises(ValueError, match="one value per citizen"):
        propagate(nx.path_graph(3), [1.0, 2.0])
    G = nx.Graph()
    G.add_edge(0, 1, weight=-1.0)
    with pytest.raises(ValueError, match="negative tie weights"):
        propagate(G, [1.0, 2.0])
    with pytest.raises(ValueError, match="square"):
        propagate(sp.csr_array(np.ones((2, 3))), [1.0, 2.0])
    with pytest.raises(ValueError, match="empty"):
        propagate(nx.Graph(), [])
    with pytest.raises(TypeError, match="networkx Graph"):
        propagate([[0, 1], [1, 0]], [1.0, 2.0])
    G = nx.Graph()
    G.add_edge(0, 1, weight="heavy")
    with pytest.raises(TypeError, match="must be numeric"):
        propagate(G, [1.0, 2.0])
    with pytest.raises(ValueError, match="alpha must be below 1"):
        decompose(nx.path_graph(3), [1.0, 2.0, 3.0], alpha=1.0)
    with pytest.raises(ValueError, match="not in G"):
        contributions(nx.path_graph(3), [1.0, 2.0, 3.0], 7)


def test_inputs_are_not_mutated():
    G = nx.path_graph(4)
    A = nx.to_scipy_sparse_array(G, format="csr")
    before = A.copy()
    own = pd.Series([1.0, 2.0, 3.0, 4.0])
    propagate(A, own, alpha=0.5)
    assert (A != before).nnz == 0
    assert own.tolist() == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "fast"}, "method must be one of"),
    ({"method": "probing", "probes": 0}, "probes"),
    ({"method": "exact", "batch_size": 0}, "batch_size"),
])
def test_decompose_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        decompose(nx.path_graph(4), [1.0, 2.0, 3.0, 4.0], alpha=0.5, **kwargs)
