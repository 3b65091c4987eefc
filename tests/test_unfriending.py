"""What a tie costs, checked against re-solving the equilibrium with the tie removed.

The reference is the obvious one: for every tie, copy the graph, remove the tie, solve
:func:`scorelab.propagate` again and take the difference of the citizen's displayed score.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from scorelab import propagate, tie_effects
from scorelab.unfriending import choose_cuts, cut_gain, gate_value, tie_values
from scorelab.society import homophilous_sbm

TIGHT = 1e-13


def removal_reference(G, own, alpha):
    """Slow reference: one propagate per removed tie (undirected ties from both ends)."""
    before = propagate(G, own, alpha=alpha, tol=TIGHT)
    effects = {}
    for u, v in G.edges():
        if u == v:
            continue
        H = G.copy()
        H.remove_edge(u, v)
        after = propagate(H, own, alpha=alpha, tol=TIGHT)
        effects[(u, v)] = after[u] - before[u]
        if not G.is_directed():
            effects[(v, u)] = after[v] - before[v]
    return effects


def matched(frame, reference):
    return np.array([reference[(c, n)] for c, n in zip(frame["citizen"], frame["neighbour"])])


def weighted(G, rng):
    for u, v in G.edges():
        G[u][v]["weight"] = rng.uniform(0.2, 3.0)
    return G


def graphs(rng):
    yield "barabasi_albert", weighted(nx.barabasi_albert_graph(60, 2, seed=1), rng)
    yield "watts_strogatz", nx.watts_strogatz_graph(50, 4, 0.1, seed=2)
    yield "block", nx.stochastic_block_model([30, 30], [[0.15, 0.02], [0.02, 0.15]], seed=3)
    yield "directed", weighted(nx.gnp_random_graph(40, 0.1, seed=4, directed=True), rng)


@pytest.mark.parametrize("case", range(4))
def test_exact_matches_re_solving_without_the_tie(case):
    rng = np.random.default_rng(case)
    name, G = list(graphs(rng))[case]
    nodes = list(G)
    own = pd.Series(rng.uniform(350, 950, len(nodes)), index=nodes)
    alpha = pd.Series(rng.uniform(0.0, 0.7, len(nodes)), index=nodes)  # per citizen
    frame = tie_effects(G, own, alpha=alpha)
    reference = removal_reference(G, own, alpha)
    off_diagonal = sum(1 for u, v in G.edges() if u != v)
    assert len(frame) == off_diagonal * (1 if G.is_directed() else 2), name
    assert list(frame.columns) == ["citizen", "neighbour", "effect"]
    np.testing.assert_allclose(frame["effect"], matched(frame, reference), atol=1e-6)
    assert np.abs(frame["effect"]).max() > 1.0  # the check is not vacuous


def test_removal_that_isolates_a_citizen_leaves_their_own_score():
    G = nx.star_graph(5)  # the hub 0 and five leaves
    G.add_edge(1, 2)
    own = np.array([400.0, 900.0, 800.0, 700.0, 600.0, 500.0])
    x = propagate(G, own, alpha=0.4).to_numpy()
    for method in ("exact", "first_order"):
        frame = tie_effects(G, own, alpha=0.4, method=method).set_index(["citizen", "neighbour"])
        for leaf in (3, 4, 5):  # their only tie is to the hub
            assert frame.loc[(leaf, 0), "effect"] == pytest.approx(own[leaf] - x[leaf], abs=1e-9)
    exact = tie_effects(G, own, alpha=0.4)
    np.testing.assert_allclose(exact["effect"], matched(exact, removal_reference(G, own, 0.4)),
                               atol=1e-6)


def test_self_loops_and_citizens_immune_to_association():
    G = nx.path_graph(4)
    nx.set_edge_attributes(G, 1.0, "weight")
    G.add_edge(1, 1, weight=2.0)
    own = [900.0, 500.0, 700.0, 300.0]
    alpha = [0.5, 0.0, 0.3, 0.6]  # citizen 1 is not moved by association
    frame = tie_effects(G, own, alpha=alpha)
    assert not (frame["citizen"] == frame["neighbour"]).any()
    assert (frame.loc[frame["citizen"] == 1, "effect"] == 0).all()
    np.testing.assert_allclose(frame["effect"], matched(frame, removal_reference(G, own, alpha)),
                               atol=1e-6)
    first = tie_effects(G, own, alpha=alpha, method="first_order")
    assert np.abs(first["effect"] - frame["effect"]).max() <= 0.05 * np.abs(frame["effect"]).max()


def test_matrices_symmetric_is_undirected_otherwise_directed():
    rng = np.random.default_rng(5)
    G = weighted(nx.gnp_random_graph(30, 0.2, seed=5), rng)
    own = rng.uniform(350, 950, 30)
    undirected = tie_effects(nx.to_scipy_sparse_array(G), own, alpha=0.5)
    from_graph = tie_effects(G, own, alpha=0.5)
    np.testing.assert_allclose(undirected["effect"], from_graph["effect"], atol=1e-8)
    D = weighted(nx.gnp_random_graph(30, 0.2, seed=6, directed=True), rng)
    directed = tie_effects(nx.to_scipy_sparse_array(D), own, alpha=0.5)
    np.testing.assert_allclose(directed["effect"], tie_effects(D, own, alpha=0.5)["effect"],
                               atol=1e-8)


def test_labels_displayed_and_society_input():
    G = nx.relabel_nodes(nx.cycle_graph(5), {i: f"c{i}" for i in range(5)})
    own = {f"c{i}": 400.0 + 100 * i for i in range(5)}
    frame = tie_effects(G, own, alpha=0.3)
    assert frame["citizen"].iloc[0] == "c0" and set(frame["neighbour"]) == set(own)
    given = tie_effects(G, own, alpha=0.3, displayed=propagate(G, own, alpha=0.3))
    np.testing.assert_allclose(given["effect"], frame["effect"], atol=1e-6)
    society = homophilous_sbm(80, mean_degree=4.0, homophily=0.7, rng=7)
    own = np.random.default_rng(8).uniform(350, 950, 80)
    on_society = tie_effects(society, own, alpha=0.4)
    A = society.adjacency()
    assert len(on_society) == A.nnz
    np.testing.assert_allclose(on_society["effect"], tie_effects(A, own, alpha=0.4)["effect"],
                               atol=1e-8)


@pytest.mark.parametrize("alpha, bound", [(0.2, 0.05), (0.5, 0.05), (0.8, 0.1)])
def test_first_order_within_its_stated_error(alpha, bound):
    rng = np.random.default_rng(9)
    cases = [(400, nx.barabasi_albert_graph(400, 3, seed=10)),
             (400, nx.watts_strogatz_graph(400, 10, 0.05, seed=11)),
             (300, nx.gnp_random_graph(300, 0.02, seed=12, directed=True)),
             (400, homophilous_sbm(400, mean_degree=6.0, homophily=0.8, rng=13))]
    for n, G in cases:
        own = rng.uniform(350, 950, n)
        exact = tie_effects(G, own, alpha=alpha)["effect"].to_numpy()
        approx = tie_effects(G, own, alpha=alpha, method="first_order")["effect"].to_numpy()
        largest = np.abs(exact).max()
        assert np.abs(approx - exact).max() <= bound * largest
        clear = np.abs(exact) > 0.15 * largest
        assert (np.sign(approx[clear]) == np.sign(exact[clear])).all()
        assert not np.allclose(approx, exact, atol=1e-9 * largest)  # an approximation


def test_no_association_no_effect():
    G = nx.karate_club_graph()
    own = np.linspace(350, 950, G.number_of_nodes())
    for method in ("exact", "first_order"):
        assert (tie_effects(G, own, alpha=0.0, method=method)["effect"] == 0).all()


def test_validation():
    G = nx.path_graph(3)
    with pytest.raises(ValueError, match="method must be one of"):
        tie_effects(G, [1.0, 2.0, 3.0], alpha=0.5, method="dense")
    with pytest.raises(ValueError, match="alpha must be below 1"):
        tie_effects(G, [1.0, 2.0, 3.0], alpha=1.0)
    with pytest.raises(ValueError, match="alpha must lie in"):
        tie_effects(G, [1.0, 2.0, 3.0], alpha=[0.1, 0.2, 1.5])
    with pytest.raises(ValueError, match="own must have one value per citizen"):
        tie_effects(G, [1.0, 2.0], alpha=0.5)
    with pytest.raises(ValueError, match="displayed must be finite"):
        tie_effects(G, [1.0, 2.0, 3.0], alpha=0.5, displayed=[1.0, np.nan, 3.0])
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        tie_effects(G, [1.0, 2.0, 3.0], alpha=0.5, batch_size=2.5)
    with pytest.raises(ValueError, match="tol must be > 0"):
        tie_effects(G, [1.0, 2.0, 3.0], alpha=0.5, tol=0)
    with pytest.raises(TypeError, match="G must be a networkx Graph"):
        tie_effects([[0, 1], [1, 0]], [1.0, 2.0], alpha=0.5)


# --------------------------------------------------------------------------- strategic unfriending


def slow_choose_cuts(citizen, gain, tie_value, rationality, cap, noise):
    """Per-citizen reference: rank each citizen's candidate ties by their urge, keep ``cap``."""
    cut = [False] * len(gain)
    for person in sorted(set(citizen)):
        mine = [k for k in range(len(gain)) if citizen[k] == person]
        urges = {}
        for k in mine:
            net = gain[k] - tie_value[k]
            urges[k] = net if rationality == np.inf else rationality * net + noise[k]
        candidates = [k for k in mine if urges[k] > 0]
        candidates.sort(key=lambda k: -urges[k])
        limit = cap if isinstance(cap, int) else cap[person]
        for k in candidates[:limit]:
            cut[k] = True
    return np.array(cut)


