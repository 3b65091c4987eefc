"""Metrics checked against slow references, closed forms and NetworkX.

References used: the O(n^2) mean-absolute-difference Gini; NetworkX's
``numeric_assortativity_coefficient``, connected components and
``community.modularity``; hand-worked entropies, gaps and access rates.
"""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab.dynamics import GameConfig, simulate
from scorelab.metrics import (
    GAME_MEASURES,
    Fragmentation,
    GameState,
    Measure,
    behaviour_diversity,
    expression_gap,
    fragmentation,
    game_measures,
    gate_access_rates,
    gini,
    group_modularity,
    isolation_rate,
    score_assortativity,
)
from scorelab.scoring import DOMAINS, ActRecord
from scorelab.society import homophilous_sbm


def slow_gini(values):
    """Mean absolute difference over all ordered pairs, halved, over the mean."""
    x = list(values)
    n = len(x)
    mean = sum(x) / n
    if mean == 0:
        return 0.0
    return sum(abs(a - b) for a in x for b in x) / (2 * n * n * mean)


def random_graph(n, p, seed, *, directed=False, weighted=False):
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for u, v in G.edges():
        G[u][v]["weight"] = float(rng.integers(1, 5)) if weighted else 1.0
    return G


# ----------------------------------------------------------------------------------------
# gini
# ----------------------------------------------------------------------------------------


@settings(max_examples=150)
@given(st.lists(st.floats(0, 1e6, allow_nan=False, allow_subnormal=False), min_size=1,
                max_size=40))
def test_gini_matches_pair_sum(values):
    assert gini(values) == pytest.approx(slow_gini(values), rel=1e-9, abs=1e-12)


@settings(max_examples=60)
@given(
    st.lists(st.floats(0.01, 1e4), min_size=2, max_size=30),
    st.floats(0.01, 100.0),
    st.randoms(use_true_random=False),
)
def test_gini_is_scale_and_order_free(values, factor, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    g = gini(values)
    assert gini(shuffled) == pytest.approx(g, abs=1e-12)
    assert gini([factor * v for v in values]) == pytest.approx(g, abs=1e-9)
    assert 0 <= g <= 1 - 1 / len(values) + 1e-12


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1000])
def test_gini_closed_forms(n):
    assert gini(np.full(n, 7.5)) == 0.0
    assert gini(np.zeros(n)) == 0.0
    one_holds_all = np.zeros(n)
    one_holds_all[-1] = 42.0
    assert gini(one_holds_all) == pytest.approx((n - 1) / n)


def test_gini_by_group():
    values = pd.Series([1.0, 3.0, 2.0, 2.0, 5.0], index=[10, 11, 12, 13, 14])
    groups = pd.Series(["b", "a", "a", "b", "a"], index=[14, 13, 12, 11, 10])  # aligned by label
    result = gini(values, groups=groups)
    assert result.name == "gini"
    assert result.index.tolist() == ["a", "b"]
    assert result["a"] == pytest.approx(slow_gini([1.0, 2.0, 2.0]))  # citizens 10, 12, 13
    assert result["b"] == pytest.approx(slow_gini([3.0, 5.0]))  # citizens 11, 14
    categorical = pd.Categorical(["x", "x", "x", "x", "x"], categories=["x", "empty"])
    by_category = gini(values.to_numpy(), groups=categorical)
    assert by_category.index.tolist() == ["x", "empty"]
    assert by_category["x"] == pytest.approx(gini(values)) and np.isnan(by_category["empty"])


