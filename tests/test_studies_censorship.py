"""Self-censorship study: the gap against the hiding formula, counterfactuals, bad input."""

import numpy as np
import pytest

from scorelab.dynamics import GameConfig
from scorelab.experiments import sweep
from scorelab.studies.censorship import GROUPS, censorship_run

N = 300  # citizens: 240 majority, 60 minority
STEPS = 3


def run(**options):
    return censorship_run(N, n_steps=STEPS, **{"rng": 7, **options})


def test_same_seed_same_numbers_and_different_seed_differs():
    first = run(censorship=0.6, visibility=0.8)
    assert first == run(censorship=0.6, visibility=0.8)
    assert first != run(censorship=0.6, visibility=0.8, rng=8)
    assert all(isinstance(value, float) for value in first.values())


@pytest.mark.parametrize("options", [{"censorship": 0.0}, {"visibility": 0.0},
                                     {"censorship": 0.0, "responsiveness": 1.0}])
def test_no_hiding_means_no_gap(options):
    row = run(**options)
    assert row["private_disapproval"] > 0.1
    assert row["expressed_disapproval"] == row["private_disapproval"]
    for suffix in ("", *(f"_{group}" for group in GROUPS)):
        assert row[f"expression_gap{suffix}"] == 0.0
        assert row[f"hidden_share{suffix}"] == 0.0
    assert row["vanished"] == 0.0 and row["expressed_share"] == 1.0


@pytest.mark.parametrize("censorship, visibility, public_scores",
                         [(1.0, 1.0, True), (0.6, 0.5, True), (1.0, 0.7, False)])
def test_fully_responsive_citizens_hide_the_share_the_formula_gives(
        censorship, visibility, public_scores):
    # responsiveness 1 for everyone: each disapproved act is hidden with probability
    # censorship * visibility * (1 + public) / 2, the same for every citizen
    row = run(censorship=censorship, visibility=visibility, public_scores=public_scores,
              responsiveness=1.0)
    expected = censorship * visibility * (1 + public_scores) / 2
    assert row["hidden_share"] == pytest.approx(expected, abs=0.03)
    for group in GROUPS:
        assert row[f"hidden_share_{group}"] == pytest.approx(expected, abs=0.05)


def test_expression_vanishes_only_under_total_hiding():
    total = run(censorship=1.0, visibility=1.0, responsiveness=1.0)
    assert total["expressed_disapproval"] == 0.0 and total["vanished"] == 1.0
    assert total["private_disapproval"] > 0.1  # private disapproval persists
    assert total["expressed_disapproval_minority"] == 0.0
    # private scores halve the hiding, default responsiveness caps it near one half
    assert run(censorship=1.0, responsiveness=1.0, public_scores=False)["vanished"] == 0.0
    assert run(censorship=1.0)["expressed_share"] > 0.3


def test_gap_grows_with_censorship_visibility_and_public_scores():
    share = {c: run(censorship=c)["hidden_share"] for c in (0.0, 0.5, 1.0)}
    assert share[0.0] < share[0.5] - 0.1 < share[1.0] - 0.2
    assert run(censorship=1.0, visibility=0.5)["hidden_share"] < share[1.0] - 0.1
    assert run(censorship=1.0, public_scores=False)["hidden_share"] < share[1.0] - 0.1


def test_group_rates_add_up_to_the_population_rates():
    row = run(censorship=0.8)
    sizes = {"majority": 240, "minority": 60}
    for metric in ("private_disapproval", "expressed_disapproval", "expression_gap"):
        mixed = sum(sizes[g] * row[f"{metric}_{g}"] for g in GROUPS) / N
        assert mixed == pytest.approx(row[metric], abs=1e-12)
    # the dissenting minority (lower disposition) does more disapproved acts in private
    assert row["private_disapproval_minority"] > row["private_disapproval_majority"]


def test_detection_changes_who_gains_not_how_much_is_hidden():
    blind = run(censorship=1.0, detection=0.0)
    seeing = run(censorship=1.0, detection=1.0)
    assert blind["hidden_share"] == pytest.approx(seeing["hidden_share"], abs=0.04)
    # undetected hiding pays: responsive citizens (who hide more) score higher
    assert blind["responsive_premium"] > seeing["responsive_premium"] + 30
    assert blind["score_disposition_correlation"] < seeing["score_disposition_correlation"]
    assert np.isnan(run(responsiveness=1.0)["responsive_premium"])


