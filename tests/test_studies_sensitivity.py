"""Notebook 09's study: the model wrappers, the screening -> Sobol' -> rests_on pipeline and
the findings register, on small runs and a two-group toy credit population."""

import numpy as np
import pandas as pd
import pytest

from scorelab.dynamics import GameConfig
from scorelab.findings import validate_findings
from scorelab.lending import CreditPopulation
from scorelab.studies import sensitivity as study

TINY = {"game": {"n_citizens": 80, "n_steps": 2}, "dating": {"n_citizens": 80},
        "credit": {"n_borrowers": 80, "n_rounds": 2}}


@pytest.fixture(scope="module")
def population():
    pmf = pd.DataFrame({"a": [0.3, 0.7], "b": [0.6, 0.4]}, index=[400.0, 700.0])
    repay = pd.DataFrame({"a": [0.5, 0.95], "b": [0.5, 0.95]}, index=[400.0, 700.0])
    return CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))


def test_every_box_holds_the_codes_defaults():
    import inspect

    config = GameConfig()
    game = study.MODELS["game"]
    for name in ("ostracism", "gap_scale", "triadic_share", "standard_inertia", "incentive",
                 "peer_pressure", "detection", "strategic_rate", "rationality",
                 "internalisation", "authenticity"):
        low, high = game[name]
        assert low <= getattr(config, name) <= high, name
    low, high = game["alpha"]
    assert low <= config.policy.alpha <= high
    for model, func in (("game", study.game_outputs), ("dating", study.dating_outputs),
                        ("credit", study.credit_outputs), ("guilt", study.guilt_outputs),
                        ("rollout", study.rollout_outputs)):
        defaults = {k: p.default for k, p in inspect.signature(func).parameters.items()}
        for name, (low, high) in study.MODELS[model].items():
            assert low <= defaults[name] <= high, (model, name)
    assert game["threshold_shift"][0] < 0 < game["threshold_shift"][1]
    assert game["gated"] == (0.0, 5.0)  # nothing gated ... up to food
    # the boxes of notebooks 01 and 03 hold their studies' defaults and the notebooks' choices
    from scorelab.studies.guilt import guilt_by_association
    from scorelab.studies.rollout import rollout_run

    guilt = {k: p.default for k, p in inspect.signature(guilt_by_association).parameters.items()}
    for name, (low, high) in study.MODELS["guilt"].items():
        assert low <= guilt[name] <= high, name
    assert study.MODELS["guilt"]["homophily"][1] >= 0.95  # notebook 01's homophily grid
    assert study.MODELS["guilt"]["minority_wealth"][0] <= 0.4  # notebook 01's scenario
    rollout = {k: p.default for k, p in inspect.signature(rollout_run).parameters.items()}
    box = study.MODELS["rollout"]
    for name in ("selectivity", "join_rate", "mandatory_step", "standard_inertia",
                 "minority_wealth"):
        assert box[name][0] <= rollout[name] <= box[name][1], name
    for name in ("memory", "alpha"):
        assert box[name][0] <= getattr(config.policy, name) <= box[name][1], name
    assert box["incentive"][0] <= config.incentive <= box["incentive"][1]
    assert box["standard_inertia"][0] <= 0.9 <= box["standard_inertia"][1]  # 03's sticky
    assert box["standard_inertia"][1] < 1
    dating = study.MODELS["dating"]
    # h^2 + c^2 must stay a share of one variance over the whole box
    assert dating["heritability"][1] + dating["cultural_transmission"][1] <= 1


def test_game_outputs_respond_to_what_they_measure():
    size = TINY["game"] | {"n_steps": 4}
    base = study.game_outputs(**size, rng=1)
    assert set(base) == {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("game.")}
    assert all(np.isfinite(v) and isinstance(v, float) for v in base.values())
    # each mechanism switched off gives exactly none of what it does
    off = study.game_outputs(strategic_rate=0.0, ostracism=0.0, internalisation=0.0, **size,
                             rng=1)
    cuts = [k for k in off if k.startswith("strategic_cuts")]
    assert cuts and all(off[k] == 0.0 for k in cuts)
    assert off["social_cuts"] == 0.0 and off["private_approval_drift"] == 0.0
    assert base["private_approval_drift"] != 0.0
    # nothing gated: every gate is open to all, so there is no credit access gap
    assert study.game_outputs(gated=0.0, **size, rng=1)["credit_access_gap"] == 0.0
    # high stakes on every gate make hiding pay: more is hidden than with nothing at stake
    high = study.game_outputs(gated=5.0, stake_scale=30.0, **size, rng=1)
    none = study.game_outputs(gated=5.0, stake_scale=0.0, **size, rng=1)
    assert high["hidden_share"] > none["hidden_share"] + 0.2


def test_guilt_outputs_respond_to_what_they_measure():
    size = {"n_citizens": 1000}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("guilt.")}
    # no association: displayed = own score, nothing to measure
    none = study.guilt_outputs(alpha=0.0, **size, rng=1)
    assert set(none) == names and all(abs(v) < 1e-9 for v in none.values())
    # a poorer minority gains more on average from its ties to the richer majority, the gap
    # narrows more, and at equal own score it is penalised more
    poor = study.guilt_outputs(alpha=0.6, minority_wealth=0.3, **size, rng=1)
    equal = study.guilt_outputs(alpha=0.6, minority_wealth=1.0, **size, rng=1)
    assert poor["minority_mean_change"] > equal["minority_mean_change"]
    assert poor["gap_change"] < equal["gap_change"] < equal["gap_change"] + 50
    assert poor["association_penalty"] > equal["association_penalty"]
    assert poor["ties_to_minority_slope"] < 0 < poor["penalty_homophily_slope"]
    # the penalty grows with homophily; the slope's own fit does not use the box's homophily
    mixed = study.guilt_outputs(alpha=0.6, minority_wealth=0.3, homophily=0.0, **size, rng=1)
    closed = study.guilt_outputs(alpha=0.6, minority_wealth=0.3, homophily=0.95, **size, rng=1)
    assert closed["association_penalty"] > mixed["association_penalty"] + 10
    assert mixed["penalty_homophily_slope"] == closed["penalty_homophily_slope"]
    assert poor == study.guilt_outputs(alpha=0.6, minority_wealth=0.3, **size, rng=1)


