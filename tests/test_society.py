"""Tests for scorelab.society: tables, validation, generators and the NetworkX boundary."""

import dataclasses

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab import society as so
from scorelab.society import (
    DEFAULT_KIND_SHARES,
    TIE_KINDS,
    GroupProfile,
    Society,
    TieKind,
    barabasi_albert,
    draw_citizens,
    erdos_renyi,
    from_edges,
    from_networkx,
    homophilous_sbm,
    to_networkx,
    triadic_closure,
    watts_strogatz,
)

GENERATORS = {
    "homophilous_sbm": lambda rng, **kw: homophilous_sbm(500, mean_degree=6.0, rng=rng, **kw),
    "barabasi_albert": lambda rng, **kw: barabasi_albert(500, 3, rng=rng, **kw),
    "watts_strogatz": lambda rng, **kw: watts_strogatz(500, 6, 0.2, rng=rng, **kw),
    "erdos_renyi": lambda rng, **kw: erdos_renyi(500, 6.0, rng=rng, **kw),
    "triadic_closure": lambda rng, **kw: triadic_closure(500, 6.0, rng=rng, **kw),
}


def pairs(society):
    return list(zip(society.ties["source"].tolist(), society.ties["target"].tolist()))


def within_share(society):
    groups = society.groups.cat.codes.to_numpy()
    return float((groups[society.ties["source"]] == groups[society.ties["target"]]).mean())


@pytest.fixture
def small():
    citizens = draw_citizens(["majority"] * 4 + ["minority"] * 2, rng=0)
    return from_edges(
        citizens, [0, 0, 1, 2, 4], [1, 5, 2, 3, 5],
        kind=["family", "friend", "neighbour", "colleague", "friend"],
    )


# --------------------------------------------------------------------------- tie kinds


def test_tie_kinds_in_documented_order():
    assert list(TIE_KINDS) == ["family", "friend", "neighbour", "colleague"]
    assert TIE_KINDS["family"] == TieKind(weight=3.0, cut_cost=0.9)
    assert TIE_KINDS["colleague"] == TieKind(weight=1.0, cut_cost=0.2)
    assert list(DEFAULT_KIND_SHARES) == list(TIE_KINDS)
    assert sum(DEFAULT_KIND_SHARES.values()) == pytest.approx(1.0)