def test_sweep_gives_the_same_frame_twice():
    grid = {"censorship": [0.0, 1.0]}
    fixed = {"n_citizens": 100, "n_steps": 2}
    first = sweep(censorship_run, grid, n_replicates=2, fixed=fixed, rng=3)
    again = sweep(censorship_run, grid, n_replicates=2, fixed=fixed, rng=3)
    assert first.equals(again)
    assert (first.loc[first.censorship == 0.0, "expression_gap"] == 0).all()


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"n_citizens": 5}, ValueError, "n_citizens must be >= 10"),
        ({"n_citizens": 10.0}, TypeError, "n_citizens must be an integer"),
        ({"censorship": 1.5}, ValueError, "censorship must be <= 1"),
        ({"visibility": -0.1}, ValueError, "visibility must be >= 0"),
        ({"detection": 2}, ValueError, "detection must be <= 1"),
        ({"public_scores": "yes"}, TypeError, "public_scores must be True or False"),
        ({"responsiveness": 1.2}, ValueError, "responsiveness must be <= 1"),
        ({"minority_share": 1.0}, ValueError, "minority_share must be < 1"),
        ({"n_steps": 0}, ValueError, "n_steps must be >= 1"),
        ({"vanish_share": 0.0}, ValueError, "vanish_share must be > 0"),
        ({"config": {"censorship": 0.5}}, TypeError, "config must be a GameConfig"),
        ({"n_citizens": 10, "minority_share": 0.01}, ValueError, "at least one citizen"),
    ],
)
def test_bad_input_names_the_parameter(options, error, message):
    with pytest.raises(error, match=message):
        censorship_run(**{"n_citizens": 50, "n_steps": 1, "rng": 0, **options})


def test_config_keeps_its_other_settings():
    # no peer pressure and no incentive: private behaviour is the disposition alone
    calm = GameConfig(peer_pressure=0.0, incentive=0.0, censorship=0.9)
    row = censorship_run(N, n_steps=STEPS, censorship=0.0, config=calm, rng=7)
    assert row["expression_gap"] == 0.0  # the argument, not config.censorship, is used
    assert row["private_disapproval"] > run(censorship=0.0)["private_disapproval"]


def test_hidden_share_fit_recovers_an_exact_slope_and_the_largest_residual():
    import pandas as pd

    from scorelab.studies.censorship import hidden_share_fit

    c, v = np.meshgrid([0.0, 0.5, 1.0], [0.0, 0.5, 1.0])
    runs = pd.DataFrame({"censorship": c.ravel(), "visibility": v.ravel()})
    runs["hidden_share"] = 0.4 * runs.censorship * runs.visibility
    fit = hidden_share_fit(runs)
    assert fit["slope"] == pytest.approx(0.4)
    assert fit["largest_deviation"] == pytest.approx(0.0, abs=1e-15)
    assert "vanished" not in fit
    runs.loc[8, "hidden_share"] += 0.05  # c = v = 1
    runs["vanished"] = 0.0
    fit = hidden_share_fit(runs)
    # least squares through the origin: slope = sum(x h) / sum(x^2), x = c v
    x = runs.censorship * runs.visibility
    assert fit["slope"] == pytest.approx((x * runs.hidden_share).sum() / (x**2).sum())
    assert fit["largest_deviation"] == pytest.approx(0.45 - fit["slope"])
    assert fit["vanished"] == 0


