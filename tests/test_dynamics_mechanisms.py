"""The citizen game's derived mechanisms (issue 9, sections 2-5): stakes, strategic
unfriending, norm drift and chosen self-censorship, against slow per-citizen references,
closed forms and their counterfactuals."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from scorelab import _mechanisms as mech
from scorelab import dynamics, propagate, tie_effects
from scorelab.dynamics import ALL_GATES, GATES, GameConfig, simulate, wealth_growth
from scorelab.metrics import GAME_MEASURES, MECHANISM_MEASURES
from scorelab.scoring import DOMAINS, ScoringPolicy, approval_rates, score_against
from scorelab.society import TIE_KINDS, homophilous_sbm

KINDS = list(TIE_KINDS)
ALL_ON = dict(gates=ALL_GATES, incentive_rule="stakes", strategic_rate=0.3,
              internalisation=0.2, censorship_rule="choice", selective=True)


@pytest.fixture(scope="module")
def society():
    return homophilous_sbm(400, homophily=0.6, mean_degree=8, rng=5)


def run_state(society, config, n_steps, rng=0):
    """The engine's state after ``n_steps`` steps, run as :func:`simulate` runs them."""
    state = dynamics._State(society, config, np.random.default_rng(rng))
    for step in range(n_steps):
        state.join(step)
        approved, disapproved = state.act()
        state.censor(disapproved)
        state.score(approved, disapproved)
        state.gate()
        state.rewire()
        state.drift()
    return state


# -- the original rules stay reachable ---------------------------------------------------


def test_named_original_rules_give_the_default_frames(society):
    base = simulate(society, GameConfig(), n_steps=4, rng=3, record=[3])
    named = simulate(society, GameConfig(incentive_rule="constant", censorship_rule="fixed",
                                         strategic_rate=0.0, internalisation=0.0,
                                         gates=("utilities", "credit", "travel")),
                     n_steps=4, rng=3, record=[3])
    assert not GameConfig().mechanisms_on
    assert base.history.equals(named.history)
    assert base.panel.equals(named.panel)
    assert base.society.ties.equals(named.society.ties)
    assert list(base.wide().columns[1:]) == [
        c for m in GAME_MEASURES for c in
        ([m.name] if not m.by_group else [])] + [
        f"{m.name}_{g}" for g in society.groups.cat.categories
        for m in GAME_MEASURES if m.by_group]


def test_config_validates_and_round_trips_the_new_fields():
    config = GameConfig(**ALL_ON, stakes={g: 1.0 for g in ALL_GATES}, max_cuts=2)
    assert config.gates == ALL_GATES and config.mechanisms_on
    assert set(config.thresholds) == set(ALL_GATES)
    assert GameConfig.from_dict(config.to_dict()) == config
    assert GameConfig(gates=("food", "shop")).gates == ("shop", "food")  # ordered by stakes
    assert GameConfig(gates=()).thresholds == {}
    for changes, error, match in [
        (dict(gates=("bread",)), ValueError, "gates must name distinct gates"),
        (dict(gates="food"), TypeError, "gates must be a sequence"),
        (dict(gates=("food",), thresholds={"credit": 600}), ValueError, "thresholds must map"),
        (dict(stakes={"credit": 1.0}), ValueError, "stakes must map exactly"),
        (dict(stakes={"credit": -1.0, "travel": 1, "utilities": 1}), ValueError, "stakes"),
        (dict(incentive_rule="greed"), ValueError, "incentive_rule must be one of"),
        (dict(censorship_rule="always"), ValueError, "censorship_rule must be one of"),
        (dict(strategic_rate=1.5), ValueError, "strategic_rate"),
        (dict(authority_pull=0.7, norm_anchor=0.5), ValueError, "at most 1"),
        (dict(max_cuts=0), ValueError, "max_cuts"),
        (dict(tie_values={"family": 1.0}), ValueError, "tie_values must map"),
        (dict(selective=1), TypeError, "selective must be True or False"),
        (dict(softness=0.0), ValueError, "softness"),
    ]:
        with pytest.raises(error, match=match):
            GameConfig(**changes)