def test_rollout_outputs_respond_to_what_they_measure():
    size = {"n_citizens": 300, "mandatory_step": 4, "after": 2}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("rollout.")}
    remeasured = study.rollout_outputs(**size, rng=2)
    assert set(remeasured) == names
    assert all(np.isfinite(v) and isinstance(v, float) for v in remeasured.values())
    # the re-measured standard against itself: both contrasts exactly 0
    assert remeasured["inertia_deficit"] == remeasured["inertia_credit_effect"] == 0.0
    # a sticky standard keeps the early joiners' bar: higher standard, deeper deficit, paired
    sticky = study.rollout_outputs(standard_inertia=0.9, **size, rng=2)
    assert sticky["standard_effect_switch"] > remeasured["standard_effect_switch"]
    assert sticky["inertia_deficit"] < -20 and sticky["inertia_credit_effect"] < 0
    assert sticky["inertia_deficit"] == pytest.approx(
        sticky["late_own_effect_switch"] - remeasured["late_own_effect_switch"])
    # joining before the switch does not depend on the standard: self-selection is unmoved
    assert sticky["self_selection"] == remeasured["self_selection"]
    # self-selection comes from selectivity: none at 0 beyond chance, large at 8
    blind = study.rollout_outputs(selectivity=0.0, **size, rng=2)
    eager = study.rollout_outputs(selectivity=8.0, **size, rng=2)
    assert abs(blind["self_selection"]) < 0.05 < eager["self_selection"]
    assert eager["early_own_effect"] < 0  # measured against fellow conformists
    with pytest.raises(ValueError, match="mandatory_step"):
        study.rollout_outputs(mandatory_step=0.2, n_citizens=300, rng=2)


def test_dating_outputs_round_generations_and_count_a_vanished_minority_as_zero():
    a = study.dating_outputs(generations=1.4, **TINY["dating"], rng=2)
    b = study.dating_outputs(generations=1, **TINY["dating"], rng=2)
    assert a == b
    assert -0.2 <= a["minority_share_change"] <= 0.8


def test_credit_outputs_on_a_toy_population(population):
    out = study.credit_outputs(**TINY["credit"], population=population, rng=3)
    assert set(out) == {"gap_change", "selection_gap"}
    assert -1 <= out["selection_gap"] <= 1


def test_screen_then_sobol_then_rests_on(population):
    morris = study.screen("credit", trajectories=2, fixed=TINY["credit"] | {
        "population": population}, rng=4)
    assert set(morris["output"]) == {"credit.gap_change", "credit.selection_gap"}
    assert morris["parameter"].unique().tolist() == list(study.MODELS["credit"])
    assert (morris["model"] == "credit").all()
    kept = study.few_that_matter(morris, at_most=2)
    assert len(kept) <= 2 and set(kept) <= set(study.MODELS["credit"])
    sobol = study.sobol_on("credit", ["alpha", "loss"], n=4,
                           fixed=TINY["credit"] | {"population": population}, rng=5)
    assert sobol["parameter"].unique().tolist() == ["alpha", "loss"]
    table = study.rests_on_table(morris, sobol)
    assert table["output"].tolist() == morris["output"].unique().tolist()
    assert set(table["method"]) <= {"sobol", "morris"}


def test_rests_on_table_names_nothing_when_no_sobol_index_clears_the_threshold():
    morris = pd.DataFrame({"output": "y", "parameter": ["a", "b"], "mu_star": [1.0, 0.0],
                           "mu_star_conf": [0.1, 0.0], "sigma": [0.1, 0.0]})
    sobol = pd.DataFrame({"output": "y", "parameter": ["a"], "S1": [0.01], "S1_conf": [0.1],
                          "ST": [0.02], "ST_conf": [0.1]})
    assert study.rests_on_table(morris, sobol).values.tolist() == [
        ["y", "", "sobol", "none stands out"]]
    # an interval reaching above UNDETERMINED_ABOVE: the sample cannot tell
    wide = sobol.assign(ST=[1.5], ST_conf=[2.5])
    assert study.rests_on_table(morris, wide).values.tolist() == [
        ["y", "", "sobol", "undetermined"]]
    with pytest.raises(ValueError, match="undetermined_above"):
        study.rests_on_table(morris, sobol, undetermined_above=-1.0)


def test_bad_model_or_parameters_are_named():
    with pytest.raises(ValueError, match="model must be one of"):
        study.screen("weather", trajectories=2)
    with pytest.raises(ValueError, match="parameters must be a non-empty list"):
        study.sobol_on("credit", ["rain"], n=4)


def test_rests_on_reads_the_committed_table():
    table = pd.read_csv(study.resources.files("scorelab.studies") / "data" / "rests_on.csv",
                        keep_default_na=False)
    for output, text in zip(table["output"], table["rests_on"]):
        names = study.rests_on(output)
        assert "; ".join(names) == text
        model = output.split(".")[0]
        assert set(names) <= set(study.MODELS[model])
    with pytest.raises(ValueError, match="output must be one of"):
        study.rests_on("game.weather")