def test_key_numbers_of_four_small_sweeps():
    from scorelab.studies.censorship import censorship_key_numbers

    fixed = dict(n_citizens=N, n_steps=STEPS, responsiveness=0.5)
    grid = sweep(censorship_run, {"visibility": [0.0, 1.0], "censorship": [0.0, 1.0]},
                 n_replicates=2, rng=1, fixed=dict(fixed, detection=0.3))
    private = sweep(censorship_run, {"censorship": [1.0]}, n_replicates=2, rng=2,
                    fixed=dict(fixed, visibility=1.0, detection=0.3, public_scores=False))
    detection = sweep(censorship_run, {"detection": [0.0, 1.0]}, n_replicates=2, rng=3,
                      fixed=dict(fixed, censorship=1.0, visibility=1.0))
    vanish = sweep(censorship_run, {"responsiveness": [0.5, 1.0]}, n_replicates=2, rng=4,
                   fixed=dict(n_citizens=N, n_steps=STEPS, censorship=1.0, visibility=1.0))
    numbers = censorship_key_numbers(grid, private, detection, vanish)
    assert len(numbers) == 12
    assert "responsive premium, detection 0.0 (points)" in numbers
    assert "expressed share, responsiveness 0.5" in numbers
    corner = grid[(grid.censorship == 1) & (grid.visibility == 1)]
    assert numbers["hidden share, c = v = 1, public scores"] == pytest.approx(
        corner.hidden_share.mean())
    # no hiding, no gap; the private score halves the incentive to hide
    assert numbers["largest gap without hiding (c = 0 or v = 0)"] == 0
    assert (numbers["hidden share, c = v = 1, private scores"]
            < numbers["hidden share, c = v = 1, public scores"])
    # fully responsive citizens hide everything, while they still act disapprovingly
    assert numbers["expressed share, responsiveness 1"] == 0
    assert numbers["private disapproval, responsiveness 1"] > 0.1
    # the hidden share is linear in c x v: with these corners the fit is exact
    assert numbers["slope of hidden share on c x v"] == pytest.approx(
        numbers["hidden share, c = v = 1, public scores"])


def test_expressed_share_per_group_is_one_minus_the_hidden_share():
    row = run(censorship=0.8, visibility=1.0)
    for group in GROUPS:
        assert row[f"expressed_share_{group}"] == 1.0 - row[f"hidden_share_{group}"]


def effects_at(n_replicates=4, **options):
    from scorelab.studies.censorship import hiding_effects

    return sweep(hiding_effects, {"censorship": [options.pop("censorship", 1.0)]},
                 n_replicates=n_replicates, rng=3,
                 fixed=dict(n_citizens=N, n_steps=STEPS, **options))


def test_hiding_effects_are_paired_against_no_hiding():
    from scorelab.studies.censorship import hiding_effects

    row = hiding_effects(N, n_steps=STEPS, rng=5)
    assert row == hiding_effects(N, n_steps=STEPS, rng=5)
    # the counterfactual arm is censorship_run at censorship 0 on the same seed
    assert row["own_gap_counterfactual"] == pytest.approx(
        row["own_score_majority_counterfactual"] - row["own_score_minority_counterfactual"])
    none = hiding_effects(N, censorship=0.0, n_steps=STEPS, rng=5)
    assert all(none[m] == none[f"{m}_counterfactual"] for m in
               ("own_gap", "credit_gap", "score_disposition_correlation"))


def test_findings_register_is_valid_and_can_come_out_otherwise():
    from scorelab.findings import validate_findings
    from scorelab.studies.censorship import (CHOICE_FINDINGS, DOSE_FINDINGS, FINDINGS,
                                             POSITION_FINDINGS, RESTS_ON, findings)

    effects = effects_at()
    register = findings(effects, n_citizens=N, seed=3)
    validate_findings(register)
    assert register["id"].tolist() == list(FINDINGS)
    assert set(RESTS_ON) == (set(FINDINGS) | set(CHOICE_FINDINGS) | set(POSITION_FINDINGS)
                             | set(DOSE_FINDINGS) | {"censorship.fear-raises-chosen-hiding"})
    assert (register["resolved"] == ((register.ci_low > 0) | (register.ci_high < 0))).all()
    by_id = register.set_index("id")
    gap = effects["own_gap"] - effects["own_gap_counterfactual"]
    assert by_id.loc["censorship.score-gap-change", "estimate"] == pytest.approx(gap.mean())
    # undetected hiding lets the dissenting minority look better: its scores rise
    assert by_id.loc["censorship.minority-score-change", "estimate"] > 0
    assert by_id.loc["censorship.score-tracks-disposition", "estimate"] < 0
    # without hiding nothing changes: every finding is exactly 0 and unresolved
    none = findings(effects_at(n_replicates=2, censorship=0.0), n_citizens=N, seed=3)
    assert (none["estimate"] == 0).all() and not none["resolved"].any()
    # with full detection the authority sees every act: the minority's gain and the
    # score's loss of accuracy shrink
    seen = findings(effects_at(detection=1.0), n_citizens=N, seed=3).set_index("id")
    for finding_id in ("censorship.minority-score-change", "censorship.score-tracks-disposition"):
        assert abs(seen.loc[finding_id, "estimate"]) < 0.5 * abs(by_id.loc[finding_id, "estimate"])