def test_tie_kind_validates():
    with pytest.raises(ValueError, match="cut_cost must be <= 1.0, got 1.5"):
        TieKind(weight=1.0, cut_cost=1.5)
    with pytest.raises(ValueError, match="weight must be > 0.0, got 0.0"):
        TieKind(weight=0.0, cut_cost=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TIE_KINDS["family"].weight = 1.0


# --------------------------------------------------------------------------- citizens


def test_draw_citizens_table_shape():
    citizens = draw_citizens(pd.Categorical(["b", "a", "b"], categories=["b", "a"]), rng=1)
    assert citizens.index.equals(pd.RangeIndex(3, name="citizen"))
    assert citizens.columns.tolist() == ["group", "disposition", "responsiveness", "wealth"]
    assert citizens["group"].cat.categories.tolist() == ["b", "a"]
    assert citizens["group"].tolist() == ["b", "a", "b"]
    assert citizens[["disposition", "responsiveness"]].apply(lambda c: c.between(0, 1)).all().all()
    assert (citizens["wealth"] > 0).all()


def test_draw_citizens_follows_profiles():
    labels = np.repeat(["low", "high"], 10_000)
    profiles = {
        "low": GroupProfile(disposition_mean=0.3, wealth_median=1.0, wealth_sigma=0.5),
        "high": GroupProfile(disposition_mean=0.8, responsiveness_mean=0.2, wealth_median=4.0),
    }
    citizens = draw_citizens(labels, profiles=profiles, rng=2)
    by_group = citizens.groupby("group", observed=True)
    assert by_group["disposition"].mean().to_dict() == pytest.approx(
        {"high": 0.8, "low": 0.3}, abs=0.01
    )
    assert by_group["responsiveness"].mean()["high"] == pytest.approx(0.2, abs=0.01)
    medians = by_group["wealth"].median().to_dict()
    assert medians == pytest.approx({"high": 4.0, "low": 1.0}, rel=0.05)
    # Beta(mean c, (1 - mean) c) has variance mean (1 - mean) / (c + 1).
    assert by_group["disposition"].var()["low"] == pytest.approx(0.3 * 0.7 / 9, rel=0.05)


def test_draw_citizens_point_mass_at_mean_one_and_zero_sigma():
    profile = GroupProfile(disposition_mean=1.0, responsiveness_mean=0.0, wealth_sigma=0.0)
    citizens = draw_citizens(["a"] * 5, profiles={"a": profile}, rng=0)
    assert citizens["disposition"].eq(1.0).all()
    assert citizens["responsiveness"].eq(0.0).all()
    assert citizens["wealth"].eq(1.0).all()


def test_draw_citizens_reproducible():
    labels = ["a", "b"] * 50
    pd.testing.assert_frame_equal(draw_citizens(labels, rng=5), draw_citizens(labels, rng=5))
    assert not draw_citizens(labels, rng=5).equals(draw_citizens(labels, rng=6))


def test_draw_citizens_rejects_bad_input():
    with pytest.raises(ValueError, match="not among the groups"):
        draw_citizens(["a", "b"], profiles={"c": GroupProfile()})
    with pytest.raises(TypeError, match=r"profiles\['a'\] must be a GroupProfile"):
        draw_citizens(["a"], profiles={"a": {"disposition_mean": 0.5}})
    with pytest.raises(ValueError, match="missing labels, first for citizen 1"):
        draw_citizens(["a", None])
    with pytest.raises(ValueError, match="one-dimensional"):
        draw_citizens([["a", "b"]])


@pytest.mark.parametrize(
    ("field", "value", "error", "match"),
    [
        ("disposition_mean", 1.2, ValueError, "disposition_mean must be <= 1.0, got 1.2"),
        ("disposition_concentration", 0.0, ValueError, "disposition_concentration must be > 0"),
        ("responsiveness_mean", -0.1, ValueError, "responsiveness_mean must be >= 0.0"),
        ("wealth_median", -1.0, ValueError, "wealth_median must be > 0.0, got -1.0"),
        ("wealth_sigma", -0.5, ValueError, "wealth_sigma must be >= 0.0, got -0.5"),
        ("wealth_sigma", "wide", TypeError, "wealth_sigma must be a real number, got 'wide'"),
    ],
)
def test_group_profile_validates(field, value, error, match):
    with pytest.raises(error, match=match):
        GroupProfile(**{field: value})


# --------------------------------------------------------------------------- society


def test_society_properties(small):
    assert small.n_citizens == 6
    assert small.n_ties == 5
    assert repr(small) == "Society(n_citizens=6, n_ties=5, groups={'majority': 4, 'minority': 2})"
    assert small.groups.name == "group"
    ties = small.ties
    assert ties.index.equals(pd.RangeIndex(5))
    assert ties.dtypes.astype(str).to_dict() == {
        "source": "int32", "target": "int32", "kind": "category", "weight": "float64"
    }
    assert ties["kind"].cat.categories.tolist() == list(TIE_KINDS)
    assert ties["weight"].tolist() == [3.0, 2.0, 1.0, 1.0, 2.0]


def test_adjacency_matches_reference_loop(small):
    reference = np.zeros((6, 6))
    for u, v, w in small.ties[["source", "target", "weight"]].itertuples(index=False):
        reference[u, v] = reference[v, u] = w
    adjacency = small.adjacency()
    assert adjacency.format == "csr" and adjacency.dtype == np.float64
    assert adjacency.has_sorted_indices
    np.testing.assert_array_equal(adjacency.toarray(), reference)
    np.testing.assert_array_equal(small.adjacency(weight=None).toarray(), reference > 0)
    with pytest.raises(ValueError, match="weight must be None or a ties column, got 'strength'"):
        small.adjacency(weight="strength")


def test_adjacency_and_degree_on_a_generated_society():
    society = barabasi_albert(2000, 4, rng=1)
    adjacency = society.adjacency(weight=None)
    assert (adjacency != adjacency.T).nnz == 0
    assert adjacency.has_canonical_format
    G = to_networkx(society)
    expected = pd.Series(dict(G.degree())).sort_index().to_numpy()
    np.testing.assert_array_equal(society.degree().to_numpy(), expected)
    np.testing.assert_allclose(adjacency.sum(axis=1), expected)
    np.testing.assert_allclose(
        society.degree(weight="weight").to_numpy(), society.adjacency().sum(axis=1)
    )


def test_with_tie_weights(small):
    heavier = small.with_tie_weights({"family": 10.0, "neighbour": 0.5})
    assert heavier.ties["weight"].tolist() == [10.0, 2.0, 0.5, 1.0, 2.0]
    assert small.ties["weight"].tolist() == [3.0, 2.0, 1.0, 1.0, 2.0]  # input untouched
    assert heavier.citizens is small.citizens
    Society(heavier.citizens, heavier.ties)  # still valid
    with pytest.raises(ValueError, match="unknown tie kind 'enemy'"):
        small.with_tie_weights({"enemy": 1.0})
    with pytest.raises(ValueError, match=r"weights\['friend'\] must be > 0.0, got -1.0"):
        small.with_tie_weights({"friend": -1.0})
    with pytest.raises(TypeError, match="weights must be a mapping"):
        small.with_tie_weights([("friend", 1.0)])


def break_ties(small, **changes):
    ties = small.ties.copy()
    for column, values in changes.items():
        ties[column] = values
    return ties


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda s: (s.citizens.reset_index(drop=True), s.ties), ValueError, "named 'citizen'"),
        (lambda s: (s.citizens.iloc[::-1], s.ties), ValueError, r"RangeIndex\(6\)"),
        (lambda s: (s.citizens.drop(columns="wealth"), s.ties), ValueError,
         r"lacks column\(s\) \['wealth'\]"),
        (lambda s: (s.citizens.assign(group=s.citizens["group"].astype(str)), s.ties), TypeError,
         "must be Categorical"),
        (lambda s: (s.citizens.assign(disposition=1.5), s.ties), ValueError,
         r"citizens\['disposition'\] must lie in \[0, 1\]"),
        (lambda s: (s.citizens.assign(wealth=-1.0), s.ties), ValueError,
         r"citizens\['wealth'\] must be > 0, got -1.0"),
        (lambda s: (s.citizens, s.ties.astype({"source": np.int64})), TypeError,
         r"ties\['source'\] must have dtype int32, got int64"),
        (lambda s: (s.citizens, break_ties(s, target=np.array([1, 5, 2, 3, 9], np.int32))),
         ValueError, r"citizen ids in 0..5, got 9 at row 4"),
        (lambda s: (s.citizens, break_ties(s, source=np.array([1, 0, 1, 2, 4], np.int32))),
         ValueError, r"source < target .*first at row 0: \(1, 1\)"),
        (lambda s: (s.citizens, break_ties(s, target=np.array([1, 1, 2, 3, 5], np.int32))),
         ValueError, r"must not repeat a pair of citizens; 1 repeat"),
        (lambda s: (s.citizens, s.ties.iloc[::-1].reset_index(drop=True)), ValueError,
         "sorted by \\(source, target\\)"),
        (lambda s: (s.citizens, s.ties.iloc[1:]), ValueError, "default index"),
        (lambda s: (s.citizens, break_ties(s, weight=[1.0, -2.0, 1.0, 1.0, 1.0])), ValueError,
         r"ties\['weight'\] must be > 0, got -2.0 at row 1"),
        (lambda s: (s.citizens, break_ties(s, kind=s.ties["kind"].astype(str))), TypeError,
         r"ties\['kind'\] must be Categorical"),
        (lambda s: (s.citizens, s.ties.drop(columns="kind")), ValueError, r"lacks column"),
        (lambda s: (s.citizens.to_numpy(), s.ties), TypeError,
         "citizens must be a pandas DataFrame"),
    ],
)
def test_society_validation(small, change, error, match):
    citizens, ties = change(small)
    with pytest.raises(error, match=match):
        Society(citizens, ties)


