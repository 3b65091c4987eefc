"""scorelab.studies.norms (notebook 08): norm trajectories and the stakes dose-response."""

import numpy as np
import pytest
from scipy.special import expit

from scorelab.findings import validate_findings
from scorelab.studies import norms


@pytest.fixture(scope="module")
def trajectories():
    return norms.norm_trajectories(n_citizens=300, n_steps=6, n_replicates=2, rng=4)


@pytest.fixture(scope="module")
def doses():
    return norms.stakes_dose_response(levels=[0, 5], n_citizens=300, n_steps=6,
                                      n_replicates=2, rng=5)


def test_scenarios_differ_only_where_they_should(trajectories):
    frame = trajectories
    assert set(frame["scenario"]) == set(norms.NORM_SCENARIOS)
    assert len(frame) == 3 * 2 * 7 * 2  # scenarios x replicates x steps 0..6 x groups
    start = frame[frame["step"] == 0]
    assert start["expressed_approval"].isna().all() and start["private_approval"].notna().all()
    fixed = frame[frame["scenario"] == "scored, fixed norms"]
    # fixed private norms: the same private approval at every step of a run
    spread = fixed.groupby(["replicate", "group"])["private_approval"].agg(np.ptp)
    assert (spread == 0).all()
    unscored = frame[frame["scenario"] == "not scored, norms drift"]
    assert (unscored["hidden_share"].fillna(0) == 0).all()
    minority = unscored[unscored["group"] == "minority"]
    assert (minority["customary_approval"] == 1.0).all()  # no authority: customs stay
    drifting = frame[(frame["scenario"] == "scored, norms drift")
                     & (frame["group"] == "minority")]
    last = drifting["step"].max()
    assert drifting[drifting["step"] == last]["customary_approval"].mean() < 0.95
    assert frame[frame["group"] == "majority"]["customary_approval"].isna().all()


def test_trajectory_intervals_are_the_replicate_means(trajectories):
    ci = norms.trajectory_intervals(trajectories)
    row = ci[(ci["scenario"] == "scored, norms drift") & (ci["step"] == 5)
             & (ci["group"] == "majority") & (ci["metric"] == "private_approval")]
    direct = trajectories[(trajectories["scenario"] == "scored, norms drift")
                          & (trajectories["step"] == 5)
                          & (trajectories["group"] == "majority")]["private_approval"]
    assert row["mean"].item() == pytest.approx(direct.mean())
    assert row["n"].item() == 2


def test_worlds_are_paired_and_the_difference_is_theirs(doses):
    assert set(doses["world"]) == {"derived", "counterfactual"}
    ci = norms.dose_intervals(doses, ["expressed_approval", "strategic_cuts"])
    derived = doses[(doses["world"] == "derived") & (doses["level"] == 5)]
    counter = doses[(doses["world"] == "counterfactual") & (doses["level"] == 5)]
    difference = ci[(ci["world"] == "difference") & (ci["level"] == 5)
                    & (ci["metric"] == "expressed_approval")]["mean"].item()
    assert difference == pytest.approx(derived["expressed_approval"].mean()
                                       - counter["expressed_approval"].mean())
    assert list(doses.loc[doses["level"] == 0, "gated"].unique()) == ["nothing"]
    assert list(doses.loc[doses["level"] == 5, "gated"].unique()) == ["food"]


def test_stakes_move_compliance_and_hiding_only_in_the_derived_world(doses):
    means = doses.groupby(["level", "world"]).mean(numeric_only=True)
    assert (means.loc[(5, "derived"), "expressed_approval"]
            > means.loc[(0, "derived"), "expressed_approval"] + 0.1)
    assert (means.loc[(5, "derived"), "hidden_share"]
            > means.loc[(0, "derived"), "hidden_share"] + 0.1)
    # nothing at stake: chosen hiding is the logit's baseline sigma(-beta * authenticity)
    assert means.loc[(0, "derived"), "hidden_share"] == pytest.approx(expit(-4.0), abs=0.02)
    # the counterfactual's constant incentive and fixed hiding do not see the stakes
    assert abs(means.loc[(5, "counterfactual"), "hidden_share"]
               - means.loc[(0, "counterfactual"), "hidden_share"]) < 0.03


