"""The findings register: intervals checked against SciPy, the schema, the files, the printout."""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scorelab._provenance import git_state
from scorelab.findings import (
    COLUMNS,
    check_provenance,
    compare_scales,
    finding,
    findings_frame,
    format_findings,
    load_findings,
    save_findings,
    validate_findings,
)

BASE = {"notebook": "01-guilt-by-association", "statement": "A difference in points.",
        "n_citizens": 2000, "seed": 3}


def make(id="guilt.effect", values=(1.0, 1.4, 0.8, 1.1), **kwargs):
    return finding(id, values, **(BASE | kwargs))


def test_one_sample_t_interval_is_scipys():
    values = np.random.default_rng(1).normal(0.4, 1.0, size=12)
    row = make(values=values)
    expected = stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(expected), rel=1e-12)
    assert row["estimate"] == pytest.approx(values.mean())
    assert row["replicates"] == 12 and row["null"] == 0.0 and row["interval"] == "t"
    assert row["resolved"] == (expected.low > 0 or expected.high < 0)
    assert set(row) == set(COLUMNS)


def test_paired_difference_is_scipys_and_narrower_than_unpaired():
    rng = np.random.default_rng(2)
    shared = rng.normal(0, 5.0, size=10)  # what both arms share: society, draws
    treated, baseline = shared + 0.8 + rng.normal(0, 0.3, 10), shared + rng.normal(0, 0.3, 10)
    paired = make(values=treated, counterfactual=baseline)
    expected = stats.ttest_rel(treated, baseline).confidence_interval(0.95)
    assert (paired["ci_low"], paired["ci_high"]) == pytest.approx(tuple(expected), rel=1e-12)
    assert paired["estimate"] == pytest.approx((treated - baseline).mean())
    assert paired["resolved"] and paired["null"] == 0.0
    welch = make(values=treated, counterfactual=baseline, paired=False)
    expected = stats.ttest_ind(treated, baseline, equal_var=False).confidence_interval(0.95)
    assert (welch["ci_low"], welch["ci_high"]) == pytest.approx(tuple(expected), rel=1e-10)
    # Ignoring the pairing hides the effect under the shared variation.
    assert not welch["resolved"]
    assert welch["ci_high"] - welch["ci_low"] > 10 * (paired["ci_high"] - paired["ci_low"])


def test_unpaired_counterfactual_may_have_another_length():
    row = make(values=[1.0, 1.1, 0.9, 1.2], counterfactual=[0.1, 0.0, -0.1], paired=False)
    assert row["estimate"] == pytest.approx(1.05 - 0.0)
    assert row["replicates"] == 4


def test_null_other_than_zero_for_a_known_counterfactual_value():
    row = make(values=[650.5, 651.0, 649.8], null=650.0)
    assert row["null"] == 650.0 and not row["resolved"]
    assert make(values=[655.0, 656.0, 655.5], null=650.0)["resolved"]


def test_bootstrap_interval_is_seeded_and_close_to_the_t_interval():
    values = np.random.default_rng(4).normal(2.0, 1.0, size=40)
    boot = make(values=values, interval="bootstrap", rng=5)
    assert boot == make(values=values, interval="bootstrap", rng=5)
    assert boot != make(values=values, interval="bootstrap", rng=6)
    t = make(values=values)
    assert boot["interval"] == "bootstrap" and boot["estimate"] == t["estimate"]
    # For 40 near-normal values the percentile bootstrap is a slightly narrower t interval.
    assert boot["ci_low"] == pytest.approx(t["ci_low"], abs=0.1)
    assert boot["ci_high"] == pytest.approx(t["ci_high"], abs=0.1)
    # Its reference: the quantiles of means of resampled replicates, here by brute force.
    rng = np.random.default_rng(5)
    means = [values[rng.integers(0, 40, 40)].mean() for _ in range(9999)]
    assert (boot["ci_low"], boot["ci_high"]) == pytest.approx(
        tuple(np.quantile(means, [0.025, 0.975])))


def test_paired_bootstrap_resamples_pairs():
    treated, baseline = np.array([5.0, 7.0, 6.0, 9.0]), np.array([4.0, 6.1, 5.0, 8.2])
    row = make(values=treated, counterfactual=baseline, interval="bootstrap", rng=1)
    differences = treated - baseline
    assert differences.min() <= row["ci_low"] <= row["ci_high"] <= differences.max()
    assert row["resolved"]


def test_a_constant_effect_is_a_point_interval():
    row = make(values=[2.0, 2.0, 2.0])
    assert row["ci_low"] == row["ci_high"] == 2.0 and row["resolved"]
    assert not make(values=[0.0, 0.0])["resolved"]