def test_society_accepts_extra_columns(small):
    Society(small.citizens.assign(age=30), small.ties.assign(since=2020))


# --------------------------------------------------------------------------- from_edges


def test_from_edges_normalises_and_keeps_first_listing():
    citizens = draw_citizens(["a"] * 4, rng=0)
    society = from_edges(
        citizens, [3, 1, 2, 0, 1], [1, 3, 2, 1, 0],
        kind=["family", "friend", "colleague", "neighbour", "family"], weight=[5, 6, 7, 8, 9],
    )
    assert pairs(society) == [(0, 1), (1, 3)]
    assert society.ties["kind"].tolist() == ["neighbour", "family"]
    assert society.ties["weight"].tolist() == [8.0, 5.0]


def test_from_edges_defaults_and_scalars():
    citizens = draw_citizens(["a"] * 3, rng=0)
    society = from_edges(citizens, np.array([0, 1]), np.array([1, 2]))
    assert society.ties["kind"].tolist() == ["friend", "friend"]
    assert society.ties["weight"].tolist() == [2.0, 2.0]
    society = from_edges(citizens, [0, 1], [1, 2], kind="family", weight=0.5)
    assert society.ties["kind"].tolist() == ["family", "family"]
    assert society.ties["weight"].tolist() == [0.5, 0.5]
    empty = from_edges(citizens, [], [])
    assert empty.n_ties == 0 and empty.degree().eq(0).all()