def test_findings_register_is_valid_stable_and_can_come_out_otherwise(population,
                                                                       monkeypatch):
    register = study.findings(replicates=3, sizes=TINY, population=population, seed=1)
    validate_findings(register)
    assert register["id"].tolist() == [spec[0] for spec in study.FINDINGS]
    assert (register["notebook"] == "09-sensitivity").all()
    excludes = (register["null"] < register["ci_low"]) | (register["null"] > register["ci_high"])
    assert (register["resolved"] == excludes).all()
    again = study.findings(replicates=3, sizes=TINY, population=population, seed=1)
    pd.testing.assert_frame_equal(register, again)
    # a parameter that does not move cannot resolve a direction: the finding is not built in
    still = dict(study.MODELS["credit"], default_change=(-150.0, -150.0))
    monkeypatch.setitem(study.MODELS, "credit", still)
    flat = study.findings(replicates=3, sizes=TINY, population=population, seed=1)
    row = flat.set_index("id").loc["sensitivity.credit-gap-default-change"]
    assert row["estimate"] == 0.0 and not row["resolved"]


def test_findings_take_rests_on_from_the_table_the_notebook_computed(population):
    table = pd.DataFrame({"output": ["game.minority_gap", "credit.gap_change"],
                          "rests_on": ["ostracism; censorship", ""],
                          "method": ["sobol", "morris"]})
    register = study.findings(replicates=2, sizes=TINY, population=population, table=table)
    by_id = register.set_index("id")["rests_on"]
    assert by_id["sensitivity.game-gap-association-weight"] == "ostracism; censorship"
    assert by_id["sensitivity.credit-gap-default-change"] == study.NONE_STANDS_OUT
    assert by_id["sensitivity.dating-minority-share-visible-fraction"] == study.NONE_STANDS_OUT
    wide = table.assign(reading=["stands out", "undetermined"])
    register = study.findings(replicates=2, sizes=TINY, population=population, table=wide)
    by_id = register.set_index("id")["rests_on"]
    assert by_id["sensitivity.credit-gap-default-change"] == study.UNDETERMINED


def test_rests_on_entry_marks_what_is_not_covered_and_what_nothing_moves(monkeypatch):
    table = pd.DataFrame({"output": ["game.minority_gap", "game.hidden_share"],
                          "rests_on": ["alpha; gated", ""], "method": "sobol"})
    monkeypatch.setattr(study, "_table", lambda: table)
    assert study.rests_on_entry("game.minority_gap") == ("alpha", "gated")
    assert study.rests_on_entry("game.hidden_share") == (study.NONE_STANDS_OUT,)
    # an empty rests_on whose intervals were too wide to tell reads as undetermined
    monkeypatch.setattr(study, "_table", lambda: table.assign(
        reading=["stands out", "undetermined"]))
    assert study.rests_on_entry("game.hidden_share") == (study.UNDETERMINED,)
    assert study.rests_on_entry("game.minority_gap") == ("alpha", "gated")
    monkeypatch.setattr(study, "_table", lambda: table)
    assert study.rests_on_entry(None) == (study.NOT_COVERED,)
    # an output added after the committed table was computed: pending, until make full
    assert study.rests_on_entry("guilt.association_penalty") == (study.PENDING,)
    with pytest.raises(ValueError, match="output must be one of"):
        study.rests_on_entry("game.weather")


# Run in a fresh interpreter: the studies read the table when they are imported, so they
# are imported again (reloaded) once the table is replaced by one of sentinels.
_SENTINELS = """
import importlib, json, pandas as pd
import scorelab.studies.sensitivity as s
outputs = list(s.OUTPUTS)
s._table = lambda: pd.DataFrame({"output": outputs, "method": "sobol",
    "rests_on": [f"from_{k}; also_{k}" for k in range(len(outputs))]})
for name in s.STUDIES:
    importlib.reload(importlib.import_module("scorelab.studies." + name))
frame = s.studies_rests_on()
print(json.dumps({"outputs": outputs, "rows": frame.to_dict("records")}))
"""


def test_every_finding_of_01_to_08_reads_its_rests_on_from_the_table():
    import json
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SENTINELS], capture_output=True, text=True,
                          check=True, env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)})
    answer = json.loads(done.stdout)
    outputs, rows = answer["outputs"], answer["rows"]
    source = {f"from_{k}; also_{k}": output for k, output in enumerate(outputs)}
    read = {}
    for row in rows:
        # either one output's entry of the table, verbatim, or marked not covered
        assert row["rests_on"] in source or row["rests_on"] == study.NOT_COVERED, row
        assert row["covered"] == (row["rests_on"] != study.NOT_COVERED)
        read[row["id"]] = source.get(row["rests_on"])
    # every notebook 01-08 and every finding of its study is there
    assert {row["notebook"][:2] for row in rows} == {f"0{k}" for k in range(1, 9)}
    from scorelab.studies import censorship, credit, dating, feedback, norms
    for module in (censorship, credit, dating, feedback, norms):
        assert set(module.RESTS_ON) <= set(read)
    # findings mapped to the output that measures their quantity
    assert read["feedback.association-drives-strategic-cuts"] == "game.strategic_cuts"
    assert read["feedback.association-reduces-social-cuts"] == "game.social_cuts"
    assert read["feedback.ostracism-fragments"] == "game.largest_component_share"
    assert read["censorship.chosen-hiding-score-gap"] == "game.minority_gap"
    assert read["censorship.fear-raises-chosen-hiding"] == "game.hidden_share"
    assert read["norms.private-approval-drift"] == "game.private_approval_drift"
    assert read["norms.pluralistic-ignorance"] == "game.pluralistic_ignorance"
    assert read["norms.cuts-family-top-stakes"] == "game.strategic_cuts_family"
    assert read["credit.max-profit-gap-change"] == "credit.gap_change"
    assert read["dating.score-vs-random-disposition-shift"] == "dating.disposition_shift"
    assert read["guilt.minority-gap-change"] == "guilt.gap_change"
    assert read["guilt.association-penalty"] == "guilt.association_penalty"
    assert read["guilt.penalty-vs-homophily"] == "guilt.penalty_homophily_slope"
    assert read["rollout.self-selection"] == "rollout.self_selection"
    assert read["rollout.late-entry-deficit"] == "rollout.late_own_effect_switch"
    assert read["rollout.late-entry-deficit-sticky"] == "rollout.late_own_effect_switch"
    assert read["rollout.sticky-vs-remeasured-deficit"] == "rollout.inertia_deficit"
    assert read["rollout.sticky-standard-at-switch"] == "rollout.standard_effect_switch"
    # notebooks 01 and 03 are covered in full: every finding reads an output of its model
    for row in rows:
        if row["notebook"][:2] in ("01", "03"):
            assert read[row["id"]].split(".")[0] == {"01": "guilt", "03": "rollout"}[
                row["notebook"][:2]], row
    # notebook 05: the paired contrasts of the interventions and customs models
    assert read["interventions.ties-share-of-minority-gap"] == "interventions.ties_share"
    assert read["interventions.group-thresholds-opportunity-gap-change"] == (
        "interventions.group_thresholds_opportunity_change")
    assert read["interventions.customs-cross-ties"] == "customs.cross_ties"
    assert read["interventions.appeals-access-gap-change"] == "game.credit_access_gap"
    for row in rows:
        if row["notebook"][:2] == "05":
            assert read[row["id"]] is not None, row
    # notebooks 06, 07 and 08's lender, ranking contrasts and excess cuts
    assert read["norms.colleague-minus-family-cuts"] == "stakes.colleague_minus_family"
    assert read["credit.max-profit-refuses-more-black-repayers"] == \
        "lender.max_profit_refused_repayers_black"
    assert read["credit.parity-black-profit"] == "lender.parity_profit_black"
    assert read["dating.score-vs-appeal-minority-exposure"] == \
        "dating_ranking.minority_exposure_vs_appeal"
    assert read["dating.score-vs-random-minority-match-gap"] == \
        "dating_ranking.minority_match_gap_vs_random"


