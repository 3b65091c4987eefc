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
    config = GameConfig()
    game = study.MODELS["game"]
    for name in ("ostracism", "gap_scale", "triadic_share", "standard_inertia", "incentive",
                 "peer_pressure", "censorship", "detection"):
        low, high = game[name]
        assert low <= getattr(config, name) <= high, name
    low, high = game["association_weight"]
    assert low <= config.policy.alpha <= high
    assert study._BASE_THRESHOLDS == dict(config.thresholds)
    assert game["threshold_shift"][0] < 0 < game["threshold_shift"][1]
    dating = study.MODELS["dating"]
    # h^2 + c^2 must stay a share of one variance over the whole box
    assert dating["heritability"][1] + dating["cultural_transmission"][1] <= 1


def test_game_outputs_respond_to_what_they_measure():
    free = study.game_outputs(censorship=0.0, **TINY["game"], rng=1)
    hiding = study.game_outputs(censorship=1.0, **TINY["game"], rng=1)
    assert set(free) == {o.split(".", 1)[1] for o in study.OUTPUTS if o.startswith("game.")}
    assert all(np.isfinite(v) and isinstance(v, float) for v in free.values())
    # nobody hides a disapproved act when censoring is off: private = expressed
    assert free["expression_gap"] == 0.0
    assert hiding["expression_gap"] > 0.05


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
    assert study.rests_on_table(morris, sobol).values.tolist() == [["y", "", "sobol"]]


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
    assert by_id["sensitivity.credit-gap-default-change"] == ""
    assert by_id["sensitivity.dating-minority-share-visible-fraction"] == ""