def test_from_edges_draws_kinds_from_shares():
    citizens = draw_citizens(["a"] * 2000, rng=0)
    rng = np.random.default_rng(3)
    source, target = rng.integers(2000, size=(2, 20_000))
    shares = {"family": 0.5, "colleague": 0.5}
    society = from_edges(citizens, source, target, kind=shares, rng=4)
    counts = society.ties["kind"].value_counts(normalize=True)
    assert counts["family"] == pytest.approx(0.5, abs=0.02)
    assert counts["friend"] == 0.0
    np.testing.assert_array_equal(
        society.ties["weight"], np.where(society.ties["kind"] == "family", 3.0, 1.0)
    )
    again = from_edges(citizens, source, target, kind=shares, rng=4)
    pd.testing.assert_frame_equal(society.ties, again.ties)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"source": [0, 7], "target": [1, 2]}, ValueError,
         r"source must hold citizen ids in 0..3, got 7"),
        ({"source": [0, -1], "target": [1, 2]}, ValueError, r"got -1 at position 1"),
        ({"source": [0.0, 1.0], "target": [1, 2]}, TypeError,
         "source must hold integer citizen ids"),
        ({"source": [0, 1, 2], "target": [1, 2]}, ValueError, "same length, got 3 and 2"),
        ({"kind": "enemy"}, ValueError, "unknown tie kind 'enemy'"),
        ({"kind": ["friend", "rival"]}, ValueError, "unknown tie kind 'rival' at position 1"),
        ({"kind": ["friend"]}, ValueError, r"one label per edge \(2\), got shape \(1,\)"),
        ({"kind": {"friend": 0.5}}, ValueError, "kind_shares must sum to 1"),
        ({"weight": -1.0}, ValueError, "weight must be > 0.0, got -1.0"),
        ({"weight": [1.0, 0.0]}, ValueError, r"weight must be > 0, got 0.0 at position 1"),
        ({"weight": [1.0, np.nan]}, ValueError, "weight must be finite"),
    ],
)
def test_from_edges_validation(kwargs, error, match):
    arguments = {"source": [0, 1], "target": [1, 2], **kwargs}
    with pytest.raises(error, match=match):
        from_edges(draw_citizens(["a"] * 4, rng=0), **arguments)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 12), data=st.data())
def test_from_edges_always_valid_and_deduplicated(n, data):
    edges = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(list(TIE_KINDS))
            ),
            max_size=40,
        )
    )
    citizens = draw_citizens(["a"] * n, rng=0)
    society = from_edges(
        citizens, [e[0] for e in edges], [e[1] for e in edges], kind=[e[2] for e in edges]
    )
    Society(society.citizens, society.ties)  # passes full validation
    first_kind = {}
    for u, v, kind in edges:
        if u != v:
            first_kind.setdefault((min(u, v), max(u, v)), kind)
    assert pairs(society) == sorted(first_kind)
    assert society.ties["kind"].tolist() == [first_kind[pair] for pair in sorted(first_kind)]
    assert society.ties["weight"].tolist() == [
        TIE_KINDS[first_kind[pair]].weight for pair in sorted(first_kind)
    ]