# -- stakes ------------------------------------------------------------------------------


def test_value_slope_is_the_derivative_of_the_gate_value():
    x = np.linspace(300.0, 1000.0, 71)
    thresholds = [np.full(71, 450.0), np.full(71, 650.0)]
    stakes, softness = [4.0, 1.0], 20.0
    h = 1e-4
    numeric = (mech.gate_values(x + h, thresholds, stakes, softness)
               - mech.gate_values(x - h, thresholds, stakes, softness)) / (2 * h)
    slope = mech.value_slope(x, thresholds, stakes, softness)
    np.testing.assert_allclose(slope, numeric, rtol=1e-6, atol=1e-10)
    # at a threshold the slope is stake / (4 softness); NaN (not scored) is worth nothing
    one = mech.value_slope(np.array([650.0, np.nan]), [np.full(2, 650.0)], [1.0], softness)
    assert one[0] == pytest.approx(1.0 / (4 * softness)) and one[1] == 0.0


def test_food_is_subsistence_and_ungated_privileges_are_open():
    config = GameConfig(gates=("food",))
    n = 4
    access = {g: np.ones(n, dtype=bool) for g in ALL_GATES}
    access["food"] = np.array([True, False, True, False])
    growth = wealth_growth(access, config)
    base = config.credit_return + config.travel_return
    np.testing.assert_allclose(growth, [base, base - config.food_loss, base,
                                        base - config.food_loss])
    shop = GameConfig(gates=("shop",))
    access["shop"] = np.array([True, False, False, False])
    assert wealth_growth(access, shop)[0] - wealth_growth(access, shop)[1] == pytest.approx(
        shop.shop_return)


def test_derived_incentive_follows_the_stakes_where_one_stands(society):
    config = GameConfig(gates=("credit",), stakes={"credit": 1.0}, incentive_rule="stakes")
    state = dynamics._State(society, config, np.random.default_rng(0))
    state.displayed = np.linspace(500.0, 800.0, state.n)
    shift = state.derived_incentive()
    sig = expit((state.displayed - 650.0) / config.softness)
    np.testing.assert_allclose(shift, config.incentive * 4 * sig * (1 - sig))
    at = np.argmin(np.abs(state.displayed - 650.0))
    assert shift.max() == shift[at] and shift[at] == pytest.approx(config.incentive, rel=1e-3)
    # nothing at stake: no incentive
    none = dynamics._State(society, GameConfig(gates=(), incentive_rule="stakes"),
                           np.random.default_rng(0))
    none.displayed = state.displayed
    assert not none.derived_incentive().any()


def test_compliance_rises_with_what_is_gated(society):
    def compliance(gates):
        config = GameConfig(gates=gates, incentive_rule="stakes")
        history = simulate(society, config, n_steps=6, rng=2).wide()
        return history["expressed_approval"].iloc[-3:].mean()

    none, credit, everything = compliance(()), compliance(("credit",)), compliance(ALL_GATES)
    assert none < credit < everything


# -- strategic unfriending ---------------------------------------------------------------