# --- chosen self-censorship (issue 9) ----------------------------------------------------

CHOICE = dict(n_citizens=300, n_steps=6)


def test_chosen_hiding_worlds_share_a_society_and_the_counterfactual_hides_nothing():
    from scorelab.studies.censorship import HIDING_WORLDS, chosen_hiding_sweep

    frame = chosen_hiding_sweep({"visibility": [0.3, 1.0]}, n_replicates=2, rng=4, **CHOICE)
    assert set(frame.world) == set(HIDING_WORLDS)
    none = frame[frame.world == "none"]
    assert (none.hidden_share == 0).all() and (none.hiding_gap == 0).all()
    chosen = frame[frame.world == "choice"].set_index(["visibility", "replicate"])
    # at visibility <= detection nothing is avoidable: the logit baseline sigma(-2)
    baseline = 1 / (1 + np.exp(2.0))
    assert chosen.loc[0.3].hidden_share.to_numpy() == pytest.approx(baseline, abs=0.03)
    assert (chosen.loc[1.0].hidden_share > chosen.loc[0.3].hidden_share + 0.3).all()
    # fear is only defined under the chosen rule
    assert frame[frame.world != "choice"].fear.isna().all()


def test_chosen_hiding_findings_and_a_world_where_they_vanish():
    from scorelab.findings import validate_findings
    from scorelab.studies.censorship import (
        CHOICE_FINDINGS,
        RESTS_ON,
        choice_findings,
        chosen_hiding_sweep,
    )

    by_visibility = chosen_hiding_sweep({"visibility": [1.0], "selective": [False]},
                                        n_replicates=3, rng=5, **CHOICE)
    by_stakes = chosen_hiding_sweep({"stake_scale": [10.0], "fear_rate": [0.0, 0.5]},
                                    n_replicates=3, rng=6, **CHOICE)
    register = choice_findings(by_visibility, by_stakes, n_citizens=300, seed=5)
    validate_findings(register)
    assert register.id.tolist() == [*CHOICE_FINDINGS, "censorship.fear-raises-chosen-hiding"]
    assert set(register.id) <= set(RESTS_ON)
    table = register.set_index("id")
    chosen = by_visibility[by_visibility.world == "choice"].sort_values("replicate")
    none = by_visibility[by_visibility.world == "none"].sort_values("replicate")
    assert table.estimate["censorship.chosen-hiding-score-gap"] == pytest.approx(
        chosen.score_gap.mean() - none.score_gap.mean())
    assert table.resolved["censorship.fear-raises-chosen-hiding"]
    assert table.estimate["censorship.fear-raises-chosen-hiding"] > 0
    # with nothing at stake the chosen rule is the logit's baseline for everyone: hiding
    # no longer falls on the minority
    flat_v = chosen_hiding_sweep({"visibility": [1.0], "selective": [False]}, n_replicates=3,
                                 rng=5, stake_scale=0.0, **CHOICE)
    flat_s = chosen_hiding_sweep({"stake_scale": [10.0], "fear_rate": [0.0, 0.5]},
                                 n_replicates=3, rng=6, **CHOICE)
    flat = choice_findings(flat_v, flat_s, n_citizens=300, seed=5).set_index("id")
    assert abs(flat.estimate["censorship.chosen-hiding-falls-on-minority"]) < 0.01
    with pytest.raises(ValueError, match="fear rate 0"):
        choice_findings(by_visibility, by_stakes[by_stakes.fear_rate > 0], n_citizens=300,
                        seed=5)


# -- hiding by position and the dose-responses (issue 9) --------------------------------