def test_gini_bad_input():
    with pytest.raises(ValueError, match="values must be finite"):
        gini([1.0, np.nan])
    with pytest.raises(ValueError, match="values must be >= 0 for a Gini coefficient; got -1.0"):
        gini([3.0, -1.0])
    with pytest.raises(ValueError, match="values is empty"):
        gini([])
    with pytest.raises(TypeError, match="values must be numeric"):
        gini(["a", "b"])
    with pytest.raises(ValueError, match="values must be 1-dimensional"):
        gini([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"groups must have one label per citizen \(3\), got 2"):
        gini([1.0, 2.0, 3.0], groups=["a", "b"])
    with pytest.raises(ValueError, match="groups has missing labels"):
        gini([1.0, 2.0, 3.0], groups=["a", None, "b"])
    with pytest.raises(ValueError, match="groups is missing labels for 1 of 2"):
        gini(pd.Series([1.0, 2.0], index=["p", "q"]), groups=pd.Series({"p": "a"}))


# ----------------------------------------------------------------------------------------
# score_assortativity
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_assortativity_matches_networkx(directed, seed):
    G = random_graph(40, 0.12, seed, directed=directed)
    rng = np.random.default_rng(seed)
    scores = {node: float(rng.integers(350, 950)) for node in G}
    nx.set_node_attributes(G, scores, "score")
    expected = nx.numeric_assortativity_coefficient(G, "score")
    assert score_assortativity(G, scores) == pytest.approx(expected, abs=1e-10)
    # the same graph as a matrix in node order
    A = nx.to_scipy_sparse_array(G, nodelist=list(G), weight=None)
    assert score_assortativity(A, [scores[v] for v in G]) == pytest.approx(expected, abs=1e-10)


def test_assortativity_weights_count_as_repeated_ties():
    G = random_graph(30, 0.2, 5, weighted=True)
    rng = np.random.default_rng(5)
    scores = rng.normal(600, 100, size=30)
    pairs = [(u, v) for u, v, w in G.edges(data="weight") for _ in range(int(w))]
    x = [scores[u] for u, v in pairs] + [scores[v] for u, v in pairs]
    y = [scores[v] for u, v in pairs] + [scores[u] for u, v in pairs]
    expected = np.corrcoef(x, y)[0, 1]
    assert score_assortativity(G, scores, weight="weight") == pytest.approx(expected)
    assert score_assortativity(G, scores) != pytest.approx(expected)


def test_assortativity_undefined_cases():
    assert np.isnan(score_assortativity(nx.empty_graph(3), [1.0, 2.0, 3.0]))
    assert np.isnan(score_assortativity(nx.path_graph(3), [5.0, 5.0, 5.0]))
    # path 1-2-3: ends (1,2), (2,1), (2,3), (3,2) have covariance 0
    assert score_assortativity(nx.path_graph(3), [1.0, 2.0, 3.0]) == 0.0
    # a star whose centre outscores its leaves is perfectly disassortative
    assert score_assortativity(nx.star_graph(3), [9.0, 1.0, 1.0, 1.0]) == -1.0


def test_assortativity_bad_input():
    with pytest.raises(ValueError, match="scores must be finite"):
        score_assortativity(nx.path_graph(3), [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"scores must have one value per citizen \(3\)"):
        score_assortativity(nx.path_graph(3), [1.0, 2.0])
    with pytest.raises(ValueError, match="scores is missing values"):
        score_assortativity(nx.path_graph(3), {0: 1.0, 1: 2.0})
    with pytest.raises(TypeError, match="G must be"):
        score_assortativity("graph", [1.0])


# ----------------------------------------------------------------------------------------
# fragmentation and isolation
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_fragmentation_matches_networkx(seed):
    G = random_graph(60, 0.025, seed)
    G.add_edge(0, 0)  # a self-tie connects no one
    expected_components = list(nx.connected_components(G))
    result = fragmentation(G)
    assert isinstance(result, Fragmentation)
    assert result.n_components == len(expected_components)
    assert result.largest_share == max(map(len, expected_components)) / 60
    lonely = sum(1 for v in G if all(u == v for u in G[v]))
    assert result.isolated_share == lonely / 60
    D = random_graph(60, 0.02, seed, directed=True)
    weak = list(nx.weakly_connected_components(D))
    assert fragmentation(D).n_components == len(weak)
    assert fragmentation(D).largest_share == max(map(len, weak)) / 60


def slow_isolation(G, scores, quantile, min_degree, members=None):
    nodes = list(G)
    ordered = sorted(scores[v] for v in nodes)
    cut = ordered[math.floor(quantile * (len(nodes) - 1))]
    low = [v for v in nodes if scores[v] <= cut and (members is None or v in members)]
    if not low:
        return np.nan
    neighbours = {v: set(nx.all_neighbors(G, v)) - {v} for v in nodes}
    return sum(len(neighbours[v]) < min_degree for v in low) / len(low)


@pytest.mark.parametrize("quantile", [0.05, 0.1, 0.3, 1.0])
@pytest.mark.parametrize("min_degree", [1, 2])
def test_isolation_rate_matches_slow_reference(quantile, min_degree):
    G = random_graph(80, 0.03, 7)
    rng = np.random.default_rng(7)
    scores = {v: float(rng.integers(350, 950)) for v in G}  # ties at the cut-off happen
    groups = {v: "minority" if v % 4 == 0 else "majority" for v in G}
    assert isolation_rate(G, scores, quantile=quantile, min_degree=min_degree) == \
        pytest.approx(slow_isolation(G, scores, quantile, min_degree))
    by_group = isolation_rate(G, scores, quantile=quantile, min_degree=min_degree,
                              groups=pd.Series(groups))
    for group in ("majority", "minority"):
        members = {v for v in G if groups[v] == group}
        expected = slow_isolation(G, scores, quantile, min_degree, members)
        assert by_group[group] == pytest.approx(expected, nan_ok=True)


def test_isolation_rate_by_group_without_low_scorers():
    G = nx.path_graph(4)
    G.add_node(4)
    result = isolation_rate(G, [100, 900, 900, 900, 200], quantile=0.25,
                            groups=["low", "high", "high", "high", "low"])
    assert result.name == "isolation_rate"
    assert result["low"] == 0.5 and np.isnan(result["high"])


def test_isolation_rate_directed_ties_count_either_way():
    D = nx.DiGraph([(0, 1)])
    D.add_node(2)
    assert isolation_rate(D, [1.0, 2.0, 3.0], quantile=1.0) == pytest.approx(1 / 3)


def test_isolation_rate_bad_input():
    G = nx.path_graph(3)
    with pytest.raises(ValueError, match="quantile must be > 0.0"):
        isolation_rate(G, [1.0, 2.0, 3.0], quantile=0.0)
    with pytest.raises(ValueError, match="quantile must be <= 1.0"):
        isolation_rate(G, [1.0, 2.0, 3.0], quantile=1.5)
    with pytest.raises(ValueError, match="min_degree must be >= 1"):
        isolation_rate(G, [1.0, 2.0, 3.0], min_degree=0)
    with pytest.raises(ValueError, match="scores must be finite"):
        isolation_rate(G, [1.0, np.inf, 3.0])


# ----------------------------------------------------------------------------------------
# group_modularity
# ----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(
    n=st.integers(2, 25),
    p=st.floats(0.05, 0.5),
    n_groups=st.integers(1, 4),
    directed=st.booleans(),
    weighted=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_modularity_matches_networkx(n, p, n_groups, directed, weighted, seed):
    G = random_graph(n, p, seed, directed=directed, weighted=weighted)
    labels = np.random.default_rng(seed).integers(n_groups, size=n)
    if G.number_of_edges() == 0:
        assert np.isnan(group_modularity(G, labels))
        return
    communities = [set(np.flatnonzero(labels == g)) for g in range(n_groups)]
    communities = [c for c in communities if c]
    expected = nx.community.modularity(G, communities, weight="weight")
    assert group_modularity(G, labels) == pytest.approx(expected, abs=1e-12)


def test_modularity_of_a_society_uses_its_groups():
    society = homophilous_sbm(400, mean_degree=8.0, homophily=0.9, rng=1)
    mixed = homophilous_sbm(400, mean_degree=8.0, homophily=0.0, rng=1)
    assert group_modularity(society) == pytest.approx(
        group_modularity(society, society.citizens["group"]))
    assert group_modularity(society) > group_modularity(mixed) + 0.1
    with pytest.raises(TypeError, match="groups is required unless G is a Society"):
        group_modularity(nx.path_graph(3))
    with pytest.raises(ValueError, match="groups must have one label per citizen"):
        group_modularity(nx.path_graph(3), [0, 1])


# ----------------------------------------------------------------------------------------
# behaviour_diversity
# ----------------------------------------------------------------------------------------


def test_behaviour_diversity_hand_worked():
    assert behaviour_diversity([0.9, 0.9, 0.95, 0.99]) == 0.0  # everyone in the top bin
    assert behaviour_diversity([0.5, 0.5, 0.5]) == 0.0  # all alike, however erratic
    assert behaviour_diversity([0.0, 1.0]) == 1.0
    assert behaviour_diversity([0.0, 0.3, 0.6, 0.9]) == 2.0
    assert behaviour_diversity([0.0, 0.3, 0.6, 0.9], bins=2) == 1.0
    assert behaviour_diversity([0.0, 0.3, 0.6, 0.9], bins=1) == 0.0
    # profiles: (0, 9) twice, (0, 2) once, (5, 9) once -> shares 1/2, 1/4, 1/4
    rates = pd.DataFrame([[0.05, 0.9], [0.05, 0.95], [0.05, 0.2], [0.5, 0.9]])
    assert behaviour_diversity(rates) == 1.5


def test_behaviour_diversity_from_acts_and_by_group():
    approved = pd.DataFrame([[4, 0, 2, 1], [4, 0, 2, 1], [0, 0, 0, 0], [1, 1, 1, 1]],
                            columns=DOMAINS, dtype=float)
    disapproved = pd.DataFrame([[0, 4, 2, 1], [0, 4, 2, 1], [0, 0, 0, 0], [1, 1, 1, 1]],
                               columns=DOMAINS, dtype=float)
    record = ActRecord(approved, disapproved)
    # rows 0 and 1 share a profile; row 2 (no acts anywhere) and row 3 differ: 1/2, 1/4, 1/4
    assert behaviour_diversity(record) == 1.5
    by_group = behaviour_diversity(record, groups=pd.Series(["a", "b", "a", "a"]))
    assert by_group.name == "behaviour_diversity"
    assert by_group["a"] == pytest.approx(math.log2(3)) and by_group["b"] == 0.0


@settings(max_examples=60)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60),
    st.integers(1, 20),
)
def test_behaviour_diversity_bounds(rates, bins):
    h = behaviour_diversity(rates, bins=bins)
    assert 0.0 <= h <= math.log2(min(len(rates), bins)) + 1e-12
    assert behaviour_diversity(sorted(rates), bins=bins) == pytest.approx(h)