def test_gate_value_is_a_smooth_step():
    thresholds, stakes = [450.0, 550.0, 650.0], [4.0, 2.0, 1.0]
    scores = np.linspace(300, 950, 651)
    value = gate_value(scores, thresholds, stakes, 15.0)
    assert (np.diff(value) > 0).all() and value.min() > 0 and value.max() < sum(stakes)
    step = sum(s * (scores >= t) for t, s in zip(thresholds, stakes))
    sharp = gate_value(scores, thresholds, stakes, 1e-3)
    away = np.min(np.abs(scores[:, None] - np.array(thresholds)), axis=1) > 0.5
    np.testing.assert_allclose(sharp[away], step[away], atol=1e-9)
    # a point just below a threshold is worth more than a point far above every one
    point = gate_value([649.0, 650.0, 900.0, 901.0], thresholds, stakes, 15.0)
    assert point[1] - point[0] > 100 * (point[3] - point[2])
    # per-gate softness, any shape of scores
    grid = gate_value(scores.reshape(3, 217), thresholds, stakes, [10.0, 20.0, 30.0])
    assert grid.shape == (3, 217)
    with pytest.raises(ValueError, match="one value per gate"):
        gate_value(scores, thresholds, [1.0], 15.0)
    with pytest.raises(ValueError, match="stakes must be >= 0"):
        gate_value(scores, thresholds, [1.0, -1.0, 1.0], 15.0)
    with pytest.raises(ValueError, match="softness must be > 0"):
        gate_value(scores, thresholds, stakes, 0.0)