def test_position_tallies_add_up_to_the_runs_hidden_and_disapproved_acts(monkeypatch):
    import scorelab.studies.censorship as censorship
    from scorelab.studies.censorship import _HidingByPosition

    totals = {}
    tallies = []

    class Recording(_HidingByPosition):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            tallies.append(self)

        def __call__(self, state):
            # an independent sum of the window's acts by group, from the same arrays
            if state.step > self.start and self.before is not None:  # step 0 is the start
                done = state.private.sum(axis=1)
                hidden = done - state.expressed.sum(axis=1)
                scored = ~np.isnan(self.before)
                for code in range(2):
                    mine = scored & (state.group_codes == code)
                    totals[code] = totals.get(code, 0.0) + np.array(
                        [hidden[mine].sum(), done[mine].sum()])
            return super().__call__(state)

    monkeypatch.setattr(censorship, "_HidingByPosition", Recording)
    row = censorship.hiding_by_position_run("choice", stake_scale=3.0, n_citizens=300,
                                            n_steps=6, rng=2)
    tally = tallies[0]
    for code in range(2):
        hidden, done = totals[code]
        assert tally.hidden[code].sum() == pytest.approx(hidden)
        assert tally.done[code].sum() == pytest.approx(done)
        assert tally.hidden_quantile[code].sum() == pytest.approx(hidden)
        assert tally.done_quantile[code].sum() == pytest.approx(done)
    shares = [totals[code][0] / totals[code][1] for code in range(2)]
    assert row["hiding_gap"] == pytest.approx(shares[1] - shares[0])
    assert sum(row[f"acts_d{k}"] for k in range(3)) == pytest.approx(1.0)


def test_without_stakes_chosen_hiding_is_the_baseline_at_every_position():
    from scipy.special import expit

    from scorelab.studies.censorship import hiding_by_position_run

    row = hiding_by_position_run("no stakes", n_citizens=400, n_steps=8, rng=3)
    baseline = expit(-2.0)  # rationality 2, authenticity 1, nothing at stake
    for k in range(3):
        assert row[f"hidden_share_d{k}"] == pytest.approx(baseline, abs=0.03)
    assert abs(row["near_minus_far"]) < 0.03
    assert row == hiding_by_position_run("no stakes", n_citizens=400, n_steps=8, rng=3)


def test_chosen_hiding_rises_towards_the_gates_and_the_fixed_rule_does_not():
    from scorelab.studies.censorship import hiding_by_position_run

    chosen = hiding_by_position_run("choice", stake_scale=3.0, n_citizens=400, n_steps=8,
                                    rng=4)
    fixed = hiding_by_position_run("fixed", stake_scale=3.0, n_citizens=400, n_steps=8,
                                   rng=4)
    assert chosen["near_minus_far"] > 0.02
    assert chosen["lowest_minus_highest_quintile_majority"] > 0.2
    assert fixed["lowest_minus_highest_quintile_majority"] < 0.05
    with pytest.raises(ValueError, match="world"):
        hiding_by_position_run("nothing")


def test_position_findings_register_and_paired_estimates():
    from scorelab.findings import validate_findings
    from scorelab.studies.censorship import (DOSE_FINDINGS, POSITION_FINDINGS,
                                             chosen_hiding_sweep, hiding_by_position_sweep,
                                             position_findings)

    kw = dict(n_citizens=200, n_steps=6)
    positions = hiding_by_position_sweep({"stake_scale": [3.0]}, n_replicates=3, rng=1, **kw)
    doses = {name: chosen_hiding_sweep({name: values}, n_replicates=3, rng=2, **kw)
             for name, values in [("authenticity", [0.5, 2.0]), ("detection", [0.0, 0.6]),
                                  ("rationality", [0.5, 8.0])]}
    register = position_findings(positions, doses, n_citizens=200, seed=1)
    validate_findings(register)
    assert register["id"].tolist() == list(POSITION_FINDINGS) + list(DOSE_FINDINGS)
    by_id = register.set_index("id")
    chosen = positions[positions.world == "choice"].sort_values("replicate")
    none = positions[positions.world == "no stakes"].sort_values("replicate")
    assert by_id.loc["censorship.chosen-hiding-near-threshold", "estimate"] == pytest.approx(
        (chosen["near_minus_far"].to_numpy() - none["near_minus_far"].to_numpy()).mean())
    detection = doses["detection"]

    def narrowing(at):
        point = detection[detection.detection == at].sort_values("replicate")
        return (point[point.world == "choice"]["score_gap"].to_numpy()
                - point[point.world == "none"]["score_gap"].to_numpy()).mean()

    assert by_id.loc["censorship.detection-weakens-chosen-narrowing", "estimate"] == \
        pytest.approx(narrowing(0.6) - narrowing(0.0))
    with pytest.raises(ValueError, match="two values"):
        position_findings(positions, {**doses, "detection": doses["detection"][
            doses["detection"].detection == 0.0]}, n_citizens=200, seed=1)