def test_behaviour_diversity_bad_input():
    with pytest.raises(ValueError, match=r"acts_or_rates must be approval rates in \[0, 1\]"):
        behaviour_diversity([0.2, 1.2])
    with pytest.raises(ValueError, match="acts_or_rates must be finite"):
        behaviour_diversity([0.2, np.nan])
    with pytest.raises(ValueError, match="acts_or_rates is empty"):
        behaviour_diversity([])
    with pytest.raises(ValueError, match="bins must be >= 1"):
        behaviour_diversity([0.2], bins=0)
    with pytest.raises(TypeError, match="acts_or_rates must be approval rates"):
        behaviour_diversity("0.5")


# ----------------------------------------------------------------------------------------
# expression_gap
# ----------------------------------------------------------------------------------------


def test_expression_gap_hand_worked_and_by_group():
    private = pd.Series([0.5, 0.25, 0.25, 0.0], index=["w", "x", "y", "z"])
    expressed = pd.Series([0.0, 0.0, 0.25, 0.25], index=["z", "y", "x", "w"])  # by label
    assert expression_gap(private, expressed) == pytest.approx(0.125)
    assert expression_gap(private, expressed, relative=True) == pytest.approx(0.5)
    groups = pd.Series({"w": "a", "x": "a", "y": "b", "z": "b"})
    by_group = expression_gap(private, expressed, groups=groups)
    assert by_group.name == "expression_gap"
    assert by_group.to_dict() == pytest.approx({"a": 0.125, "b": 0.125})
    relative = expression_gap(private, expressed, groups=groups, relative=True)
    assert relative["a"] == pytest.approx(0.25 / 0.75) and relative["b"] == 1.0
    assert np.isnan(expression_gap([0.0, 0.0], [0.0, 0.0], relative=True))