def test_cut_gain_is_zero_without_association():
    G = nx.barabasi_albert_graph(200, 3, seed=20)
    own = np.random.default_rng(21).uniform(350, 950, 200)
    gates = dict(thresholds=[450.0, 650.0], stakes=[3.0, 1.0], softness=20.0)
    displayed = propagate(G, own, alpha=0.0).to_numpy()
    none = tie_effects(G, own, alpha=0.0, method="first_order")
    assert (cut_gain(displayed, none["citizen"].to_numpy(), none["effect"].to_numpy(), **gates)
            == 0).all()
    displayed = propagate(G, own, alpha=0.5).to_numpy()
    some = tie_effects(G, own, alpha=0.5, method="first_order")
    gain = cut_gain(displayed, some["citizen"].to_numpy(), some["effect"].to_numpy(), **gates)
    # a gain has the sign of the effect (the value rises with the score)
    assert (np.sign(gain) == np.sign(some["effect"])).all() and np.abs(gain).max() > 0


@pytest.mark.parametrize("rationality, cap", [(2.0, 1), (0.5, 2), (np.inf, 1), (1.0, "each")])
def test_choose_cuts_matches_the_per_citizen_reference(rationality, cap):
    rng = np.random.default_rng(22)
    citizen = np.sort(rng.integers(0, 40, 400))
    gain = rng.normal(0.0, 2.0, 400)
    value = rng.exponential(1.0, 400)
    if cap == "each":
        cap = rng.integers(0, 4, 40)
    cuts = choose_cuts(citizen, gain, value, rationality=rationality, cap=cap, rng=23)
    noise = np.random.default_rng(23).logistic(size=400)
    expected = slow_choose_cuts(citizen.tolist(), gain, value, rationality, cap, noise)
    np.testing.assert_array_equal(cuts, expected)
    assert 0 < cuts.sum() < len(cuts)
    if rationality == np.inf:  # no draws: ties need not be grouped by citizen
        shuffle = rng.permutation(400)
        again = choose_cuts(citizen[shuffle], gain[shuffle], value[shuffle],
                            rationality=rationality, cap=cap)
        np.testing.assert_array_equal(again, cuts[shuffle])