# --------------------------------------------------------------------------- generators


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_reproducible_from_a_seed(name):
    first, second, other = (GENERATORS[name](seed) for seed in (11, 11, 12))
    pd.testing.assert_frame_equal(first.citizens, second.citizens)
    pd.testing.assert_frame_equal(first.ties, second.ties)
    assert not first.ties.equals(other.ties)
    assert not first.citizens.equals(other.citizens)
    from_generator = GENERATORS[name](np.random.default_rng(11))
    pd.testing.assert_frame_equal(first.ties, from_generator.ties)


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_build_valid_societies(name):
    society = GENERATORS[name](0, kind_shares={"family": 0.2, "friend": 0.8},
                               profiles={"minority": GroupProfile(disposition_mean=0.2)})
    Society(society.citizens, society.ties)
    assert society.groups.value_counts().to_dict() == {"majority": 400, "minority": 100}
    assert set(society.ties["kind"].unique()) == {"family", "friend"}
    minority = society.citizens[society.groups == "minority"]
    assert minority["disposition"].mean() == pytest.approx(0.2, abs=0.05)


@pytest.mark.parametrize("name", ["barabasi_albert", "watts_strogatz", "erdos_renyi",
                                  "triadic_closure"])
def test_groups_sit_at_random_positions(name):
    minority = np.flatnonzero(GENERATORS[name](0).groups == "minority")
    assert len(minority) == 100
    assert minority.mean() == pytest.approx(250, abs=50)  # contiguous ids would give 449.5


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: homophilous_sbm(100, homophily=1.5), ValueError,
         "homophily must be <= 1.0, got 1.5"),
        (lambda: homophilous_sbm(100, group_shares=(0.7, 0.2)), ValueError,
         r"group_shares must sum to 1, got \[0.7, 0.2\]"),
        (lambda: homophilous_sbm(100, group_shares=(1.2, -0.2)), ValueError,
         "group_shares must be >= 0"),
        (lambda: homophilous_sbm(100, group_shares=()), ValueError, "at least one group"),
        (lambda: homophilous_sbm(100, group_names=("a",)), ValueError,
         r"one name per share \(2\), got \['a'\]"),
        (lambda: homophilous_sbm(100, group_names=("a", "a")), ValueError, "must be distinct"),
        (lambda: homophilous_sbm(100, group_names="ab"), TypeError, "got the string 'ab'"),
        (lambda: homophilous_sbm(0), ValueError, "n must be >= 1, got 0"),
        (lambda: homophilous_sbm(10.5), TypeError, "n must be an integer, got 10.5"),
        (lambda: homophilous_sbm(10, mean_degree=10), ValueError, "mean_degree must be <= 9"),
        (lambda: barabasi_albert(5, 5), ValueError, "m must be <= 4, got 5"),
        (lambda: barabasi_albert(5, 0), ValueError, "m must be >= 1, got 0"),
        (lambda: barabasi_albert(1, 1), ValueError, "n must be >= 2, got 1"),
        (lambda: watts_strogatz(10, 3, 0.1), ValueError, "k must be even"),
        (lambda: watts_strogatz(10, 10, 0.1), ValueError, "k must be <= 9, got 10"),
        (lambda: watts_strogatz(10, 2, -0.1), ValueError, "p must be >= 0.0, got -0.1"),
        (lambda: erdos_renyi(10, -1.0), ValueError, "mean_degree must be >= 0.0, got -1.0"),
        (lambda: erdos_renyi(10, float("nan")), ValueError, "mean_degree must be finite"),
        (lambda: triadic_closure(10, 2.0, closure=1.0), ValueError, "closure must be < 1.0"),
        (lambda: erdos_renyi(10, 2.0, kind_shares={"friend": 0.9}), ValueError,
         "kind_shares must sum to 1"),
        (lambda: erdos_renyi(10, 2.0, kind_shares={"lover": 1.0}), ValueError,
         "unknown tie kind 'lover'"),
        (lambda: erdos_renyi(10, 2.0, kind_shares={"friend": 1.5, "family": -0.5}), ValueError,
         r"kind_shares\['friend'\] must be <= 1.0"),
        (lambda: erdos_renyi(10, 2.0, profiles={"elite": GroupProfile()}), ValueError,
         "not among the groups"),
    ],
)
def test_generator_validation(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_group_sizes_round_and_sum_to_n():
    sizes, names = so._check_groups(10, (1 / 3, 1 / 3, 1 / 3), ("a", "b", "c"))
    assert sizes.tolist() == [4, 3, 3] and names == ["a", "b", "c"]
    # Exact sizes 3.5, 1.75, 1.75, 0: the two largest remainders (0.75) get the leftovers.
    sizes, _ = so._check_groups(7, (0.5, 0.25, 0.25, 0.0), list("wxyz"))
    assert sizes.tolist() == [3, 2, 2, 0]


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 10_000), weights=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=6))
def test_group_sizes_property(n, weights):
    shares = np.array(weights) / sum(weights)
    sizes, _ = so._check_groups(n, shares, range(len(shares)))
    assert sizes.sum() == n
    assert np.all(np.abs(sizes - n * shares) < 1)