def test_the_studies_hold_the_committed_tables_entries():
    frame = study.studies_rests_on()
    table = pd.read_csv(study.resources.files("scorelab.studies") / "data" / "rests_on.csv",
                        keep_default_na=False)
    assert set(table["output"]) <= set(study.OUTPUTS)
    # every output, those the committed table does not hold yet read as PENDING
    entries = {"; ".join(study.rests_on_entry(o)) for o in study.OUTPUTS}
    assert set(frame["rests_on"]) <= entries | {study.NOT_COVERED}
    # every finding of notebooks 01-08 reads an output of notebook 09
    assert frame["covered"].all(), frame.loc[~frame["covered"], "id"].tolist()


def test_interventions_and_customs_boxes_hold_the_studys_defaults_and_notebook_05s():
    import inspect

    from scorelab.defaults import HOMOPHILY, MINORITY_WEALTH
    from scorelab.studies import interventions as nb05

    for model, func in (("interventions", study.interventions_outputs),
                        ("customs", study.customs_outputs)):
        defaults = {k: p.default for k, p in inspect.signature(func).parameters.items()}
        for name, (low, high) in study.MODELS[model].items():
            assert low <= defaults[name] <= high, (model, name)
    box, config = study.MODELS["interventions"], GameConfig()
    run = {k: p.default for k, p in inspect.signature(nb05.interventions_run).parameters.items()}
    # the study's defaults and notebook 05's scenario (ostracism 0.1, minority wealth 0.3)
    for name, value in (("cap", run["cap"]), ("decay_memory", run["decay_memory"]),
                        ("appeal", run["appeal"]), ("alpha", config.policy.alpha),
                        ("ostracism", config.ostracism), ("ostracism", 0.1),
                        ("homophily", HOMOPHILY), ("minority_wealth", MINORITY_WEALTH),
                        ("minority_wealth", 0.3)):
        assert box[name][0] <= value <= box[name][1], name
    # every point of the box is a valid comparison: the cap never above the baseline's
    # weight, decay at most the baseline's memory (its null), appeals above the baseline's
    assert box["cap"][1] <= box["alpha"][0]
    assert box["decay_memory"][1] == config.policy.memory
    assert box["appeal"][0] > config.appeal
    customs = study.MODELS["customs"]
    for name, value in (("customary_share", 0.5), ("customary_share", 1.0),
                        ("customary_share", 0.0), ("alpha", config.policy.alpha),
                        ("ostracism", config.ostracism), ("ostracism", 0.1),
                        ("homophily", HOMOPHILY), ("credit_threshold", 650.0),
                        ("credit_threshold", 600.0), ("credit_threshold", 700.0)):
        assert customs[name][0] <= value <= customs[name][1], name
    assert GameConfig().thresholds["credit"] == 650.0


def test_interventions_outputs_are_exactly_zero_at_each_levers_null():
    size = {"n_citizens": 200, "n_steps": 3}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("interventions.")}
    base = study.interventions_outputs(**size, rng=3)
    assert set(base) == names
    assert all(np.isfinite(v) and isinstance(v, float) for v in base.values())
    # a lever at its null replays the baseline on the same stream
    null = study.interventions_outputs(cap=0.3, decay_memory=0.8, **size, rng=3)
    assert null["association_cap_opportunity_change"] == 0.0
    assert null["decay_opportunity_change"] == 0.0
    assert null["appeals_opportunity_change"] == base["appeals_opportunity_change"]
    # no association in the baseline: nothing comes through ties, nothing to remove
    none = study.interventions_outputs(alpha=0.0, cap=0.0, **size, rng=3)
    assert none["ties_share"] == none["ties_share_segregation"] == 0.0
    assert none["no_association_opportunity_change"] == 0.0
    # the segregation contrast pairs its own two homophilies: the box's does not enter it
    mixed = study.interventions_outputs(homophily=0.0, **size, rng=3)
    assert mixed["ties_share_segregation"] == base["ties_share_segregation"]
    assert mixed["ties_share"] != base["ties_share"]
    with pytest.raises(ValueError, match="cap"):
        study.interventions_outputs(alpha=0.2, cap=0.3, **size, rng=3)
    with pytest.raises(ValueError, match="appeal"):
        study.interventions_outputs(appeal=0.0, **size, rng=3)
    with pytest.raises(ValueError, match="segregation"):
        study.interventions_outputs(segregation=(0.0, 1.5), **size, rng=3)
    with pytest.raises(ValueError, match="minority_wealth"):
        study.interventions_outputs(minority_wealth=-1.0, **size, rng=3)