def test_rests_on_is_joined_text():
    assert make(rests_on=["alpha", "standard_inertia"])["rests_on"] == (
        "alpha; standard_inertia")
    assert make(rests_on="gap_scale")["rests_on"] == "gap_scale"
    assert make()["rests_on"] == ""


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"id": "Guilt.Effect"}, ValueError, "id must be '<study>.<finding>'.*got 'Guilt.Effect'"),
        ({"id": "effect"}, ValueError, "id must be '<study>.<finding>'"),
        ({"notebook": "01-guilt.ipynb"}, ValueError, "notebook must be a notebook's name"),
        ({"statement": " "}, ValueError, "statement must be one non-empty line"),
        ({"values": [1.0]}, ValueError, "values must hold at least 2 replicates.*got 1"),
        ({"values": [1.0, np.nan]}, ValueError, r"values must be finite"),
        ({"counterfactual": [1.0, 2.0]}, ValueError,
         r"counterfactual must hold one value per replicate when paired \(len\(values\) = 4\), got 2"),
        ({"counterfactual": [1.0] * 4, "null": 3.0}, ValueError, "null must be 0 .* got 3.0"),
        ({"paired": "yes"}, TypeError, "paired must be True or False, got 'yes'"),
        ({"interval": "bca"}, ValueError, r"interval must be one of \['bootstrap', 't'\], got 'bca'"),
        ({"scale": "large"}, ValueError, r"scale must be one of \['default', 'full'\], got 'large'"),
        ({"seed": -1}, ValueError, "seed must be >= 0, got -1"),
        ({"seed": None}, TypeError, r"seed must be an integer, got None \(NoneType\)"),
        ({"n_citizens": 0}, ValueError, "n_citizens must be >= 1, got 0"),
        ({"rests_on": [1]}, TypeError, r"rests_on must be a parameter name .* got \[1\]"),
        ({"rests_on": ["a; b"]}, TypeError, "rests_on must be"),
    ],
)
def test_finding_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


def register():
    return findings_frame([
        make("guilt.gap-narrows", values=[-3.0, -2.6, -3.3], rests_on=["alpha"]),
        make("guilt.penalty-flat", values=[0.2, -0.3, 0.1]),
        make("fairness.gap-widens", values=[4.0, 5.0, 6.0], notebook="05-fairness",
             interval="bootstrap", rng=1, scale="full"),
    ])


def test_register_has_the_columns_in_order_and_validates():
    frame = register()
    assert frame.columns.tolist() == list(COLUMNS)
    assert frame["resolved"].tolist() == [True, False, True]
    assert validate_findings(frame) is frame


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda f: f.drop(columns="seed"), r"missing \['seed'\], unexpected \[\]"),
        (lambda f: f.assign(extra=1), r"missing \[\], unexpected \['extra'\]"),
        (lambda f: f.assign(id=["a.b", "a.b", "c.d"]), r"ids must be unique; repeated: \['a.b'\]"),
        (lambda f: f.assign(id=["a.b", "bad id", "c.d"]), r"id must be .*wrong for \['bad id'\]"),
        (lambda f: f.assign(resolved=[True, True, True]),
         r"resolved must say whether .*wrong for \['guilt.penalty-flat'\]"),
        (lambda f: f.assign(resolved=["yes", False, True]), "resolved must be True or False"),
        (lambda f: f.assign(ci_low=[0.0, 1.0, 4.0]),
         r"ci_low must be <= ci_high; wrong for \['guilt.gap-narrows', 'guilt.penalty-flat'\]"),
        (lambda f: f.assign(estimate=[np.nan, 0.0, 5.0]), "estimate must be a finite number"),
        (lambda f: f.assign(replicates=[3, 1, 3]), "replicates must be an integer >= 2"),
        (lambda f: f.assign(seed=[3, 3.5, 3]), "seed must be an integer >= 0"),
        (lambda f: f.assign(scale=["default", "big", "full"]), "scale must be one of"),
        (lambda f: f.assign(interval=["t", "z", "t"]), "interval must be one of"),
        (lambda f: f.assign(rests_on=["", None, ""]), "rests_on must be text"),
        (lambda f: f.assign(notebook=["1-x", "01-x", "05-x"]), "notebook must be"),
    ],
)
def test_validator_names_each_problem(edit, match):
    with pytest.raises(ValueError, match=match):
        validate_findings(edit(register()))


def test_validator_lists_several_problems_at_once():
    broken = register().assign(scale="big", interval="z")
    with pytest.raises(ValueError) as caught:
        validate_findings(broken)
    assert str(caught.value).count("\n- ") == 2


def test_validator_keeps_published_ids():
    published = register()
    validate_findings(published.iloc[[0, 1, 2, 0]].drop_duplicates(), previous=published)
    with pytest.raises(ValueError, match=r"ids must be stable; .* missing: \['guilt.penalty-flat'\]"):
        validate_findings(published.drop(index=1), previous=published)
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame, got dict"):
        validate_findings({"id": "a.b"})
    with pytest.raises(TypeError, match="rows must be a list of finding rows"):
        findings_frame(make())