def test_expression_gap_from_act_records():
    zero = [0.0] * 4
    private = ActRecord(
        pd.DataFrame([[6.0, 0, 0, 0], [4.0, 0, 0, 0], zero], columns=DOMAINS),
        pd.DataFrame([[2.0, 0, 0, 0], [4.0, 0, 0, 0], zero], columns=DOMAINS),
    )
    expressed = ActRecord(
        pd.DataFrame([[6.0, 0, 0, 0], [4.0, 0, 0, 0], zero], columns=DOMAINS),
        pd.DataFrame([[0.0, 0, 0, 0], [1.0, 0, 0, 0], zero], columns=DOMAINS),
    )
    # rates: private 2/8, 4/8; expressed 0/6, 1/5; citizen 2 has no acts and is left out
    assert expression_gap(private, expressed) == pytest.approx(((0.25 - 0) + (0.5 - 0.2)) / 2)


def test_expression_gap_bad_input():
    with pytest.raises(ValueError, match="private and expressed must have one rate per citizen"):
        expression_gap([0.1, 0.2], [0.1])
    with pytest.raises(ValueError, match=r"expressed must be rates in \[0, 1\]"):
        expression_gap([0.1, 0.2], [0.1, -0.2])
    with pytest.raises(ValueError, match="private must be finite"):
        expression_gap([np.nan, 0.2], [0.1, 0.2])
    with pytest.raises(ValueError, match="private and expressed must cover the same citizens"):
        expression_gap(pd.Series([0.1], index=["a"]), pd.Series([0.1], index=["b"]))
    record = ActRecord(pd.DataFrame([[1.0] * 4], columns=DOMAINS),
                       pd.DataFrame([[1.0] * 4], columns=DOMAINS))
    with pytest.raises(TypeError, match="both be ActRecords or both be rates"):
        expression_gap(record, [0.5])
    with pytest.raises(ValueError, match="expressed is empty"):
        expression_gap([0.1], [])


