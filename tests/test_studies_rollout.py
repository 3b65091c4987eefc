"""Tests of the rollout study (notebook 03): cohorts, counterfactual, contrasts, validation."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scorelab.dynamics import GameConfig, simulate
from scorelab.society import GroupProfile, homophilous_sbm
from scorelab.studies.rollout import (
    COHORTS,
    SCENARIOS,
    _cohort_means,
    _cohorts,
    rollout_run,
    rollout_summary,
)

SMALL = dict(n_steps=6, mandatory_step=3)


@pytest.fixture(scope="module")
def frame():
    return rollout_run(400, join_rate=0.3, rng=11, **SMALL)


def _rows(frame, scenario, cohort, group="all"):
    chosen = frame[(frame.scenario == scenario) & (frame.cohort == cohort)
                   & (frame.group == group)]
    return chosen.set_index("step")


def test_same_seed_same_frame_and_other_seed_differs(frame):
    again = rollout_run(400, join_rate=0.3, rng=11, **SMALL)
    pd.testing.assert_frame_equal(frame, again)
    other = rollout_run(400, join_rate=0.3, rng=12, **SMALL)
    assert not other["own"].equals(frame["own"])


def test_frame_shape_and_cohort_bookkeeping(frame):
    assert list(frame.columns[:5]) == ["scenario", "cohort", "group", "step", "n"]
    assert frame["scenario"].unique().tolist() == list(SCENARIOS)
    assert frame["cohort"].unique().tolist() == list(COHORTS)
    assert len(frame) == len(SCENARIOS) * len(COHORTS) * 3 * SMALL["n_steps"]
    early, late = _rows(frame, "rollout", "early"), _rows(frame, "rollout", "late")
    everyone = _rows(frame, "rollout", "everyone")
    assert (everyone["n"] == 400).all() and (early["n"] + late["n"] == 400).all()
    switch = SMALL["mandatory_step"]
    # late joiners are not scored (nor gated) before the switch, everyone is from it on
    assert (late.loc[:switch - 1, "participation"] == 0).all()
    assert late.loc[:switch - 1, "own"].isna().all()
    assert (late.loc[:switch - 1, "access_credit"] == 1).all()
    assert (everyone.loc[switch:, "participation"] == 1).all()
    # every early joiner has joined by the last opt-in step, and joining never reverts
    assert early.loc[switch - 1, "participation"] == 1
    assert early["participation"].is_monotonic_increasing
    # the reference is whoever is scored: in the counterfactual, everyone at every step
    reference = _rows(frame, "rollout", "reference")
    assert (reference["n"] == np.round(everyone["participation"] * 400)).all()
    assert (_rows(frame, "mandatory", "reference")["n"] == 400).all()
    # the groups split each cohort
    by_group = frame[frame.group != "all"].groupby(["scenario", "cohort", "step"])["n"].sum()
    total = frame[frame.group == "all"].set_index(["scenario", "cohort", "step"])["n"]
    pd.testing.assert_series_equal(by_group.sort_index(), total.sort_index(), check_names=False)


def test_difference_is_rollout_minus_mandatory(frame):
    rollout, mandatory = _rows(frame, "rollout", "late"), _rows(frame, "mandatory", "late")
    difference = _rows(frame, "difference", "late")
    columns = ["own", "displayed", "expressed_approval", "access_credit", "wealth"]
    pd.testing.assert_frame_equal(difference[columns], rollout[columns] - mandatory[columns])


def test_without_opt_in_there_are_no_late_joiners_and_no_difference():
    frame = rollout_run(300, mandatory_step=0, n_steps=3, rng=4)
    assert (frame.loc[frame.cohort.isin(["early", "late"]), "n"] == 0).all()
    assert frame.loc[frame.cohort.isin(["early", "late"]), "own"].isna().all()
    rollout = _rows(frame, "rollout", "everyone")
    mandatory = _rows(frame, "mandatory", "everyone")
    pd.testing.assert_frame_equal(rollout.drop(columns="scenario"),
                                  mandatory.drop(columns="scenario"))
    difference = frame.loc[(frame.scenario == "difference") & (frame.cohort == "everyone")]
    assert (difference[["own", "displayed", "wealth"]] == 0).all(axis=None)


def test_early_joiners_self_select_for_disposition():
    selective = rollout_run(1000, mandatory_step=4, n_steps=5, selectivity=3.0, rng=2)
    early = _rows(selective, "rollout", "early").loc[4]
    late = _rows(selective, "rollout", "late").loc[4]
    assert early["n"] > 30 and late["n"] > 30
    assert early["disposition"] > late["disposition"] + 0.05
    # the early joiners who set the standard score lower against each other than the
    # same citizens do against everyone
    assert _rows(selective, "difference", "early").loc[3, "own"] < 0
    # joining blind to disposition (selectivity 0) selects nobody in particular
    blind = rollout_run(1000, mandatory_step=4, n_steps=5, selectivity=0.0, rng=2)
    gap = (_rows(blind, "rollout", "early").loc[4, "disposition"]
           - _rows(blind, "rollout", "late").loc[4, "disposition"])
    assert abs(gap) < 0.03


def test_cohort_means_match_a_groupby_reference():
    society = homophilous_sbm(200, rng=3)
    config = GameConfig(mandatory_step=2, join_rate=0.4)
    panel = simulate(society, config, n_steps=4, rng=3, record="all").panel
    cohort = _cohorts(panel, 200, 2)
    citizens = society.citizens
    fast = _cohort_means(panel, cohort, citizens["group"], citizens["disposition"].to_numpy(),
                         config.thresholds, np.arange(4))
    slow = panel.assign(
        cohort=cohort[panel["citizen"]],
        group=panel["group"].astype(str),
        disposition=citizens["disposition"].to_numpy()[panel["citizen"]],
        access_credit=(~panel["participant"]
                       | (panel["displayed"] >= config.thresholds["credit"])).astype(float),
    )
    for name, members in (("late", slow[slow.cohort == "late"]),
                          ("reference", slow[slow.participant])):
        expected = members.groupby(["group", "step"])[
            ["own", "displayed", "disposition", "wealth", "access_credit"]].mean()
        got = fast[(fast.cohort == name) & (fast.group != "all")].set_index(["group", "step"])
        got = got.loc[expected.index, expected.columns]
        pd.testing.assert_frame_equal(got, expected, check_names=False, check_index_type=False)
    first_join = panel[panel.participant].groupby("citizen")["step"].min()
    assert set(first_join[first_join < 2].index) == set(np.flatnonzero(cohort == "early"))


def test_summary_agrees_with_the_run():
    row = rollout_summary(400, mandatory_step=3, after=2, join_rate=0.3, rng=11)
    assert all(isinstance(value, float) for value in row.values())
    frame = rollout_run(400, mandatory_step=3, n_steps=6, join_rate=0.3, rng=11)
    difference = _rows(frame, "difference", "late")
    assert row["late_own_effect_switch"] == pytest.approx(difference.loc[3, "own"])
    assert row["late_credit_effect_after"] == pytest.approx(difference.loc[5, "access_credit"])
    late = _rows(frame, "rollout", "late").loc[3]
    assert row["late_share"] == pytest.approx(late["n"] / 400)
    assert row["disposition_early"] > row["disposition_late"]


def test_config_passes_other_parameters_through():
    quiet = rollout_run(200, n_steps=3, mandatory_step=1, config=GameConfig(ostracism=0.0),
                        rng=1)
    loud = rollout_run(200, n_steps=3, mandatory_step=1, rng=1)
    assert not quiet["degree"].equals(loud["degree"])
    assert (_rows(quiet, "difference", "everyone")["degree"] == 0).all()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_citizens": 1}, ValueError, "n_citizens must be >= 2"),
        ({"n_citizens": 10.0}, TypeError, "n_citizens must be an integer"),
        ({"mandatory_step": -1}, ValueError, "mandatory_step must be >= 0"),
        ({"mandatory_step": 6}, ValueError, "mandatory_step must be < n_steps"),
        ({"n_steps": 0}, ValueError, "n_steps must be >= 1"),
        ({"selectivity": -1.0}, ValueError, "selectivity must be >= 0"),
        ({"join_rate": 1.5}, ValueError, "join_rate must be <= 1"),
        ({"homophily": -0.1}, ValueError, "homophily must be >= 0"),
        ({"minority_wealth": 0.0}, ValueError, "minority_wealth must be > 0"),
        ({"config": {"ostracism": 0}}, TypeError, "config must be a GameConfig"),
    ],
)
def test_bad_input_is_named(kwargs, error, match):
    arguments = {"n_citizens": 50, "n_steps": 6, "mandatory_step": 2, **kwargs}
    with pytest.raises(error, match=match):
        rollout_run(arguments.pop("n_citizens"), **arguments, rng=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"mandatory_step": 0}, "mandatory_step must be >= 1"), ({"after": -1}, "after must be >= 0")],
)
def test_summary_bad_input_is_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rollout_summary(50, **kwargs, rng=0)


def test_standard_columns_are_the_engines_history():
    frame = rollout_run(300, join_rate=0.3, standard_inertia=0.5, rng=5, **SMALL)
    society_seed, game_seed = np.random.default_rng(5).bit_generator.seed_seq.spawn(2)
    society = homophilous_sbm(300, group_shares=(0.8, 0.2), group_names=("majority", "minority"),
                              homophily=0.7, rng=society_seed,
                              profiles={"minority": GroupProfile(wealth_median=0.6)})
    config = GameConfig(mandatory_step=3, join_rate=0.3, standard_inertia=0.5)
    # the study's steps are the panel's: its step k is the history's step k + 1
    history = simulate(society, config, n_steps=6, rng=game_seed).wide().iloc[1:]
    rollout = _rows(frame, "rollout", "late")
    np.testing.assert_array_equal(rollout.index + 1, history["step"])
    np.testing.assert_allclose(rollout["standard_mean"], history["standard_mean"])
    np.testing.assert_allclose(rollout["standard_spread"], history["standard_spread"])
    # one standard per scenario and step, whatever the cohort or group
    assert (frame.groupby(["scenario", "step"])["standard_mean"].nunique(dropna=False) == 1).all()
    difference = _rows(frame, "difference", "everyone")["standard_mean"]
    expected = rollout["standard_mean"] - _rows(frame, "mandatory", "late")["standard_mean"]
    pd.testing.assert_series_equal(difference, expected)


def test_inertia_follows_its_recursion_from_the_panel():
    # reference rates recomputed from the engine's own record would need its internals;
    # instead: with inertia s, m_t - s m_{t-1} must equal (1 - s) times the re-measured
    # mean of the same reference, which differs only through the scores' feedback. With
    # no incentive, no peer pressure and no ostracism the scores feed nothing back, so the
    # records are identical and the recursion holds exactly.
    quiet = GameConfig(incentive=0.0, peer_pressure=0.0, ostracism=0.0, censorship=0.0,
                       credit_return=0.0, travel_return=0.0, utilities_loss=0.0)
    s = 0.7
    sticky = rollout_run(300, join_rate=0.3, standard_inertia=s, config=quiet, rng=6, **SMALL)
    fresh = rollout_run(300, join_rate=0.3, standard_inertia=0.0, config=quiet, rng=6, **SMALL)
    for scenario in ("rollout", "mandatory"):
        m = _rows(sticky, scenario, "everyone")["standard_mean"].to_numpy()
        raw = _rows(fresh, scenario, "everyone")["standard_mean"].to_numpy()
        first = np.flatnonzero(~np.isnan(raw))[0]
        assert m[first] == pytest.approx(raw[first])
        np.testing.assert_allclose(m[first + 1:], s * m[first:-1] + (1 - s) * raw[first + 1:])


def test_sticky_standard_keeps_the_early_bar_and_deepens_the_late_deficit():
    kwargs = dict(mandatory_step=6, n_steps=8, join_rate=0.1, rng=3)
    fresh = rollout_run(800, **kwargs)
    sticky = rollout_run(800, standard_inertia=0.9, **kwargs)
    # re-measured, the standard drops at the switch; sticky, it barely moves
    drop = _rows(fresh, "rollout", "everyone")["standard_mean"].diff().loc[6]
    drift = _rows(sticky, "rollout", "everyone")["standard_mean"].diff().loc[6]
    assert drop < -0.03 and abs(drift) < abs(drop) / 3
    assert (_rows(sticky, "difference", "late").loc[6, "own"]
            < 3 * _rows(fresh, "difference", "late").loc[6, "own"] < 0)


def test_summary_reports_the_standard_effect():
    row = rollout_summary(400, mandatory_step=3, after=2, join_rate=0.3, standard_inertia=0.9,
                          rng=11)
    frame = rollout_run(400, mandatory_step=3, n_steps=6, join_rate=0.3, standard_inertia=0.9,
                        rng=11)
    difference = _rows(frame, "difference", "everyone")["standard_mean"]
    assert row["standard_effect_last"] == pytest.approx(difference.loc[2])
    assert row["standard_effect_switch"] == pytest.approx(difference.loc[3])
    assert row["standard_effect_after"] == pytest.approx(difference.loc[5])


@pytest.mark.parametrize("value, error, match", [
    (1.0, ValueError, "standard_inertia must be < 1"),
    (-0.1, ValueError, "standard_inertia must be >= 0"),
    ("high", TypeError, "standard_inertia"),
])
def test_bad_inertia_is_named(value, error, match):
    with pytest.raises(error, match=match):
        rollout_run(50, n_steps=3, mandatory_step=1, standard_inertia=value, rng=0)


def test_key_numbers_are_the_replicate_means_and_carry_the_cited_signs():
    from scorelab.experiments import confidence_intervals, sweep
    from scorelab.studies.rollout import rollout_key_numbers

    kwargs = dict(n_citizens=600, n_steps=9, mandatory_step=4, join_rate=0.15)
    runs = sweep(rollout_run, {"standard_inertia": [0.0, 0.9]}, n_replicates=3, rng=21,
                 fixed=kwargs)
    metrics = ["disposition", "own", "displayed", "expressed_approval", "access_credit",
               "wealth", "standard_mean"]
    summary = confidence_intervals(runs, ["standard_inertia", "scenario", "cohort", "group",
                                          "step"], metrics)
    numbers = rollout_key_numbers(runs, summary, n_citizens=600, mandatory_step=4, after=2,
                                  sticky_inertia=0.9)
    assert numbers.columns.tolist() == ["mean", "low", "high"]
    assert len(numbers) == 18 and numbers.index[0] == "share joining by choice"

    def mean_of(inertia, scenario, cohort, metric, step):
        chosen = runs[(runs.standard_inertia == inertia) & (runs.scenario == scenario)
                      & (runs.cohort == cohort) & (runs.group == "all") & (runs.step == step)]
        assert len(chosen) == 3
        return chosen[metric].mean()

    effect = "rollout - mandatory"
    assert numbers.loc["share joining by choice", "mean"] == pytest.approx(
        mean_of(0.0, "rollout", "early", "n", 4) / 600)
    assert np.isnan(numbers.loc["share joining by choice", "low"])
    assert numbers.loc[f"early joiners' own score, last opt-in step, {effect}", "mean"] == \
        pytest.approx(mean_of(0.0, "difference", "early", "own", 3))
    assert numbers.loc[f"sticky standard: late joiners' own score 2 steps after the switch, "
                       f"{effect}", "mean"] == pytest.approx(
        mean_of(0.9, "difference", "late", "own", 6))
    bounded = numbers.dropna()
    assert ((bounded["low"] <= bounded["mean"]) & (bounded["mean"] <= bounded["high"])).all()
    # the signs notebook 03 cites: self-selection, the conformists' own bar, late joiners who
    # were not yet scored (less compliant, not gated, so richer), a sticky bar that stays up
    cited = numbers["mean"]
    assert cited["disposition, early joiners"] > cited["disposition, late joiners"]
    assert cited[f"early joiners' own score, last opt-in step, {effect}"] < 0
    assert cited[f"late joiners' expressed approval, last opt-in step, {effect}"] < 0
    assert cited[f"late joiners' wealth at the switch, {effect}"] > 0
    assert (cited[f"sticky standard: standard mean at the switch, {effect}"]
            > cited[f"re-measured standard: standard mean at the switch, {effect}"])
    assert (cited[f"sticky standard: late joiners' own score at the switch, {effect}"]
            < cited[f"late joiners' own score at the switch, {effect}"] < 0)


def test_cohort_shares_split_each_group_at_the_switch(frame):
    from scorelab.studies.rollout import cohort_shares

    switch = SMALL["mandatory_step"]
    runs = pd.concat([frame.assign(replicate=0), frame.assign(replicate=1)], ignore_index=True)
    cohorts = cohort_shares(runs, mandatory_step=switch)
    assert cohorts.columns.tolist() == ["n", "disposition", "share of group"]
    np.testing.assert_allclose(cohorts["share of group"].groupby(level="group").sum(), 1.0)
    early = _rows(frame, "rollout", "early", "minority").loc[switch]
    late = _rows(frame, "rollout", "late", "minority").loc[switch]
    assert cohorts.loc[("minority", "early"), "n"] == early["n"]
    assert cohorts.loc[("minority", "early"), "share of group"] == pytest.approx(
        early["n"] / (early["n"] + late["n"]))
    assert cohorts.loc[("all", "late"), "disposition"] == pytest.approx(
        _rows(frame, "rollout", "late").loc[switch, "disposition"])


@pytest.fixture(scope="module")
def inertia_runs():
    from scorelab.experiments import sweep
    from scorelab.studies.rollout import rollout_summary

    kwargs = dict(n_citizens=500, mandatory_step=5, after=2, join_rate=0.15)
    return pd.concat([sweep(rollout_summary, {"standard_inertia": [inertia]}, n_replicates=4,
                            rng=31, fixed=kwargs) for inertia in (0.0, 0.9)],
                     ignore_index=True)


def test_findings_register_pairs_the_standards_by_seed(inertia_runs):
    from scorelab.findings import validate_findings
    from scorelab.studies.rollout import RESTS_ON, findings

    register = findings(inertia_runs, sticky_inertia=0.9, n_citizens=500, seed=31)
    validate_findings(register)
    assert register.id.tolist() == list(RESTS_ON)
    assert (register.notebook == "03-rollout").all()
    assert (register.resolved == ((register.ci_low > 0) | (register.ci_high < 0))).all()
    estimate = register.set_index("id").estimate
    remeasured = inertia_runs[inertia_runs.standard_inertia == 0.0].set_index("replicate")
    sticky = inertia_runs[inertia_runs.standard_inertia == 0.9].set_index("replicate")
    paired = sticky.late_own_effect_switch - remeasured.late_own_effect_switch
    assert estimate["rollout.sticky-vs-remeasured-deficit"] == pytest.approx(paired.mean())
    # the paired interval is the t interval of the per-seed differences
    row = register.set_index("id").loc["rollout.sticky-vs-remeasured-deficit"]
    half = stats.t.ppf(0.975, len(paired) - 1) * paired.std(ddof=1) / np.sqrt(len(paired))
    assert row.ci_high - row.estimate == pytest.approx(half)
    resolved = register.set_index("id").resolved
    assert resolved["rollout.sticky-vs-remeasured-deficit"] and paired.mean() < 0
    assert resolved["rollout.self-selection"] and estimate["rollout.self-selection"] > 0


def test_findings_come_out_otherwise_without_a_sticky_standard(inertia_runs):
    from scorelab.studies.rollout import findings, inertia_contrasts

    # "sticky" at inertia 0 is the re-measured standard: no difference, unresolved
    same = findings(inertia_runs, sticky_inertia=0.0, n_citizens=500, seed=31).set_index("id")
    assert not same.resolved["rollout.sticky-vs-remeasured-deficit"]
    assert same.estimate["rollout.sticky-vs-remeasured-deficit"] == 0
    contrasts = inertia_contrasts(inertia_runs)
    assert (contrasts[contrasts.standard_inertia == 0.0].drop(
        columns=["standard_inertia", "replicate"]) == 0).all().all()
    with pytest.raises(ValueError, match="standard_inertia = 0.5"):
        findings(inertia_runs, sticky_inertia=0.5, n_citizens=500, seed=31)