def test_key_numbers_are_computed_from_the_frames(trajectories, doses):
    numbers = norms.norms_key_numbers(trajectories, doses.assign(
        level=doses["level"].replace({5: len(norms.STAKE_LEVELS) - 1})))
    assert numbers["private_shift"]["scored, fixed norms"] == 0.0
    means = doses.groupby(["level", "world"]).mean(numeric_only=True)
    assert numbers["cuts_food"]["derived"] == pytest.approx(
        means.loc[(5, "derived"), "strategic_cuts"])
    assert numbers["compliance_gain"]["counterfactual"] == pytest.approx(
        means.loc[(5, "counterfactual"), "expressed_approval"]
        - means.loc[(0, "counterfactual"), "expressed_approval"])


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="scenario must be one of"):
        norms.norm_game("utopia", n_citizens=100, n_steps=3)
    with pytest.raises(ValueError, match="world must be"):
        norms.stakes_game(1, "dream", n_citizens=100, n_steps=3)
    with pytest.raises(ValueError, match="level"):
        norms.stakes_game(9, "derived", n_citizens=100, n_steps=3)
    with pytest.raises(ValueError, match="n_steps"):
        norms.norm_game("scored, norms drift", n_citizens=100, n_steps=1)
    with pytest.raises(TypeError, match="config must be a GameConfig"):
        norms.stakes_game(1, "derived", n_citizens=100, n_steps=3, config={})


@pytest.fixture(scope="module")
def register(trajectories, doses):
    scaled = norms.stakes_dose_response(levels=[5], stake_scales=[1.0, 100.0], n_citizens=300,
                                        n_steps=6, n_replicates=3, rng=6)
    return norms.findings(trajectories, doses, scaled, n_citizens=300, seed=4), scaled


def test_findings_register_is_valid_stable_and_consistent(register, trajectories, doses):
    frame, scaled = register
    validate_findings(frame)
    assert frame["id"].tolist() == list(norms.RESTS_ON)
    assert (frame["notebook"] == "08-norms-and-stakes").all()
    assert (frame["null"] == 0).all()
    resolved = (frame["ci_low"] > 0) | (frame["ci_high"] < 0)
    assert (frame["resolved"] == resolved).all()
    rows = frame.set_index("id")
    # the rows are the paired differences of the frames, read directly
    hidden = doses[doses["level"] == 5].pivot_table(index="replicate", columns="world",
                                                    values="hidden_share")
    assert rows.estimate["norms.hiding-at-food"] == pytest.approx(
        (hidden["derived"] - hidden["counterfactual"]).mean())
    top = scaled[scaled["stake_scale"] == 100.0].pivot_table(
        index="replicate", columns="world", values=["cuts_colleague", "cuts_family"])
    excess = {k: top[(f"cuts_{k}", "derived")] - top[(f"cuts_{k}", "counterfactual")]
              for k in ("colleague", "family")}
    assert rows.estimate["norms.cuts-colleague-top-stakes"] == pytest.approx(
        excess["colleague"].mean())
    assert rows.estimate["norms.colleague-minus-family-cuts"] == pytest.approx(
        (excess["colleague"] - excess["family"]).mean())
    assert rows.replicates["norms.cuts-family-top-stakes"] == 3
    assert rows.replicates["norms.private-approval-drift"] == 2
    assert rows.estimate["norms.compliance-gain"] > 0


def test_drift_finding_is_zero_and_unresolved_without_internalisation(doses):
    still = norms.norm_trajectories(n_citizens=300, n_steps=6, n_replicates=3,
                                    internalisation=0.0, rng=4)
    # the scenarios are paired: with internalisation 0 the drifting and fixed scored
    # worlds are the same configuration, so replicate k of each must be the same run
    by = still.set_index(["replicate", "step", "group"])
    columns = ["private_approval", "expressed_approval", "hidden_share"]
    np.testing.assert_array_equal(by[by["scenario"] == "scored, norms drift"][columns],
                                  by[by["scenario"] == "scored, fixed norms"][columns])
    scaled = doses[doses["level"] == 5]
    frame = norms.findings(still, doses, scaled, n_citizens=300, seed=4).set_index("id")
    assert frame.estimate["norms.private-approval-drift"] == 0
    assert not frame.resolved["norms.private-approval-drift"]


def test_customs_erode_by_the_identity_of_the_update(trajectories):
    # every minority practitioner is scored from the start, so customary approval decays
    # as (1 - internalisation * authority_pull) ** steps: by assumption, not a finding
    from scorelab.dynamics import GameConfig

    drifting = trajectories[(trajectories["scenario"] == "scored, norms drift")
                            & (trajectories["group"] == "minority")]
    rate = 0.2 * GameConfig().authority_pull  # norm_trajectories' default internalisation
    for step, share in drifting.groupby("step")["customary_approval"]:
        assert share.to_numpy() == pytest.approx((1 - rate) ** step)  # 1 at the start