def test_customs_outputs_are_zero_without_mis_scoring_and_respond_to_it():
    size = {"n_citizens": 300, "n_steps": 4, "tie_steps": 6}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("customs.")}
    fair = study.customs_outputs(customary_share=0.0, **size, rng=4)
    assert set(fair) == names and set(fair.values()) == {0.0}
    every = study.customs_outputs(customary_share=1.0, **size, rng=4)
    assert every["minority_displayed_change"] < -30 and every["minority_credit_change"] < 0
    assert every["cross_ties"] < 0
    # without association nothing reaches anyone through their ties
    assert study.customs_outputs(customary_share=1.0, alpha=0.0, **size,
                                 rng=4)["reaches_associates"] == 0.0
    with pytest.raises(ValueError, match="customary_share"):
        study.customs_outputs(customary_share=1.5, **size, rng=4)
    with pytest.raises(ValueError, match="credit_threshold"):
        study.customs_outputs(credit_threshold=1000.0, **size, rng=4)
    # credit from the bottom of the scale: everyone has it under either scoring
    open_credit = study.customs_outputs(customary_share=1.0, credit_threshold=350.0, **size,
                                        rng=4)
    assert open_credit["minority_credit_change"] == 0.0
    assert open_credit["minority_displayed_change"] < -30


def test_interventions_and_customs_outputs_are_notebook_05s_finding_quantities():
    """Each output, averaged over two seeds, is the estimate notebook 05's register reports
    for the same runs: the mapping of the findings to the outputs is honest."""
    from scorelab.studies import interventions as nb05

    size, replicates = {"n_citizens": 200, "n_steps": 3}, (5, 6)
    seeds = [int(np.random.default_rng(r).integers(2**63)) for r in replicates]
    outputs = [study.interventions_outputs(**size, rng=r) | study.customs_outputs(
        **size, tie_steps=4, rng=r) for r in replicates]

    def frame(rows):
        return pd.concat([row.assign(replicate=k) for k, row in enumerate(rows)],
                         ignore_index=True)

    interventions = frame([nb05.interventions_run(**size, rng=s) for s in seeds])
    sizes = frame([pd.DataFrame([nb05.fairness_run(**size, homophily=h, rng=s)])
                   .assign(minority_share=0.2, homophily=h) for s in seeds for h in (0.0, 0.9)])
    sizes["replicate"] //= 2
    diverse = frame([nb05.diverse_behaviour_run(**size, rng=s).assign(customary_share=0.5)
                     for s in seeds])
    ties = frame([nb05.diverse_behaviour_ties(size["n_citizens"], n_steps=4, rng=s)
                  for s in seeds])
    register = nb05.findings(interventions, sizes, diverse, ties, minority_share=0.2,
                             customary_share=0.5, n_citizens=200, seed=5).set_index("id")
    # the outputs the study's RESTS_ON reads for its findings
    read = {finding_id: output.split(".", 1)[1]
            for finding_id, output in nb05._OUTPUT_READ.items()
            if output.split(".")[0] in ("interventions", "customs")}
    assert len(read) == 12
    for finding_id, output in read.items():
        mean = np.mean([out[output] for out in outputs])
        assert register.loc[finding_id, "estimate"] == pytest.approx(mean, abs=1e-12), finding_id


# ---- notebook 06's lender, 07's ranking contrasts and 08's excess cuts by tie kind ----

def test_lender_dating_ranking_and_stakes_boxes_hold_defaults_and_scenarios():
    import inspect

    from scorelab.studies.credit import association_errors
    from scorelab.studies.dating import generations_sweep
    from scorelab.studies.norms import stakes_game

    def defaults(func):
        return {k: p.default for k, p in inspect.signature(func).parameters.items()}

    for model, func in (("lender", study.lender_outputs),
                        ("dating_ranking", study.dating_ranking_outputs),
                        ("stakes", study.stakes_outputs)):
        assert list(study.MODELS[model]) == [k for k in defaults(func)
                                             if k in study.MODELS[model]]
        for name, (low, high) in study.MODELS[model].items():
            assert low <= defaults(func)[name] <= high, (model, name)
        assert study.NOT_IN_MODEL[model]
    # the studies' own defaults and the notebooks' scenario values lie in the boxes
    scenarios = {
        "lender": {"alpha": [0.4], "homophily": [0.8, defaults(association_errors)["homophily"]],
                   "mean_degree": [defaults(association_errors)["mean_degree"]],
                   "loss": [-4.0, -10.0]},  # notebook 06: its alpha, homophily and losses
        "dating_ranking": {"homophily": [0.6, defaults(generations_sweep)["homophily"]],
                           "minority_wealth": [0.5, defaults(generations_sweep)["minority_wealth"]],
                           "heritability": [0.3, 0.5, 0.8]},  # notebook 07's h^2 grid
        "stakes": {"stake_scale": [1.0, 10.0, 100.0, defaults(stakes_game)["stake_scale"]],
                   "strategic_rate": [defaults(stakes_game)["strategic_rate"]],
                   "rationality": [defaults(stakes_game)["rationality"]]},
    }
    for model, values in scenarios.items():
        for name, points in values.items():
            low, high = study.MODELS[model][name]
            assert all(low <= v <= high for v in points), (model, name)