def test_choose_cuts_is_a_logit_without_a_cap():
    m = 200_000
    net = np.repeat([-2.0, 0.0, 1.0], m // 2)
    cuts = choose_cuts(np.arange(len(net)), net, np.zeros_like(net), rationality=1.5, cap=1,
                       rng=24)
    for level in (-2.0, 0.0, 1.0):
        share = cuts[net == level].mean()
        assert share == pytest.approx(1 / (1 + np.exp(-1.5 * level)), abs=4 / np.sqrt(m / 2))
    # no motive, no strategic cut under full rationality; nothing above the cap
    assert not choose_cuts([0, 0], [0.0, 0.0], [0.0, 0.0], rationality=np.inf, cap=2).any()
    assert not choose_cuts([0, 0], [5.0, 5.0], [0.0, 0.0], rationality=np.inf, cap=0).any()


def test_choose_cuts_validation():
    with pytest.raises(ValueError, match="gain and tie_value must have one value per tie"):
        choose_cuts([0, 1], [1.0, 2.0], [1.0], rationality=1.0, cap=1)
    with pytest.raises(ValueError, match="rationality must be >= 0"):
        choose_cuts([0], [1.0], [1.0], rationality=-1.0, cap=1)
    with pytest.raises(ValueError, match="cap must be >= 0"):
        choose_cuts([0], [1.0], [1.0], rationality=1.0, cap=-1)
    with pytest.raises(ValueError, match="cap must have one value per citizen"):
        choose_cuts([0, 3], [1.0, 1.0], [1.0, 1.0], rationality=1.0, cap=np.array([1, 1]))
    with pytest.raises(TypeError, match="citizen must be a 1-dimensional array"):
        choose_cuts([0.5], [1.0], [1.0], rationality=1.0, cap=1)
    with pytest.raises(ValueError, match="gain must be finite"):
        choose_cuts([0], [np.nan], [1.0], rationality=1.0, cap=1)


def test_tie_values_by_kind():
    society = homophilous_sbm(300, mean_degree=6.0, rng=25)
    kinds = society.ties["kind"]
    worth = {"family": 4.0, "friend": 2.0, "neighbour": 1.0, "colleague": 0.5}
    exact = tie_values(kinds, worth)
    np.testing.assert_array_equal(exact, kinds.astype(str).map(worth).to_numpy())
    noisy = tie_values(kinds, worth, noise=0.3, rng=26)
    residual = noisy - exact
    assert abs(residual.mean()) < 4 * 0.3 / np.sqrt(len(residual))
    assert residual.std() == pytest.approx(0.3, rel=0.1)
    np.testing.assert_array_equal(noisy, tie_values(kinds, worth, noise=0.3, rng=26))
    with pytest.raises(ValueError, match="no value for the tie kind"):
        tie_values(["family", "enemy"], worth)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        tie_values(["family"], worth, noise=-1.0)
    with pytest.raises(ValueError, match="must be >= 0"):
        tie_values(["family"], {"family": -1.0})