def test_game_tie_effects_are_the_first_order_tie_effects(society):
    config = GameConfig(strategic_rate=0.5)
    state = run_state(society, config, 3)
    effect_of = state._tie_effect_kernel()
    matrix = state.matrix
    rows = np.repeat(np.arange(state.n), np.diff(matrix.indptr))
    ours = effect_of(rows, matrix.indices.astype(np.int64), matrix.data)
    graph = nx.Graph()
    graph.add_nodes_from(range(state.n))
    upper = rows < matrix.indices
    graph.add_weighted_edges_from(zip(rows[upper], matrix.indices[upper], matrix.data[upper]))
    reference = tie_effects(graph, state.own, alpha=config.policy.alpha,
                            method="first_order", displayed=state.displayed)
    table = reference.set_index(["citizen", "neighbour"])["effect"]
    np.testing.assert_allclose(ours, table.loc[list(zip(rows, matrix.indices))].to_numpy(),
                               rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("steps", [0, 2])
def test_echo_diagonal_is_tie_effects_local_diagonal(society, steps):
    from scorelab.unfriending import _local_diagonal, _Ties

    # steps = 0: during the opt-in phase (masked, non-symmetric ties)
    config = GameConfig(strategic_rate=0.5, mandatory_step=3 if steps == 0 else 0,
                        join_rate=0.5)
    state = run_state(society, config, steps + 1)
    effect_of = state._tie_effect_kernel()  # builds the system
    assert effect_of is not None
    lam = np.where(state.participant, config.policy.alpha, 0.0)
    nodes = pd.RangeIndex(state.n)
    matrix = state.matrix
    if not state.participant.all():
        matrix = matrix.multiply(state.participant[None, :].astype(float)).tocsr()
        wm = dynamics.WeightMatrix(matrix, nodes, symmetric=False)
    else:
        wm = dynamics.WeightMatrix(matrix, nodes, symmetric=True, degree=state.degree,
                                   loopless=True)
    system = dynamics._build_system(wm, lam, None)
    np.testing.assert_allclose(dynamics._echo_diagonal(system),
                               _local_diagonal(system, _Ties.of(system)), rtol=1e-12)


def slow_strategic_plan(state, candidates, draws, config):
    """Per-citizen reference of a strategic step: loops over citizens and their ties."""
    matrix = state.matrix
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    lam = config.policy.alpha
    x, s = state.displayed, state.own
    thresholds = [state.threshold[g][0] for g in config.gates]
    stakes = [config.stakes[g] for g in config.gates]
    chosen = {}
    for position, u in zip(candidates, draws):
        i = int(np.searchsorted(indptr, position, side="right") - 1)
        j, a = int(indices[position]), float(data[position])
        ties_i = [(int(indices[p]), float(data[p])) for p in range(indptr[i], indptr[i + 1])]
        degree = sum(w for _, w in ties_i)
        mean = sum(w * x[k] for k, w in ties_i) / degree
        echo = 0.0
        for k, w in ties_i:
            degree_k = sum(float(data[p]) for p in range(indptr[k], indptr[k + 1]))
            echo += (w / degree) * lam * (w / degree_k)
        local = 1.0 / (1.0 - lam * echo)
        if degree - a > 0:
            effect = local * lam * a / (degree - a) * (mean - x[j])
        else:
            effect = s[i] - x[i]
        slope = sum(st / config.softness * expit((x[i] - t) / config.softness)
                    * (1 - expit((x[i] - t) / config.softness))
                    for t, st in zip(thresholds, stakes))
        kind = KINDS[int(state.ties.kinds([min(i, j)], [max(i, j)])[0])]
        net = slope * effect - config.tie_values[kind]
        if u < 1.0 / (1.0 + math.exp(-config.rationality * net)):
            chosen.setdefault(i, []).append((net, j))
    pairs = set()
    for i, options in chosen.items():
        for _, j in sorted(options, reverse=True)[: config.max_cuts]:
            pairs.add((i, j))
    return pairs


def test_strategic_plan_matches_a_per_citizen_reference(society):
    config = GameConfig(strategic_rate=0.5, rationality=3.0, max_cuts=2,
                        gates=("credit", "travel", "utilities", "food"),
                        tie_values={"family": 2.0, "friend": 0.5, "neighbour": 0.2,
                                    "colleague": 0.1})
    state = run_state(society, config, 3, rng=4)
    rng = np.random.default_rng(9)
    candidates = dynamics.bernoulli_positions(state.matrix.nnz, 0.5, rng)
    draws = rng.random(len(candidates))
    rows, cols, kinds, motive = mech.strategic_plan(
        state.matrix, candidates, state._tie_effect_kernel(), state.value_slope(),
        state.ties.kinds, state._tie_values, rationality=config.rationality,
        cap=config.max_cuts, draws=draws)
    reference = slow_strategic_plan(state, candidates, draws, config)
    assert set(zip(rows.tolist(), cols.tolist())) == reference
    assert len(reference) > 20
    assert (np.bincount(rows) <= config.max_cuts).all()
    assert motive.max() > 0


@pytest.mark.parametrize("switch", [dict(association=False), dict(public_scores=False)])
def test_without_association_or_public_scores_the_motive_is_exactly_zero(
        society, monkeypatch, switch):
    seen = []
    plan = mech.strategic_plan

    def recording(*args, **kwargs):
        result = plan(*args, **kwargs)
        seen.append((args[1], result[3]))
        return result

    monkeypatch.setattr(mech, "strategic_plan", recording)
    simulate(society, GameConfig(strategic_rate=0.5, **switch), n_steps=3, rng=1)
    assert sum(len(c) for c, _ in seen) > 1000
    assert all((motive == 0).all() for _, motive in seen)
    seen.clear()
    simulate(society, GameConfig(strategic_rate=0.5), n_steps=3, rng=1)
    assert any((motive != 0).any() for _, motive in seen)


def test_without_a_motive_only_the_baseline_churn_remains(society):
    config = GameConfig(strategic_rate=1.0, association=False, ostracism=0.0, max_cuts=1000,
                        tie_values={"family": 2.0, "friend": 1.0, "neighbour": 0.5,
                                    "colleague": 0.0})
    history = simulate(society, config, n_steps=1, rng=8).wide()
    # each tie is seen from both ends: cut with 1 - (1 - p)^2, p = sigma(-beta v)
    counts = society.ties["kind"].value_counts()
    for kind in KINDS:
        p = expit(-config.rationality * config.tie_values[kind])
        expected = counts[kind] * (1 - (1 - p) ** 2)
        cut = history[f"cuts_strategic_{kind}"].iloc[-1]  # step 1
        assert abs(cut - expected) < 4 * math.sqrt(expected) + 3


def test_cuts_and_surviving_ties_by_kind_add_up(society):
    config = GameConfig(strategic_rate=0.3, ostracism=0.2)
    result = simulate(society, config, n_steps=4, rng=6)
    history = result.wide()
    strategic = sum(history[f"cuts_strategic_{k}"] for k in KINDS)
    social = sum(history[f"cuts_social_{k}"] for k in KINDS)
    assert (strategic + social == history["ties_cut"]).all()
    assert strategic.sum() > 0 and social.sum() > 0
    assert (sum(history[f"ties_{k}"] for k in KINDS) == history["ties"]).all()
    final = result.society
    groups = final.citizens["group"].to_numpy()
    ties = final.ties
    for kind in KINDS:
        of_kind = ties[ties["kind"] == kind]
        assert history[f"ties_{kind}"].iloc[-1] == len(of_kind)
        for group in final.groups.cat.categories:
            ends = ((groups[of_kind["source"]] == group).sum()
                    + (groups[of_kind["target"]] == group).sum())
            assert history[f"ties_{kind}_{group}"].iloc[-1] == ends
        by_group = sum(history[f"cuts_strategic_{kind}_{g}"]
                       for g in final.groups.cat.categories)
        assert (by_group == history[f"cuts_strategic_{kind}"]).all()


# -- norm drift --------------------------------------------------------------------------


def mean_matrix(state):
    """The row-normalised tie matrix (dense; small societies only)."""
    dense = state.matrix.toarray()
    return dense / dense.sum(axis=1, keepdims=True)


def test_no_internalisation_keeps_private_approval_fixed(society):
    history = simulate(society, GameConfig(censorship_rule="choice"), n_steps=4,
                       rng=1).wide()
    disposition = society.citizens["disposition"].mean()
    assert np.allclose(history["private_approval"], disposition)


UNSCORED = dict(mandatory_step=1000, join_rate=0.0, peer_pressure=0.0)


def test_without_scoring_norms_follow_degroot_and_conserve_the_weighted_mean(society):
    config = GameConfig(internalisation=0.3, **UNSCORED)
    steps = 6
    state = run_state(society, config, steps)
    walk = mean_matrix(state)  # no scores: no rewiring, the ties stay
    lazy = (1 - config.internalisation) * np.eye(state.n) + config.internalisation * walk
    start = society.citizens["disposition"].to_numpy()
    expected = np.linalg.matrix_power(lazy, steps) @ start
    for domain in DOMAINS:  # finance too: ties are seen at their willingness
        np.testing.assert_allclose(state.norm[:, DOMAINS.index(domain)], expected,
                                   rtol=1e-12, atol=1e-12)
    # no drift of the (degree-weighted) mean without scoring
    degree = state.degree
    assert degree @ state.norm[:, 1] == pytest.approx(degree @ start, rel=1e-12)
    assert not state.norm[:, 1].tolist() == start.tolist()


def test_without_scoring_peer_pressure_moves_no_weighted_mean(society):
    # peer pressure pulls towards ties' expressed approval: sum_i d_i (m_i - e_i) = 0 on
    # symmetric ties, so the degree-weighted mean of private approval stays (no clipping
    # at these dispositions and pressures)
    config = GameConfig(internalisation=0.3, mandatory_step=1000, join_rate=0.0,
                        peer_pressure=0.1)
    state = run_state(society, config, 5)
    start = society.citizens["disposition"].to_numpy()
    for d in range(len(DOMAINS)):
        assert state.degree @ state.norm[:, d] == pytest.approx(state.degree @ start,
                                                                 rel=1e-3)


def test_norm_anchor_gives_the_friedkin_johnsen_equilibrium(society):
    anchor = 0.4
    config = GameConfig(internalisation=0.8, norm_anchor=anchor, **UNSCORED)
    state = run_state(society, config, 120)
    start = society.citizens["disposition"]
    equilibrium = propagate(society, start, alpha=1 - anchor)
    np.testing.assert_allclose(state.norm[:, DOMAINS.index("speech")],
                               equilibrium.to_numpy(), atol=1e-8)


def slow_norm_update(state, config, chance, hide, norm):
    """Per-citizen reference of one step of norm drift."""
    matrix = state.matrix
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    authority, pull = state._authority()
    private = norm.mean(axis=1)
    new = norm.copy()
    for i in range(state.n):
        for d in range(len(DOMAINS)):
            total = seen = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                j, w = indices[p], data[p]
                actual = config.selective and private[i] < 0.5
                shown = chance[j, d] if actual else 1 - (1 - chance[j, d]) * (1 - hide[j, d])
                total += w
                seen += w * shown
            m = seen / total if total else 1 - (1 - chance[i, d]) * (1 - hide[i, d])
            a = norm[i, d]
            change = (1 - pull - config.norm_anchor) * (m - a)
            change += pull * state.participant[i] * (authority - a)
            change += config.norm_anchor * (state.norm0[i, d] - a)
            new[i, d] = min(1.0, max(0.0, a + config.internalisation * change))
    return new


def test_norm_update_matches_a_per_citizen_reference(society):
    config = GameConfig(internalisation=0.4, norm_anchor=0.1, censorship_rule="choice",
                        selective=True, strategic_rate=0.1)
    state = run_state(society, config, 3, rng=2)
    # one more step, stopping before the drift
    state.join(3)
    approved, disapproved = state.act()
    state.censor(disapproved)
    state.score(approved, disapproved)
    state.gate()
    state.rewire()
    before = state.norm.copy()
    expected = slow_norm_update(state, config, state.willing, state.hide_chance, before)
    state.drift()
    np.testing.assert_allclose(state.norm, expected, rtol=1e-12, atol=1e-12)
    assert not np.allclose(state.norm, before)


def test_scoring_pulls_norms_towards_the_standard_and_erodes_customs(society):
    groups = list(society.groups.cat.categories)
    mislabelled = {groups[1]: {"social": 0.4}}
    drifting = GameConfig(internalisation=0.3, mislabelled=mislabelled)
    fixed = GameConfig(internalisation=0.0, mislabelled=mislabelled, gates=())
    drift = simulate(society, drifting, n_steps=10, rng=3).wide()
    still = simulate(society, fixed, n_steps=10, rng=3).wide()
    assert np.ptp(still["private_approval"]) == 0
    assert drift["private_approval"].iloc[-1] > drift["private_approval"].iloc[0] + 0.02
    custom = drift[f"customary_approval_{groups[1]}"]
    assert custom.iloc[0] == 1.0  # the start: every customary act still done
    assert custom.iloc[-1] < custom.iloc[1] - 0.1
    assert np.isnan(drift[f"customary_approval_{groups[0]}"]).all()


def test_pluralistic_ignorance_is_counted_per_citizen(society):
    config = GameConfig(censorship_rule="choice", internalisation=0.1)
    state = run_state(society, config, 2, rng=1)
    state.join(2)
    approved, disapproved = state.act()
    expressed, _, _ = state.censor(disapproved)
    view = dynamics._game_state(state, dynamics._Groups(state.groups), 2, approved,
                                disapproved, expressed)
    matrix = state.matrix
    shown = 1 - expressed.sum(axis=1) / (config.n_acts * len(DOMAINS))
    private = state.norm.mean(axis=1)
    expected = np.zeros(state.n, dtype=bool)
    for i in range(state.n):
        weights = matrix[[i]].toarray().ravel()
        believed = weights @ (shown >= 0.5) / weights.sum() if weights.sum() else 0.0
        expected[i] = private[i] < 0.5 and believed > 0.5
    np.testing.assert_array_equal(view.pluralistic_ignorance, expected)
    assert expected.any()


# -- chosen self-censorship ---------------------------------------------------------------


def test_act_penalty_is_the_score_derivative():
    policy = ScoringPolicy()
    rng = np.random.default_rng(0)
    approved = rng.uniform(0, 20, (5, 4))
    disapproved = rng.uniform(0, 10, (5, 4))
    rate = approval_rates(approved, disapproved, policy)
    standard = (float(rate.mean()), float(rate.std()))
    penalty = mech.act_penalty(approved, disapproved, policy, standard, np.full(5, 0.7))
    h = 1e-6
    for d in range(4):
        bumped = disapproved.copy()
        bumped[:, d] += h
        loss = (score_against(rate, policy, *standard)
                - score_against(approved_rates := approval_rates(approved, bumped, policy),
                                policy, *standard)) / h
        assert approved_rates.shape == rate.shape
        np.testing.assert_allclose(penalty[:, d], 0.7 * loss, rtol=1e-4)


def test_chosen_hiding_responds_to_stakes_and_detection(society):
    def hidden(**changes):
        config = GameConfig(censorship_rule="choice", **changes)
        history = simulate(society, config, n_steps=5, rng=4).wide()
        return history.loc[history["step"] > 1, "hidden_share"].mean()  # steps 2..5

    nothing_at_stake = hidden(gates=())
    baseline = expit(-GameConfig().rationality * GameConfig().authenticity)
    # no value at stake: only the logit's baseline remains
    assert abs(nothing_at_stake - baseline) < 0.02
    assert hidden(gates=ALL_GATES) > nothing_at_stake + 0.05
    # when the authority detects hidden acts as surely as shown ones, hiding gains nothing
    assert abs(hidden(gates=ALL_GATES, detection=1.0) - baseline) < 0.02


def test_selective_presentation_shows_hidden_acts_to_approving_ties(society):
    config = GameConfig(censorship_rule="choice", selective=True)
    state = run_state(society, config, 2, rng=5)
    sees = state.sees_actual()
    assert sees.any() and not sees.all()
    product = dynamics.ParallelProduct(state.matrix)
    seen = mech.seen_by(product, state.degree, state.expressed_rate, state.actual_rate, sees)
    dense = mean_matrix(state)
    expected = np.where(sees, dense @ state.actual_rate, dense @ state.expressed_rate)
    np.testing.assert_allclose(seen, expected, rtol=1e-12)


def test_all_mechanisms_together_replay_and_save(society, tmp_path):
    config = GameConfig(**ALL_ON, mislabelled={society.groups.cat.categories[1]:
                                               {"speech": 0.2}})
    result = simulate(society, config, n_steps=3, rng=7)
    assert "cuts_strategic_family" in set(result.history["measure"])
    keys = {m.key for m in MECHANISM_MEASURES}
    assert {"pluralistic_ignorance[group]", "ties_family[group]"} <= keys
    again = dynamics.load(result.save(tmp_path / "run")).replay()
    pd.testing.assert_frame_equal(again.history, result.history, check_dtype=False)
    assert GATES == ("credit", "travel", "utilities")


# -- the strategic step's shortcuts give the same numbers --------------------------------


@pytest.mark.parametrize("steps", [0, 2])
def test_row_means_are_the_whole_products_rows_bit_for_bit(society, steps):
    config = GameConfig(strategic_rate=0.5, mandatory_step=3 if steps == 0 else 0,
                        join_rate=0.5)
    state = run_state(society, config, steps + 1)
    lam = np.where(state.participant, config.policy.alpha, 0.0)
    nodes = pd.RangeIndex(state.n)
    if state.participant.all():
        wm = dynamics.WeightMatrix(state.matrix, nodes, symmetric=True, degree=state.degree,
                                   loopless=True)
    else:
        masked = state.matrix.multiply(state.participant[None, :].astype(float)).tocsr()
        wm = dynamics.WeightMatrix(masked, nodes, symmetric=False)
    system = dynamics._build_system(wm, lam, None)
    x = np.nan_to_num(state.displayed)
    rows = np.sort(np.random.default_rng(1).choice(state.n, 150))  # repeats included
    mean, diagonal = dynamics._row_means(system, x, rows)
    np.testing.assert_array_equal(mean[rows], system.mean_of_ties(x)[rows])
    np.testing.assert_array_equal(diagonal[rows], dynamics._echo_diagonal(system)[rows])
    others = np.setdiff1d(np.arange(state.n), rows)
    assert not mean[others].any() and not diagonal[others].any()


@pytest.mark.parametrize("switch", [dict(), dict(mandatory_step=4, join_rate=0.4),
                                    dict(policy=ScoringPolicy(alpha=0.9))])
def test_effect_bound_bounds_every_effect_and_leaves_the_cuts_unchanged(society, switch):
    config = GameConfig(strategic_rate=0.5, gates=ALL_GATES, rationality=4.0,
                        tie_values={"family": 0.5, "friend": 0.2, "neighbour": 0.1,
                                    "colleague": 0.05}, **switch)
    state = run_state(society, config, 3, rng=2)
    effect_of = state._tie_effect_kernel()
    matrix = state.matrix
    rows = np.repeat(np.arange(state.n), np.diff(matrix.indptr))
    cols, weights = matrix.indices.astype(np.int64), matrix.data
    effect = effect_of(rows, cols, weights)
    bound = effect_of.bound(rows, cols, weights)
    assert np.abs(effect).max() > 0
    assert (np.abs(effect) <= bound).all()
    rng = np.random.default_rng(3)
    candidates = dynamics.bernoulli_positions(matrix.nnz, 0.5, rng)
    draws = rng.random(len(candidates))
    common = dict(rationality=config.rationality, cap=config.max_cuts, draws=draws)
    args = (matrix, candidates, effect_of, state.value_slope(), state.ties.kinds,
            state._tie_values)
    plain = mech.strategic_plan(*args, **common)
    pruned = mech.strategic_plan(*args, effect_bound=effect_of.bound, **common)
    assert len(plain[0]) > 10
    for a, b in zip(plain, pruned):
        np.testing.assert_array_equal(a, b)


def test_value_slope_of_some_citizens_is_theirs_bit_for_bit(society):
    state = run_state(society, GameConfig(gates=ALL_GATES, strategic_rate=0.5), 2)
    rows = np.sort(np.random.default_rng(4).choice(state.n, 100))
    part, whole = state.value_slope(rows), state.value_slope()
    np.testing.assert_array_equal(part[rows], whole[rows])
    assert not part[np.setdiff1d(np.arange(state.n), rows)].any()


def test_columnwise_products_are_the_multi_vector_product_bit_for_bit(society):
    from scorelab._graph import ParallelProduct

    state = run_state(society, GameConfig(internalisation=0.2), 2)
    values = np.random.default_rng(5).random((state.n, len(DOMAINS)))
    product = ParallelProduct(state.matrix)
    np.testing.assert_array_equal(mech.columnwise(product, values), product(values))
    np.testing.assert_array_equal(mech.columnwise(product, values[:, 0]),
                                  product(values[:, 0]))