def test_lender_outputs_are_notebook_06s_paired_contrasts(population):
    from scorelab.studies import credit

    size = {"n_borrowers": 150, "n_rounds": 3, "population": population}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("lender.")}
    # no association: both arms of each rule are one run, every contrast is exactly 0
    none = study.lender_outputs(alpha=0.0, **size, rng=4)
    assert set(none) == names and set(none.values()) == {0.0}
    out = study.lender_outputs(alpha=0.5, homophily=0.9, **size, rng=4)
    assert any(v != 0.0 for v in out.values())
    # each output is the study's own paired difference for the finding it is mapped to,
    # both rules on the one seed the model draws
    seed = int(np.random.default_rng(4).integers(2**63))
    groups = {"White": "a", "Black": "b"}  # the toy population's reference and other group
    mapped = 0
    for finding_id, (rule, group, metric, _) in credit.FINDINGS.items():
        if group is None:
            continue
        output = credit._LENDER_OUTPUTS[finding_id]
        errors = credit.association_errors(0.5, rule=rule, homophily=0.9, rng=seed, **size)
        row = errors.set_index("group").loc[groups[group]]
        assert out[output.split(".", 1)[1]] == row[f"{metric}_difference"], finding_id
        mapped += 1
    assert mapped == len(names)
    for bad, name in (({"alpha": 1.5}, "alpha"), ({"homophily": -0.1}, "homophily"),
                      ({"n_rounds": 0}, "n_rounds")):
        with pytest.raises(ValueError, match=name):
            study.lender_outputs(**(size | bad), rng=1)


def test_dating_ranking_outputs_are_notebook_07s_paired_contrasts():
    from scorelab.dating import DatingMarket
    from scorelab.studies import dating

    size = {"n_citizens": 200, "n_generations": 2}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("dating_ranking.")}
    # the whole pool shown and every position examined alike: a slate's order changes
    # nothing, so every ranking gives the same market and every contrast is exactly 0
    flat = DatingMarket(position_bias="uniform", pool_size=20)
    null = study.dating_ranking_outputs(slate_size=20, market=flat, **size, rng=3)
    assert set(null) == names and set(null.values()) == {0.0}
    out = study.dating_ranking_outputs(homophily=0.6, minority_wealth=0.5, **size, rng=3)
    assert out["minority_exposure_vs_random"] < 0 and out["match_rate_vs_random"] < 0
    # each output is the study's own paired contrast for the finding it is mapped to
    runs = dating.generations_sweep(list(study.DATING_RANKINGS), n_citizens=200,
                                    n_generations=2, n_replicates=1, heritability=0.5,
                                    homophily=0.6, minority_wealth=0.5, rng=3)
    table = dating.per_replicate(runs, 2)
    mapped = set()
    for finding_id, (measure, treated, control, _) in dating.FINDINGS.items():
        output = dating._output(finding_id)
        if output is None or not output.startswith("dating_ranking."):
            continue
        values, counterfactual = dating._contrast(table, measure, treated, control)
        assert out[output.split(".", 1)[1]] == values[0] - counterfactual[0], finding_id
        mapped.add(output.split(".", 1)[1])
    assert mapped == names
    for bad, name in (({"slate_size": 0.2}, "slate_size"), ({"n_generations": -1},
                                                              "n_generations")):
        with pytest.raises(ValueError, match=name):
            study.dating_ranking_outputs(**(size | bad), rng=1)


def test_stakes_outputs_are_notebook_08s_excess_over_the_baseline_churn():
    from scorelab.studies import norms

    size = {"n_citizens": 200, "n_steps": 4}
    names = {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("stakes.")}
    # no tie reconsidered: no strategic cut in either world, every output exactly 0
    none = study.stakes_outputs(strategic_rate=0.0, **size, rng=5)
    assert set(none) == names and set(none.values()) == {0.0}
    # at the box's defaults the model's game is the study's (GameConfig(ostracism=0)): the
    # outputs are the excess notebook 08's findings compute from its paired worlds
    out = study.stakes_outputs(stake_scale=100.0, **size, rng=5)
    worlds = norms._both_worlds(len(norms.STAKE_LEVELS) - 1, 100.0, rng=5, **size)
    derived, counterfactual = (worlds.set_index("world").loc[w] for w in
                               ("derived", "counterfactual"))
    for kind in ("family", "friend", "neighbour", "colleague"):
        assert out[f"excess_cuts_{kind}"] == derived[f"cuts_{kind}"] - counterfactual[
            f"cuts_{kind}"], kind
    assert out["colleague_minus_family"] == pytest.approx(
        out["excess_cuts_colleague"] - out["excess_cuts_family"], abs=0)
    # the baseline churn differs by kind, so the excess differs from the derived world's
    # colleague-minus-family cuts (what the game model's outputs would give)
    assert counterfactual["cuts_colleague"] != counterfactual["cuts_family"]
    assert out["colleague_minus_family"] > 0
    for bad, name in (({"strategic_rate": 1.5}, "strategic_rate"),
                      ({"tie_value_scale": -1.0}, "tie_value_scale"),
                      ({"stake_scale": -1.0}, "stake_scale")):
        with pytest.raises(ValueError, match=name):
            study.stakes_outputs(**(size | bad), rng=1)


# --------------------------------------------------------------------------------------
# Notebook 02's and 04's uncovered quantities: the feedback, censorship and chosen_hiding
# models
# --------------------------------------------------------------------------------------

def _seed(rng):
    """The int seed the models derive from ``rng`` and replay in every arm."""
    return int(np.random.default_rng(rng).integers(2**63))


def _names(model):
    return {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith(model + ".")}