# ----------------------------------------------------------------------------------------
# gate_access_rates
# ----------------------------------------------------------------------------------------


def test_gate_access_rates_hand_worked():
    scores = pd.Series([400.0, 650.0, 700.0, 900.0, 500.0])
    thresholds = {"credit": 650, "travel": 600, "utilities": 450}
    rates = gate_access_rates(scores, thresholds)
    assert rates.index.name == "gate" and rates.name == "access_rate"
    assert rates.to_dict() == {"credit": 0.6, "travel": 0.6, "utilities": 0.8}  # 650 passes
    table = gate_access_rates(scores, pd.Series(thresholds),
                              groups=["minority", "majority", "majority", "majority",
                                      "minority"])
    assert table.index.tolist() == ["majority", "minority"]
    assert table.loc["minority"].tolist() == [0.0, 0.0, 0.5]
    assert table.loc["majority"].tolist() == [1.0, 1.0, 1.0]


def test_gate_access_rates_bad_input():
    with pytest.raises(TypeError, match="thresholds must map gate names to scores"):
        gate_access_rates([500.0], 650)
    with pytest.raises(ValueError, match="thresholds is empty"):
        gate_access_rates([500.0], {})
    with pytest.raises(ValueError, match=r"thresholds\['credit'\] must be finite"):
        gate_access_rates([500.0], {"credit": np.nan})
    with pytest.raises(ValueError, match="scores must be finite"):
        gate_access_rates([np.nan], {"credit": 600})


# ----------------------------------------------------------------------------------------
# the citizen game's measures
# ----------------------------------------------------------------------------------------


def test_game_measures_agree_with_each_metric():
    """The history's last row, recomputed from the run's final state with the public
    metrics: one definition of each quantity. Half the citizens take part (opt-in phase),
    so the participants-only measures read a sub-network."""
    society = homophilous_sbm(400, mean_degree=6.0, homophily=0.8, rng=3)
    config = GameConfig(mandatory_step=50, join_rate=0.5, ostracism=0.2)
    result = simulate(society, config, n_steps=4, rng=5, record=[3])
    row = result.wide().iloc[-1]
    final = result.society
    panel = result.panel.set_index("citizen")
    joined = panel["participant"].to_numpy()
    assert 1 < joined.sum() < len(joined)
    displayed = panel.loc[joined, "displayed"]
    among = final.adjacency()[joined][:, joined]
    groups = final.citizens["group"]
    parts = fragmentation(final)
    expected = {
        "participation": joined.mean(),
        "mean_displayed": displayed.mean(),
        "gini_displayed": gini(displayed),
        "gini_wealth": gini(panel["wealth"]),
        "ties": final.n_ties,
        "components": parts.n_components,
        "largest_component_share": parts.largest_share,
        "score_assortativity": score_assortativity(among, displayed.to_numpy()),
        "isolation_low_scorers": isolation_rate(among, displayed.to_numpy()),
        "mean_wealth_minority": panel.loc[groups == "minority", "wealth"].mean(),
        "mean_strength_majority": panel.loc[groups == "majority", "degree"].mean(),
        "mean_displayed_minority": displayed[groups[joined] == "minority"].mean(),
    }
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, rel=1e-12), key
    # tie counts and crossings, from the final tie list (independent of the engine's CSR)
    codes = groups.cat.codes.to_numpy()
    ties = final.ties
    source, target = ties["source"].to_numpy(), ties["target"].to_numpy()
    across = codes[source] != codes[target]
    count = np.bincount(source, minlength=len(codes)) + np.bincount(target, minlength=len(codes))
    crossing = (np.bincount(source[across], minlength=len(codes))
                + np.bincount(target[across], minlength=len(codes)))
    assert row["cross_group_ties"] == int(across.sum())
    assert row["cross_group_share"] == pytest.approx(across.sum() / len(ties), rel=1e-12)
    assert row["mean_degree"] == pytest.approx(2 * len(ties) / len(codes), rel=1e-12)
    for label in ("majority", "minority"):
        member = (groups == label).to_numpy()
        assert row[f"mean_degree_{label}"] == pytest.approx(count[member].mean(), rel=1e-12)
        assert row[f"cross_group_share_{label}"] == pytest.approx(
            crossing[member].sum() / count[member].sum(), rel=1e-12)
    # two groups: every crossing has one end in each, but their shares differ
    assert row["cross_group_share_majority"] != row["cross_group_share_minority"]
    # the weighted degree exceeds the tie count (tie weights above 1), the count is not it
    assert row["mean_strength_majority"] > row["mean_degree_majority"]