def test_save_and_load_round_trip_with_provenance(tmp_path):
    frame = register()
    path = save_findings(frame, tmp_path / "results" / "01-guilt-by-association",
                         parameters={"n_citizens": 2000, "homophily": 0.9}, seed=3,
                         wall_time=12.5)
    assert path.name == "findings.csv"
    pd.testing.assert_frame_equal(load_findings(path), frame)
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["parameters"] == {"n_citizens": 2000, "homophily": 0.9}
    assert sidecar["seed"] == 3 and sidecar["wall_time_seconds"] == 12.5
    assert sidecar["level"] == 0.95 and sidecar["columns"] == list(COLUMNS)
    assert {"python", "scorelab", "numpy", "pandas"} <= set(sidecar["versions"])
    assert sidecar["git"] == git_state()  # the checkout scorelab is imported from
    assert len(sidecar["git"]["commit"]) == 40 and isinstance(sidecar["git"]["dirty"], bool)
    with pytest.raises(ValueError, match="wall_time must be >= 0.0, got -1.0"):
        save_findings(frame, tmp_path, wall_time=-1)
    with pytest.raises(ValueError, match="ids must be unique"):
        save_findings(pd.concat([frame, frame]), tmp_path)


def test_git_state_reports_commit_and_dirty_tree(tmp_path):
    assert git_state(tmp_path) == {"commit": None, "dirty": None}  # not a checkout
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a.txt").write_text("one\n")
    subprocess.run([*git, "-C", str(tmp_path), "add", "a.txt"], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-qm", "a"], check=True)
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / "new.csv").write_text("untracked\n")
    assert git_state(tmp_path) == {"commit": head, "dirty": False}
    (tmp_path / "a.txt").write_text("two\n")
    assert git_state(tmp_path) == {"commit": head, "dirty": True}


def test_unresolved_findings_print_as_unresolved_and_nothing_is_ranked():
    frame = register()
    text = format_findings(frame)
    resolved_part, unresolved_part = text.split("Unresolved")
    assert "guilt.penalty-flat" in unresolved_part and "guilt.penalty-flat" not in resolved_part
    assert "unresolved: estimate" in unresolved_part and "no direction is claimed" in text
    # Register order, not the order of the estimates (-3 before 5 here, 5 before -3 reversed).
    assert resolved_part.index("guilt.gap-narrows") < resolved_part.index("fairness.gap-widens")
    reversed_text = format_findings(frame.iloc[::-1])
    assert reversed_text.index("fairness.gap-widens") < reversed_text.index("guilt.gap-narrows")
    assert "percentile bootstrap interval" in text and "rests on: alpha" in text
    assert "2,000 citizens x 3 replicates, seed 3, full scale" in text
    assert format_findings(frame.iloc[:0]) == "No findings."


def test_default_directory_is_the_reports_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORELAB_REPORTS", str(tmp_path / "reports"))
    path = save_findings(register())
    assert path == tmp_path / "reports" / "findings.csv"
    assert path.with_suffix(".json").exists()


def test_complete_provenance_is_checked_field_by_field(tmp_path):
    frame = register()
    path = save_findings(frame, tmp_path, parameters={"n_citizens": 2000}, seed=3,
                         wall_time=1.0)
    sidecar = check_provenance(path)
    assert sidecar["seed"] == 3
    stored = json.loads(path.with_suffix(".json").read_text())
    for field, broken in [("seed", None), ("parameters", {}), ("wall_time_seconds", None),
                          ("git", {"commit": None, "dirty": None})]:
        path.with_suffix(".json").write_text(json.dumps(stored | {field: broken}))
        expected = "git.commit, git.dirty" if field == "git" else field
        with pytest.raises(ValueError, match=f"lacks provenance: {expected}$"):
            check_provenance(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(ValueError, match="findings.json is missing"):
        check_provenance(path)


def test_default_scale_counterparts_agree_in_sign_or_are_unresolved():
    full = register().assign(scale="full")
    default = register().assign(scale="default")
    assert compare_scales(default, full)["agrees"].all()
    # guilt.penalty-flat is unresolved at default scale: any sign at full scale agrees.
    flipped = default.copy()
    flipped.loc[1, ["estimate", "ci_low", "ci_high"]] = [-0.5, -2.0, 1.0]
    assert compare_scales(flipped, full)["agrees"].all()
    # A resolved default finding of the opposite sign does not.
    opposite = default.copy()
    opposite.loc[0, ["estimate", "ci_low", "ci_high"]] = [3.0, 2.6, 3.3]
    table = compare_scales(opposite, full)
    assert table["agrees"].tolist() == [False, True, True]
    assert table.index.tolist() == full["id"].tolist()
    with pytest.raises(ValueError, match=r"without a default-scale counterpart: \['guilt.gap-narrows'\]"):
        compare_scales(default.drop(index=0), full)
    with pytest.raises(ValueError, match="the full-scale frame holds findings of another scale"):
        compare_scales(default, default)