def test_sbm_mixing_matches_formula():
    n, k, h = 20_000, 10.0, 0.5
    society = homophilous_sbm(n, mean_degree=k, homophily=h, rng=1)
    assert society.degree().mean() == pytest.approx(k, rel=0.02)
    assert within_share(society) == pytest.approx(h + (1 - h) * (0.8**2 + 0.2**2), rel=0.02)
    # Contiguous blocks: the first 16000 ids are the majority.
    assert (society.groups.cat.codes.to_numpy() == np.repeat([0, 1], [16_000, 4_000])).all()


def test_sbm_three_groups_and_full_segregation():
    shares, names = (0.5, 0.3, 0.2), ("a", "b", "c")
    society = homophilous_sbm(20_000, group_shares=shares, group_names=names, mean_degree=8.0,
                              homophily=0.2, rng=2)
    assert society.groups.cat.categories.tolist() == ["a", "b", "c"]
    assert within_share(society) == pytest.approx(0.2 + 0.8 * (0.25 + 0.09 + 0.04), rel=0.03)
    # Expected ties between a and c: n_a n_c k (1 - h) / n.
    codes = society.groups.cat.codes.to_numpy()
    ends = np.sort(np.stack([codes[society.ties["source"]], codes[society.ties["target"]]]), axis=0)
    between_ac = np.sum((ends[0] == 0) & (ends[1] == 2))
    assert between_ac == pytest.approx(10_000 * 4_000 * 8.0 * 0.8 / 20_000, rel=0.05)
    segregated = homophilous_sbm(2000, homophily=1.0, rng=3)
    assert within_share(segregated) == 1.0
    random_mixing = homophilous_sbm(20_000, homophily=0.0, rng=3)
    assert within_share(random_mixing) == pytest.approx(0.68, rel=0.02)


def test_sbm_single_group_and_tiny_society():
    society = homophilous_sbm(50, group_shares=[1.0], group_names=["all"], mean_degree=4, rng=0)
    assert society.groups.cat.categories.tolist() == ["all"]
    lone = homophilous_sbm(1, mean_degree=0.0, rng=0)
    assert lone.n_citizens == 1 and lone.n_ties == 0


def test_batagelj_brandes_resolution_matches_sequential_reference():
    n, m = 300, 3
    pointer = np.random.default_rng(0).integers(0, 2 * np.arange(n * m) + 1)
    listing = np.empty(2 * n * m, dtype=np.int64)
    for j in range(n * m):  # the algorithm as written in Batagelj & Brandes (2005)
        listing[2 * j] = j // m
        listing[2 * j + 1] = listing[pointer[j]]
    np.testing.assert_array_equal(so._copied_ends(pointer, m), listing[1::2])