def test_simulate_records_the_measures_it_is_given():
    society = homophilous_sbm(200, rng=1)
    full = simulate(society, GameConfig(), n_steps=3, rng=2).wide()
    assert list(full.columns) == ["step"] + [m.name for m in GAME_MEASURES if not m.by_group] + [
        f"{m.name}_{g}" for g in ("majority", "minority") for m in GAME_MEASURES if m.by_group]
    chosen = simulate(society, GameConfig(), n_steps=3, rng=2,
                      measures=["gini_wealth", "access_credit[group]"])
    assert chosen.history[["measure", "group"]].drop_duplicates().values.tolist() == [
        ["gini_wealth", "all"], ["access_credit", "majority"], ["access_credit", "minority"]]
    chosen = chosen.wide()
    assert list(chosen.columns) == ["step", "gini_wealth", "access_credit_majority",
                                    "access_credit_minority"]
    pd.testing.assert_frame_equal(chosen, full[chosen.columns])  # same run, fewer columns
    rich = simulate(society, GameConfig(), n_steps=3, rng=2,
                    measures={"rich": lambda state: float((state.wealth > 1.0).mean())}).wide()
    assert list(rich.columns) == ["step", "rich"]
    assert rich["rich"].between(0, 1).all()
    grouped = Measure("richest", lambda s: [s.wealth[m].max() for m in s.group_members],
                      by_group=True)
    assert list(game_measures([grouped])[0].function(_any_state(society))) == [1.0, 1.0]


def _any_state(society):
    n = society.n_citizens
    groups = society.citizens["group"]
    codes = groups.cat.codes.to_numpy()
    return GameState(
        step=0, n_acts=1, participant=np.ones(n, dtype=bool), own=np.zeros(n),
        displayed=np.zeros(n), wealth=np.ones(n), standard=(np.nan, np.nan),
        matrix=society.adjacency(), degree=np.zeros(n), ties_cut=0, ties_added=0, access={},
        group_codes=codes, group_labels=groups.cat.categories,
        group_members=tuple(codes == k for k in range(2)), approved=np.zeros((n, 4)),
        private=np.zeros((n, 4)), expressed=np.zeros((n, 4)))


def test_game_measures_refuses_bad_input():
    with pytest.raises(ValueError, match="'gini', which is not a game measure"):
        game_measures(["gini"])
    with pytest.raises(TypeError, match="measures must be a sequence"):
        game_measures("gini_wealth")
    with pytest.raises(TypeError, match="measures must hold Measure objects"):
        game_measures([3])
    with pytest.raises(ValueError, match="other than 'step'"):
        game_measures({"step": len})
    with pytest.raises(ValueError, match="without brackets"):
        game_measures({"rich[all]": len})
    with pytest.raises(TypeError, match="not callable"):
        game_measures({"x": 3})
    with pytest.raises(ValueError, match=r"measures repeats \['ties'\]"):
        game_measures(["ties", "ties"])
    assert game_measures(None) is GAME_MEASURES


def test_public_names_are_exported():
    import scorelab.metrics as metrics

    assert set(metrics.__all__) == {
        name for name in dir(metrics)
        if not name.startswith("_") and getattr(getattr(metrics, name), "__module__", "")
        == "scorelab.metrics"
    } | {"ALL", "GAME_MEASURES", "HISTORY_COLUMNS", "MECHANISM_MEASURES"}
    assert metrics.__all__ == sorted(metrics.__all__)