def test_new_boxes_hold_the_codes_defaults_and_the_notebooks_scenarios():
    import inspect

    from scorelab.defaults import HOMOPHILY, MEAN_DEGREE
    from scorelab.studies.censorship import censorship_run, chosen_hiding_run

    for model in ("feedback", "censorship", "chosen_hiding"):
        func = study._FUNCTIONS[model]
        defaults = {k: p.default for k, p in inspect.signature(func).parameters.items()}
        assert set(study.MODELS[model]) <= set(defaults), model
        assert model in study.NOT_IN_MODEL
        for name, (low, high) in study.MODELS[model].items():
            assert low <= defaults[name] <= high, (model, name)
    box = study.MODELS["feedback"]
    config = GameConfig()
    # notebook 02: weights 0-0.9, ostracism up to 1, gap scales 50-200, homophily 0.6,
    # mean degree 8; the code's: GameConfig's and scorelab.defaults'
    assert box["alpha"] == (0.0, 0.9) and box["ostracism"] == (0.01, 1.0)
    assert box["gap_scale"][0] <= 50 and box["gap_scale"][1] >= 200
    for name, values in (("homophily", (0.6, HOMOPHILY)), ("mean_degree", (8.0, MEAN_DEGREE)),
                         ("ostracism", (config.ostracism,)), ("gap_scale", (config.gap_scale,)),
                         ("memory", (config.policy.memory,))):
        assert all(box[name][0] <= v <= box[name][1] for v in values), name
    # notebook 04's fixed-rule findings: censorship 1, detection 0.3, responsiveness 0.5,
    # minority disposition 0.45, homophily 0.6; censorship_run's defaults
    box = study.MODELS["censorship"]
    run = {k: p.default for k, p in inspect.signature(censorship_run).parameters.items()}
    for name, scenario in (("censorship", 1.0), ("visibility", 1.0), ("detection", 0.3),
                           ("responsiveness", 0.5), ("minority_disposition", 0.45),
                           ("homophily", 0.6)):
        for value in (scenario, run[name]):
            assert box[name][0] <= value <= box[name][1], name
    # notebook 04's chosen hiding: stake scales 0, 3, 10, 30, rationality 0.5-8,
    # authenticity 0.5-2, detection 0-0.6, fear rates 0 and 0.5
    box = study.MODELS["chosen_hiding"]
    run = {k: p.default for k, p in inspect.signature(chosen_hiding_run).parameters.items()}
    for name, values in (("stake_scale", (0.0, 3.0, 10.0, 30.0)), ("rationality", (0.5, 8.0)),
                         ("authenticity", (0.5, 2.0)), ("detection", (0.0, 0.6)),
                         ("fear_rate", (0.0, 0.5)), ("minority_disposition", (0.45,))):
        for value in (*values, run[name]):
            assert box[name][0] <= value <= box[name][1], name


def test_feedback_outputs_are_feedback_runs_measures_and_vanish_at_their_nulls():
    from scorelab.studies.feedback import feedback_run
    from scorelab.scoring import ScoringPolicy

    size = dict(n_citizens=200, n_steps=6, tail=2)
    point = dict(alpha=0.9, ostracism=1.0, gap_scale=50.0, memory=0.7, homophily=0.6,
                 mean_degree=8.0)
    out = study.feedback_outputs(**point, **size, rng=3)
    assert set(out) == _names("feedback")
    assert all(np.isfinite(v) and isinstance(v, float) for v in out.values())
    # the study's own measures, on the same seed, arm by arm
    config = GameConfig(policy=ScoringPolicy(memory=0.7))
    kwargs = dict(size, gap_scale=50.0, homophily=0.6, mean_degree=8.0, config=config,
                  rng=_seed(3))
    row = feedback_run(alpha=0.9, ostracism=1.0, **kwargs)
    unassociated = feedback_run(alpha=0.0, ostracism=1.0, **kwargs)
    unostracised = feedback_run(alpha=0.9, ostracism=0.0, **kwargs)
    assert out == {
        "low_scorer_isolation": row["isolation_low_scorers"] - row["isolated_share"],
        "displayed_gini_change": row["gini_displayed"] - unassociated["gini_displayed"],
        "wealth_gini_change": row["gini_wealth"] - unassociated["gini_wealth"],
        "behaviour_diversity_change": (row["expressed_behaviour_diversity"]
                                       - unostracised["expressed_behaviour_diversity"]),
        "unreplaced_share": row["unreplaced_share"]}
    # association compresses displayed scores; ostracism strands low scorers
    assert out["displayed_gini_change"] < 0 and out["low_scorer_isolation"] > 0
    assert 0 < out["unreplaced_share"] < 1
    # no association: both Gini contrasts exactly 0; no ostracism: the diversity contrast
    # exactly 0 and no cut, so no unreplaced share
    plain = study.feedback_outputs(**(point | {"alpha": 0.0}), **size, rng=3)
    assert plain["displayed_gini_change"] == plain["wealth_gini_change"] == 0.0
    still = study.feedback_outputs(**(point | {"ostracism": 0.0}), **size, rng=3)
    assert still["behaviour_diversity_change"] == 0.0 and np.isnan(still["unreplaced_share"])
    for name, value in (("alpha", 1.5), ("ostracism", -0.1), ("gap_scale", 0.0),
                        ("homophily", 2.0), ("n_citizens", 5)):
        with pytest.raises(ValueError, match=name):
            _call_bad(study.feedback_outputs, name, value, size)


def _call_bad(func, name, value, size):
    """``func`` at its defaults but ``name = value`` (and the test's size)."""
    return func(**(size | {name: value}), rng=3)