def test_barabasi_albert_degree_tail_matches_networkx():
    n, m = 20_000, 3
    degree = barabasi_albert(n, m, rng=4).degree().to_numpy()
    reference = np.array([d for _, d in nx.barabasi_albert_graph(n, m, seed=4).degree()])
    assert degree.mean() == pytest.approx(2 * m, rel=0.01)
    assert (degree >= 4 * m).mean() == pytest.approx((reference >= 4 * m).mean(), rel=0.1)

    def tail_exponent(k, k_min=2 * m):  # discrete power-law MLE (Clauset et al. 2009)
        k = k[k >= k_min]
        return 1 + len(k) / np.log(k / (k_min - 0.5)).sum()

    assert tail_exponent(degree) == pytest.approx(tail_exponent(reference), abs=0.1)


@pytest.mark.parametrize(("n", "k"), [(20, 4), (101, 10), (7, 6)])
def test_watts_strogatz_without_rewiring_is_the_ring_lattice(n, k):
    society = watts_strogatz(n, k, 0.0, rng=0)
    expected = sorted(tuple(sorted(e)) for e in nx.watts_strogatz_graph(n, k, 0).edges())
    assert pairs(society) == expected


def test_watts_strogatz_rewiring_keeps_tie_count_and_lowers_clustering():
    clustering = []
    for p in (0.0, 0.05, 0.2, 1.0):
        society = watts_strogatz(3000, 10, p, rng=1)
        assert society.n_ties == 3000 * 5
        clustering.append(nx.average_clustering(to_networkx(society)))
    assert clustering[0] == pytest.approx(2 / 3, rel=0.01)  # 3 (k - 2) / (4 (k - 1)) at k = 10
    assert clustering == sorted(clustering, reverse=True)
    assert clustering[-1] < 0.02


def test_watts_strogatz_gives_up_rewiring_in_a_complete_society():
    # All ties rewired at once in a complete society: the redraws may run out of free
    # pairs, and a tie whose lattice pair a rewired tie took is dropped (documented).
    society = watts_strogatz(5, 4, 1.0, rng=0)
    assert 8 <= society.n_ties <= 10


def test_lattice_tie_lookup_matches_enumeration():
    n, half = 11, 3
    rows = {}
    for row, (u, v) in enumerate((u, (u + d) % n) for u in range(n) for d in range(1, half + 1)):
        rows[frozenset((u, v))] = row
    u, v = np.divmod(np.arange(n * n), n)
    found = so._lattice_tie(n, half, u, v)
    expected = [rows.get(frozenset((a, b)), -1) if a != b else -1 for a, b in zip(u, v)]
    np.testing.assert_array_equal(found, expected)


def test_erdos_renyi_mean_degree_and_density():
    society = erdos_renyi(20_000, 10.0, rng=2)
    assert society.degree().mean() == pytest.approx(10.0, rel=0.02)
    degree = society.degree()
    assert degree.var() == pytest.approx(10.0, rel=0.05)  # Poisson degrees
    complete = erdos_renyi(30, 29.0, rng=2)
    assert complete.n_ties == 30 * 29 // 2
    assert erdos_renyi(1, 0.0, rng=0).n_ties == 0


def test_erdos_renyi_tie_count_is_binomial():
    counts = [erdos_renyi(40, 6.0, rng=seed).n_ties for seed in range(200)]
    pairs_, p = 40 * 39 // 2, 6.0 / 39
    assert np.mean(counts) == pytest.approx(pairs_ * p, rel=0.02)
    assert np.var(counts) == pytest.approx(pairs_ * p * (1 - p), rel=0.3)


def test_triadic_closure_is_clustered():
    n, k = 5000, 10.0
    clustered = triadic_closure(n, k, closure=0.6, rng=3)
    assert clustered.degree().mean() == pytest.approx(k, rel=0.03)
    random_ = erdos_renyi(n, k, rng=3)
    c_clustered = nx.transitivity(to_networkx(clustered))
    c_random = nx.transitivity(to_networkx(random_))
    assert c_random < 0.005
    assert c_clustered > 20 * c_random
    assert triadic_closure(n, k, closure=0.0, rng=3).degree().mean() == pytest.approx(k, rel=0.03)


def test_triadic_closure_stops_when_no_open_pair_is_left():
    society = triadic_closure(4, 3.0, closure=0.9, rng=0)
    assert society.n_ties <= 6


