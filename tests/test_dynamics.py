"""The citizen game: formulas against per-citizen loops, switches against counterfactuals."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from scorelab import dynamics
from scorelab.dynamics import (
    GATES,
    GameConfig,
    approval_chance,
    bernoulli_positions,
    cut_chance,
    random_above,
    simulate,
    wealth_growth,
)
from scorelab.scoring import ScoringPolicy
from scorelab.society import GroupProfile, Society, homophilous_sbm


@pytest.fixture(scope="module")
def society():
    return homophilous_sbm(600, homophily=0.6, mean_degree=8, rng=11)


def test_approval_chance_matches_a_per_citizen_loop():
    rng = np.random.default_rng(1)
    n = 50
    d, r, e, m = (rng.uniform(size=n) for _ in range(4))
    joined = rng.uniform(size=n) < 0.5
    wealth = rng.lognormal(size=n)
    fast = approval_chance(d, r, joined, e, m, wealth, incentive=0.2, peer_pressure=0.4)
    for i in range(n):
        p = min(1.0, max(0.0, d[i] + 0.2 * r[i] * joined[i] + 0.4 * (m[i] - e[i])))
        for k, domain in enumerate(("finance", "consumption", "speech", "social")):
            expected = p * wealth[i] / (wealth[i] + 0.5) if domain == "finance" else p
            assert fast[i, k] == pytest.approx(expected)


def test_cut_chance_and_wealth_growth_closed_forms():
    config = GameConfig(ostracism=0.4, gap_scale=50.0)
    gap = np.array([0.0, 50.0, 1e9])
    cost = np.array([0.5, 0.0, 0.9])
    np.testing.assert_allclose(cut_chance(gap, cost, config),
                               [0.0, 0.4 * (1 - np.exp(-1)), 0.4 * 0.1])
    access = {"credit": np.array([True, False]), "travel": np.array([True, False]),
              "utilities": np.array([True, False])}
    np.testing.assert_allclose(wealth_growth(access, config), [0.03 + 0.01, -0.05])


def test_same_seed_same_frames_and_different_seed_differs(society):
    config = GameConfig(ostracism=0.2)
    a = simulate(society, config, n_steps=6, rng=5, record=[0, 5])
    b = simulate(society, config, n_steps=6, rng=5, record=[0, 5])
    pd.testing.assert_frame_equal(a.history, b.history)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    pd.testing.assert_frame_equal(a.society.ties, b.society.ties)
    c = simulate(society, config, n_steps=6, rng=6)
    assert not a.history.equals(c.history)


def test_history_is_tidy_and_the_input_is_not_modified(society):
    before = society.ties.copy()
    result = simulate(society, GameConfig(ostracism=0.3), n_steps=4, rng=1, record="all")
    pd.testing.assert_frame_equal(society.ties, before)
    long = result.history
    assert long.columns.tolist() == ["step", "measure", "group", "value"]
    assert [str(t) for t in long.dtypes] == ["int64", "str", "str", "float64"]
    assert not long.duplicated(["step", "measure", "group"]).any()
    assert set(long["group"]) == {"all", "majority", "minority"}
    history = result.wide()
    assert history["step"].tolist() == [0, 1, 2, 3, 4]
    for column in ("gini_displayed", "largest_component_share", "expression_gap",
                   "score_assortativity", "access_credit", "mean_displayed_minority"):
        assert column in history
    assert not any("[" in c or "]" in c for c in history.columns)
    assert set(result.panel["step"]) == {0, 1, 2, 3}  # the engine's step index
    # step 0 is the start: nothing cut, the society's ties, nobody scored, no act yet
    start = history.iloc[0]
    assert start["ties"] == society.n_ties and start["ties_cut"] == start["ties_added"] == 0
    assert start["participation"] == 0 and np.isnan(start["mean_displayed"])
    assert np.isnan(start["private_disapproval"]) and np.isnan(start["expression_gap_minority"])
    # the final ties are a valid society (sorted, no self-loops or repeats) and add up
    Society(result.society.citizens, result.society.ties)
    counts = history["ties"].to_numpy()
    changes = (history["ties_added"] - history["ties_cut"]).to_numpy()
    np.testing.assert_array_equal(np.diff(counts), changes[1:])
    # the shares are of the ties at the start of each step
    np.testing.assert_allclose(history["ties_cut_share"].iloc[1:],
                               history["ties_cut"].iloc[1:] / counts[:-1], rtol=1e-15)
    np.testing.assert_allclose(history["ties_added_share"].iloc[1:],
                               history["ties_added"].iloc[1:] / counts[:-1], rtol=1e-15)
    assert history["ties_cut"].iloc[1:].sum() > 0
    assert result.metadata()["config"]["ostracism"] == 0.3


def test_measuring_less_often_leaves_the_run_unchanged(society):
    config = GameConfig(ostracism=0.2)
    every = simulate(society, config, n_steps=7, rng=3, record=[6])
    sparse = simulate(society, config, n_steps=7, rng=3, record=[6], history_every=3)
    # the start, every third step and the last
    assert sparse.history["step"].unique().tolist() == [0, 3, 6, 7]
    pd.testing.assert_frame_equal(
        sparse.history,
        every.history[every.history.step.isin([0, 3, 6, 7])].reset_index(drop=True))
    pd.testing.assert_frame_equal(sparse.panel, every.panel)


def test_no_association_means_displayed_equals_own(society):
    result = simulate(society, GameConfig(association=False), n_steps=3, rng=2, record=[2])
    panel = result.panel
    np.testing.assert_array_equal(panel["displayed"], panel["own"])
    with_association = simulate(society, GameConfig(), n_steps=3, rng=2, record=[2]).panel
    assert not np.allclose(with_association["displayed"], with_association["own"])


def test_no_ostracism_or_private_scores_keep_every_tie(society):
    for config in (GameConfig(ostracism=0.0), GameConfig(ostracism=0.5, public_scores=False)):
        result = simulate(society, config, n_steps=4, rng=3)
        assert result.wide()["ties_cut"].sum() == 0
        pd.testing.assert_frame_equal(result.society.ties[["source", "target"]],
                                      society.ties[["source", "target"]])


def test_ostracism_cuts_ties_to_low_scorers_and_cuts_family_least(society):
    result = simulate(society, GameConfig(ostracism=0.8, gap_scale=30.0), n_steps=5, rng=4)
    assert result.wide()["ties_cut"].sum() > 0
    before, after = society.ties, result.society.ties
    kept = before.merge(after[["source", "target"]], on=["source", "target"], how="left",
                        indicator=True)["_merge"].eq("both")
    survival = kept.groupby(before["kind"], observed=True).mean()
    # family ties are the hardest to cut, colleague ties the easiest
    assert survival["family"] > survival["friend"] > survival["colleague"]


def test_rollout_self_selects_conformists_then_becomes_mandatory(society):
    config = GameConfig(mandatory_step=6, join_rate=0.5)
    result = simulate(society, config, n_steps=8, rng=5, record=[2])
    participation = result.wide()["participation"].to_numpy()[1:]  # steps 1..8
    assert (np.diff(participation[:6]) >= 0).all() and participation[5] < 1
    assert (participation[6:] == 1).all()
    early = result.panel[result.panel.participant]
    assert early["citizen"].map(society.citizens["disposition"]).mean() > \
        society.citizens["disposition"].mean()
    mandatory = simulate(society, GameConfig(), n_steps=2, rng=5)
    assert mandatory.wide()["participation"].tolist() == [0.0, 1.0, 1.0]  # from step 1


def test_self_censorship_opens_a_private_expressed_gap():
    eager = homophilous_sbm(400, profiles={
        g: GroupProfile(responsiveness_mean=0.95, responsiveness_concentration=50)
        for g in ("majority", "minority")}, rng=8)
    none = simulate(eager, GameConfig(censorship=0.0), n_steps=3, rng=1).wide().iloc[1:]
    assert (none["expression_gap"] == 0).all()
    full = simulate(eager, GameConfig(censorship=1.0), n_steps=3, rng=1).wide().iloc[1:]
    assert (full["expression_gap"] > 0.8 * full["private_disapproval"]).all()


def test_gates_feed_wealth_back(society):
    config = GameConfig(wealth_noise=0.0)
    result = simulate(society, config, n_steps=8, rng=9, record=[7])
    final = result.panel
    rich_gain = final.loc[final.displayed >= config.thresholds["credit"], "wealth"]
    poor = final.loc[final.displayed < config.thresholds["utilities"], "wealth"]
    start = society.citizens["wealth"]
    assert (rich_gain / start[rich_gain.index]).min() > 1.0
    if len(poor):
        assert (poor / start[poor.index]).max() < 1.0 + 1e-12 or len(poor) == 0


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"ostracism": 1.5}, ValueError, "ostracism must be <= 1"),
        ({"detection": -0.1}, ValueError, "detection must be >= 0"),
        ({"mandatory_step": -1}, ValueError, "mandatory_step must be >= 0"),
        ({"n_acts": 0}, ValueError, "n_acts must be >= 1"),
        ({"thresholds": {"credit": 600.0}}, ValueError, "thresholds must map exactly"),
        ({"thresholds": {"credit": 2000.0, "travel": 500.0, "utilities": 400.0}}, ValueError,
         "thresholds\\['credit'\\] must be <= 950"),
        ({"policy": "strict"}, TypeError, "policy must be a ScoringPolicy"),
        ({"association": 1}, TypeError, "association must be True or False"),
        ({"association_tol": 0.0}, ValueError, "association_tol must be > 0"),
        ({"association_tol": float("nan")}, ValueError, "association_tol must be finite"),
    ],
)
def test_invalid_configs_fail_at_construction(changes, error, match):
    with pytest.raises(error, match=match):
        GameConfig(**changes)


def test_bad_simulate_arguments(society):
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        simulate(society, n_steps=0)
    with pytest.raises(TypeError, match="society must be a scorelab Society"):
        simulate(society.citizens, n_steps=2)
    with pytest.raises(TypeError, match="config must be a GameConfig"):
        simulate(society, {"ostracism": 0.1}, n_steps=2)
    with pytest.raises(ValueError, match="record step must be <= 1"):
        simulate(society, n_steps=2, record=[5])
    tiny = homophilous_sbm(1, group_shares=(1.0,), group_names=("all",), mean_degree=0, rng=1)
    with pytest.raises(ValueError, match="at least 2 citizens"):
        simulate(tiny, n_steps=1)


def test_config_round_trips_through_its_dict():
    config = GameConfig(policy=ScoringPolicy(alpha=0.5), ostracism=0.1)
    values = config.to_dict()
    rebuilt = GameConfig(**{**values, "policy": ScoringPolicy(**values["policy"])})
    assert rebuilt == dataclasses.replace(config)
    assert set(values["thresholds"]) == set(GATES)


def test_standard_is_reported_and_inertia_carries_the_early_standard(society):
    policy = ScoringPolicy()
    # indexed by the engine's step (row k: the end of the (k + 1)-th step)
    plain = simulate(society, GameConfig(policy=policy, mandatory_step=5, join_rate=0.3),
                     n_steps=7, rng=12).wide().iloc[1:].reset_index(drop=True)
    sticky = simulate(society, GameConfig(policy=policy, mandatory_step=5, join_rate=0.3,
                                          standard_inertia=0.9), n_steps=7,
                      rng=12).wide().iloc[1:].reset_index(drop=True)
    # before anyone is scored the runs are the same; the early standard is set by conformists
    assert plain.loc[0, "standard_mean"] == pytest.approx(sticky.loc[0, "standard_mean"])
    # at the switch the re-measured standard falls to everyone's, the sticky one stays high
    drop_plain = plain.loc[4, "standard_mean"] - plain.loc[5, "standard_mean"]
    drop_sticky = sticky.loc[4, "standard_mean"] - sticky.loc[5, "standard_mean"]
    assert drop_plain > 0 and drop_sticky < 0.2 * drop_plain
    absolute = simulate(society, GameConfig(policy=ScoringPolicy(standard="absolute")),
                        n_steps=2, rng=1).wide()
    assert absolute["standard_mean"].isna().all()
    with pytest.raises(ValueError, match="standard_inertia must be < 1"):
        GameConfig(standard_inertia=1.0)


def test_group_aware_thresholds_mislabelled_acts_and_appeals(society):
    blind = simulate(society, GameConfig(), n_steps=3, rng=4, record=[0]).panel
    lenient = {"majority": 650.0, "minority": 400.0}
    aware = simulate(society, GameConfig(thresholds={"credit": lenient, "travel": 550.0,
                                                     "utilities": 450.0}),
                     n_steps=3, rng=4, record=[0])
    # the same first step up to the gate; the minority's lower credit bar shows in access
    history = aware.wide()
    assert history["access_credit_minority"].iloc[-1] > 0.95
    np.testing.assert_array_equal(aware.panel["own"], blind["own"])
    with pytest.raises(ValueError, match="must give every group a threshold"):
        simulate(society, GameConfig(thresholds={"credit": {"minority": 400.0},
                                                 "travel": 550.0, "utilities": 450.0}),
                 n_steps=1)
    with pytest.raises(ValueError, match=r"thresholds\['credit'\]\['minority'\] must be >= 350"):
        GameConfig(thresholds={"credit": {"minority": 100.0}, "travel": 550.0,
                               "utilities": 450.0})
    # diverse behaviour: the minority's customary consumption acts scored as disapproved
    plain = simulate(society, GameConfig(), n_steps=4, rng=5).wide()
    diverse = simulate(society, GameConfig(mislabelled={"minority": {"consumption": 0.8}}),
                       n_steps=4, rng=5).wide()
    gap = lambda h: h["mean_displayed_majority"] - h["mean_displayed_minority"]  # noqa: E731
    assert gap(diverse).iloc[-1] > gap(plain).iloc[-1] + 20
    with pytest.raises(ValueError, match="does not have"):
        simulate(society, GameConfig(mislabelled={"martians": {"speech": 0.5}}), n_steps=1)
    with pytest.raises(ValueError, match=r"mislabelled\['minority'\]\['speech'\] must be <= 1"):
        GameConfig(mislabelled={"minority": {"speech": 2.0}})
    # appeals strike recorded disapproved acts: scores rise for those who had many
    absolute = ScoringPolicy(standard="absolute")
    kept = simulate(society, GameConfig(policy=absolute), n_steps=2, rng=5).wide().iloc[1:]
    appealed = simulate(society, GameConfig(appeal=1.0, policy=absolute), n_steps=2,
                        rng=5).wide().iloc[1:]
    assert (appealed["mean_own"] > kept["mean_own"] + 50).all()


def test_random_above_draws_uniformly_among_the_higher_ranked():
    # the sorted construction it replaces: uniform over ranks low..n-1 of the stable order
    rng = np.random.default_rng(3)
    score = rng.integers(0, 6, 40).astype(float)  # many ties: ranks break them by id
    score[:5] = -np.inf
    order = np.argsort(score, kind="stable")
    rank = np.empty(40, dtype=np.int64)
    rank[order] = np.arange(40)
    seekers = np.array([7, 12, int(order[-1]), int(order[-3]), int(order[20])])
    draws = 20_000
    got = random_above(score, np.repeat(seekers, draws), rng).reshape(len(seekers), draws)
    for seeker, targets in zip(seekers, got):
        low = min(rank[seeker] + 1, 40 - 4)
        eligible = set(order[low:].tolist())
        assert set(targets.tolist()) == eligible
        counts = np.bincount(targets, minlength=40)[sorted(eligible)]
        expected = draws / len(eligible)
        # every eligible citizen within 5 standard deviations of the uniform count
        assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_bernoulli_positions_take_each_position_with_probability_p():
    rng = np.random.default_rng(4)
    n, p, runs = 2_000, 0.03, 400
    taken = np.zeros(n)
    totals = []
    for _ in range(runs):
        positions = bernoulli_positions(n, p, rng)
        assert np.all(np.diff(positions) > 0) and positions.min(initial=0) >= 0
        assert positions.max(initial=0) < n
        taken[positions] += 1
        totals.append(len(positions))
    # the count is Binomial(n, p): mean n p, variance n p (1 - p)
    assert abs(np.mean(totals) - n * p) < 5 * np.sqrt(n * p * (1 - p) / runs)
    assert abs(np.var(totals) / (n * p * (1 - p)) - 1) < 0.25
    # no position favoured: first, middle and last thirds equally
    thirds = [taken[: n // 3].mean(), taken[n // 3 : 2 * n // 3].mean(), taken[2 * n // 3 :].mean()]
    assert np.allclose(np.array(thirds) / runs, p, rtol=0.05)
    assert len(bernoulli_positions(n, 0.0, rng)) == 0
    # tiny p: gaps of ~1/p would overflow when summed; the count-then-places draw is used
    for p_tiny in (1e-13, 1e-18, 1e-300):
        positions = bernoulli_positions(10**7, p_tiny, rng)
        assert len(positions) <= 1 and np.all((positions >= 0) & (positions < 10**7))
    many = [len(bernoulli_positions(10**12, 2e-13, rng)) for _ in range(2000)]
    assert abs(np.mean(many) - 0.2) < 5 * np.sqrt(0.2 / 2000)
    assert np.array_equal(bernoulli_positions(5, 1.0, rng), np.arange(5))


def test_block_streams_give_the_same_run_in_threads_or_one_by_one(society, monkeypatch):
    # blocks of 128 citizens: five random streams, drawn by the thread pool
    monkeypatch.setattr(dynamics._Streams, "BLOCK", 128)
    config = GameConfig(ostracism=0.5, visibility=0.7)
    threaded = simulate(society, config, n_steps=4, rng=5)

    def one_by_one(self, draw):
        for generator, (a, b) in reversed(list(zip(self.generators, self.blocks))):
            draw(generator, a, b)

    monkeypatch.setattr(dynamics._Streams, "run", one_by_one)
    serial = simulate(society, config, n_steps=4, rng=5)
    pd.testing.assert_frame_equal(threaded.history, serial.history)
    pd.testing.assert_frame_equal(threaded.society.ties, serial.society.ties)


def test_a_seed_sequence_replays_the_same_run(society):
    seed = np.random.SeedSequence(8)
    first = simulate(society, GameConfig(ostracism=0.3), n_steps=3, rng=seed)
    again = simulate(society, GameConfig(ostracism=0.3), n_steps=3, rng=seed)
    pd.testing.assert_frame_equal(first.history, again.history)


def test_displayed_scores_are_the_association_solve_within_its_tolerance(society):
    from scorelab.association import propagate

    # no ostracism: the final ties are the ones the last step's scores were solved on
    config = GameConfig(ostracism=0.0, association_tol=1e-6)
    result = simulate(society, config, n_steps=4, rng=2)
    final = result.society
    own = final.citizens["own_score"].to_numpy()
    exact = propagate(final, own, alpha=config.policy.alpha, tol=1e-12)
    error = np.abs(final.citizens["displayed_score"].to_numpy() - exact.to_numpy()).max()
    assert error <= 1e-6 * np.abs(own).max()


def test_game_config_takes_the_policy_fields_directly():
    config = GameConfig(alpha=0.6, memory=0.5, ostracism=0.2)
    assert config == GameConfig(policy=ScoringPolicy(alpha=0.6, memory=0.5), ostracism=0.2)
    assert GameConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["policy"]["alpha"] == 0.6
    # updates a given policy, and dataclasses.replace reaches into it too
    base = ScoringPolicy(memory=0.5, standard="absolute")
    assert GameConfig(policy=base, alpha=0.1).policy == dataclasses.replace(base, alpha=0.1)
    assert dataclasses.replace(config, alpha=0.2).policy == ScoringPolicy(alpha=0.2, memory=0.5)
    with pytest.warns(DeprecationWarning, match="'association_weight' is deprecated"):
        assert GameConfig(association_weight=0.6, memory=0.5, ostracism=0.2) == config
    old = config.to_dict()
    old["policy"]["association_weight"] = old["policy"].pop("alpha")  # saved before the rename
    with pytest.warns(DeprecationWarning):
        assert GameConfig.from_dict(old) == config
    with pytest.raises(ValueError, match="alpha must be <= 1.0, got 1.5"):
        GameConfig(alpha=1.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpah'"):
        GameConfig(alpah=0.6)