def test_censorship_outputs_are_hiding_effects_changes_and_vanish_without_hiding():
    from scorelab.studies.censorship import hiding_effects

    size = dict(n_citizens=300, n_steps=4)
    point = dict(censorship=1.0, visibility=1.0, detection=0.3, responsiveness=0.8,
                 minority_disposition=0.4, homophily=0.6)
    out = study.censorship_outputs(**point, **size, rng=4)
    assert set(out) == _names("censorship")
    row = hiding_effects(public_scores=True, **point, **size, rng=_seed(4))

    def change(measure):
        return row[measure] - row[f"{measure}_counterfactual"]

    assert out == {"minority_score_change": change("own_score_minority"),
                   "majority_score_change": change("own_score_majority"),
                   "score_gap_change": change("own_gap"),
                   "credit_gap_change": change("credit_gap"),
                   "disposition_correlation_change": change("score_disposition_correlation")}
    # the dissenting minority has more to hide: its own score gains more, the gap narrows
    assert out["minority_score_change"] > out["majority_score_change"]
    assert out["score_gap_change"] < 0 and out["disposition_correlation_change"] < 0
    # nothing hidden (no censorship, or nothing visible): the same run twice, all 0
    for off in ({"censorship": 0.0}, {"visibility": 0.0}):
        none = study.censorship_outputs(**(point | off), **size, rng=4)
        assert set(none.values()) == {0.0}, off
    for name, value in (("censorship", 1.5), ("homophily", -0.2), ("n_citizens", 5),
                        ("detection", 2.0)):
        with pytest.raises(ValueError, match=name):
            _call_bad(study.censorship_outputs, name, value, size)


def test_chosen_hiding_outputs_are_the_studys_measures_and_vanish_without_stakes():
    from scorelab.studies.censorship import chosen_hiding_run, hiding_by_position_run

    size = dict(n_citizens=300, n_steps=6)
    point = dict(stake_scale=3.0, rationality=8.0, authenticity=1.0, detection=0.3,
                 fear_rate=0.5, minority_disposition=0.4)
    out = study.chosen_hiding_outputs(**point, **size, rng=5)
    assert set(out) == _names("chosen_hiding")
    game = dict(point, visibility=1.0, **size, rng=_seed(5))
    position = {world: hiding_by_position_run(world, **game)["adjusted_hiding_gap"]
                for world in ("choice", "no stakes")}
    ends = [chosen_hiding_run("choice", **(game | {"rationality": r}))["hiding_gap"]
            for r in (0.5, 8.0)]
    assert study.RATIONALITY_RANGE == (0.5, 8.0)
    assert out == {"hiding_gap": chosen_hiding_run("choice", **game)["hiding_gap"],
                   "adjusted_hiding_gap_effect": position["choice"] - position["no stakes"],
                   "rationality_effect": ends[1] - ends[0]}
    # the box's rationality is not what the rationality contrast reads
    other = study.chosen_hiding_outputs(**(point | {"rationality": 2.0}), **size, rng=5)
    assert other["rationality_effect"] == out["rationality_effect"]
    # nothing at stake: the chosen world is the no-stakes world, the contrast exactly 0
    flat = study.chosen_hiding_outputs(**(point | {"stake_scale": 0.0}), **size, rng=5)
    assert flat["adjusted_hiding_gap_effect"] == 0.0
    # a precise choice hides where it pays: the lower-scoring dissenting minority more
    assert out["hiding_gap"] > flat["hiding_gap"]
    for name, value in (("rationality", -1.0), ("authenticity", -0.5), ("n_citizens", 5),
                        ("stake_scale", -1.0), ("detection", 1.5)):
        with pytest.raises(ValueError, match=name):
            _call_bad(study.chosen_hiding_outputs, name, value, size)


def test_the_twelve_findings_of_02_and_04_read_the_new_models_outputs():
    import json
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SENTINELS], capture_output=True, text=True,
                          check=True, env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)})
    answer = json.loads(done.stdout)
    source = {f"from_{k}; also_{k}": output for k, output in enumerate(answer["outputs"])}
    read = {row["id"]: source.get(row["rests_on"]) for row in answer["rows"]}
    expected = {
        "feedback.ostracism-isolates-low-scorers": "feedback.low_scorer_isolation",
        "feedback.association-compresses-scores": "feedback.displayed_gini_change",
        "feedback.association-compresses-wealth": "feedback.wealth_gini_change",
        "feedback.ostracism-diversifies-behaviour": "feedback.behaviour_diversity_change",
        "feedback.unreplaced-cuts": "feedback.unreplaced_share",
        "censorship.minority-score-change": "censorship.minority_score_change",
        "censorship.majority-score-change": "censorship.majority_score_change",
        "censorship.score-gap-change": "censorship.score_gap_change",
        "censorship.credit-gap-change": "censorship.credit_gap_change",
        "censorship.score-tracks-disposition": "censorship.disposition_correlation_change",
        "censorship.chosen-hiding-falls-on-minority": "chosen_hiding.hiding_gap",
        "censorship.minority-hides-more-at-equal-position":
            "chosen_hiding.adjusted_hiding_gap_effect",
        "censorship.rationality-concentrates-hiding-on-minority": "chosen_hiding.rationality_effect",
    }
    assert {key: read[key] for key in expected} == expected
    assert all(read[key] is not None for key in read if key.startswith(("feedback.",
                                                                         "censorship.")))


def test_lender_outputs_read_the_fico_groups_by_name_in_either_order():
    # the Black group's outputs are the Black rows of association_errors, whatever the order
    from scorelab.lending import LoanTerms, load_fico
    from scorelab.studies.credit import association_errors

    population = load_fico(groups=("Black", "White"))
    out = study.lender_outputs(alpha=0.4, n_borrowers=200, n_rounds=3, population=population,
                               rng=3)
    seed = int(np.random.default_rng(3).integers(2**63))
    errors = association_errors(0.4, rule="max_profit", n_borrowers=200, n_rounds=3,
                                homophily=0.7, mean_degree=10.0, population=population,
                                terms=LoanTerms(loss=-4.0, repay_change=75.0,
                                                default_change=-150.0),
                                rng=seed).set_index("group")
    assert list(errors.index) == ["Black", "White"]
    assert out["max_profit_refused_repayers_black"] == \
        errors.loc["Black", "refused_repayers_difference"]
    assert out["max_profit_profit_white"] == errors.loc["White", "profit_difference"]