def test_kind_shares_realised():
    society = erdos_renyi(20_000, 10.0, rng=8)
    shares = society.ties["kind"].value_counts(normalize=True)
    for kind, share in DEFAULT_KIND_SHARES.items():
        assert shares[kind] == pytest.approx(share, abs=0.01)
    default_weights = society.ties["kind"].map(lambda kind: TIE_KINDS[kind].weight)
    np.testing.assert_array_equal(society.ties["weight"], default_weights.astype(float))


# --------------------------------------------------------------------------- NetworkX


def test_networkx_round_trip_keeps_attributes():
    society = homophilous_sbm(300, mean_degree=4.0, rng=9)
    society = Society(society.citizens.assign(age=np.arange(300) % 70), society.ties)
    G = to_networkx(society)
    assert G.number_of_nodes() == 300 and G.number_of_edges() == society.n_ties
    u, v = pairs(society)[0]
    assert G.edges[u, v]["kind"] == society.ties["kind"].iloc[0]
    assert isinstance(G.edges[u, v]["kind"], str)
    back = from_networkx(G)
    assert back.citizens["label"].tolist() == list(range(300))
    pd.testing.assert_frame_equal(back.citizens.drop(columns="label"), society.citizens)
    pd.testing.assert_frame_equal(back.ties, society.ties)


def test_from_networkx_fills_defaults_and_relabels():
    G = nx.Graph()
    G.add_nodes_from(["x", "y", "z"])
    G.nodes["x"].update(group="blue", wealth=3.0)
    G.add_edge("x", "y")
    G.add_edge("y", "z", kind="family")
    G.add_edge("z", "x", kind="neighbour", weight=0.25)
    G.add_edge("z", "z")
    society = from_networkx(G)
    assert society.citizens["label"].tolist() == ["x", "y", "z"]
    assert society.groups.tolist() == ["blue", "all", "all"]
    assert society.citizens["wealth"].tolist() == [3.0, 1.0, 1.0]
    assert society.citizens["disposition"].tolist() == [0.6, 0.6, 0.6]
    assert society.citizens["responsiveness"].tolist() == [0.5, 0.5, 0.5]
    assert society.ties[["source", "target", "kind", "weight"]].values.tolist() == [
        [0, 1, "friend", 2.0], [0, 2, "neighbour", 0.25], [1, 2, "family", 3.0]
    ]
    assert "label" not in from_networkx(G, label=None).citizens.columns


def test_from_networkx_group_attribute_name():
    society = from_networkx(nx.karate_club_graph(), group="club")
    assert society.groups.value_counts().to_dict() == {"Mr. Hi": 17, "Officer": 17}
    assert "club" not in society.citizens.columns


@pytest.mark.parametrize(
    ("G", "error", "match"),
    [
        (nx.DiGraph([(0, 1)]), ValueError, "G must be undirected"),
        (nx.MultiGraph([(0, 1), (0, 1)]), ValueError, "must not be a multigraph"),
        (nx.Graph(), ValueError, "G is empty"),
        ([(0, 1)], TypeError, "G must be a networkx Graph, got list"),
        (nx.Graph([(0, 1, {"kind": "rival"})]), ValueError, "unknown tie kind 'rival'"),
        (nx.Graph([(0, 1, {"weight": -2.0})]), ValueError, "weight must be > 0"),
        (nx.Graph([(0, 1, {"weight": "heavy"})]), TypeError, "'weight' must be numeric"),
    ],
)
def test_from_networkx_validation(G, error, match):
    with pytest.raises(error, match=match):
        from_networkx(G)


def test_from_networkx_refuses_a_label_column_named_like_an_attribute():
    G = nx.path_graph(3)
    nx.set_node_attributes(G, 1, "x")
    with pytest.raises(ValueError, match="label='x' is already a node attribute"):
        from_networkx(G, label="x")
    assert from_networkx(G).citizens["x"].tolist() == [1, 1, 1]


def test_from_networkx_rejects_bad_attribute_values():
    G = nx.path_graph(3)
    nx.set_node_attributes(G, {0: 1.5}, "disposition")
    with pytest.raises(ValueError, match=r"citizens\['disposition'\] must lie in \[0, 1\]"):
        from_networkx(G)


def test_to_networkx_rejects_non_society():
    with pytest.raises(TypeError, match="society must be a Society, got Graph"):
        to_networkx(nx.Graph())
