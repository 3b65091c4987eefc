"""The citizen game's history: long and tidy, its wide view, its one table of definitions,
its saved format, and the same values the engine gave before it was reshaped (issue 15)."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorelab.dynamics import ALL_GATES, GameConfig, SimulationResult, load, simulate
from scorelab.experiments import confidence_intervals, sweep
from scorelab.metrics import (
    GAME_MEASURES,
    HISTORY_COLUMNS,
    MECHANISM_MEASURES,
    Measure,
    history_layout,
    history_table,
    history_table_markdown,
    long_history,
    wide_history,
)
from scorelab.society import Society, homophilous_sbm

ROOT = Path(__file__).resolve().parents[1]
# Written by the engine at commit 16b1029 (before this format) on the configurations of
# OLD_CONFIGS: its wide histories, melted to (config, step, column, value).
OLD_HISTORIES = ROOT / "tests" / "data" / "history-before-issue-15.parquet"
OLD_CONFIGS = {
    "default": GameConfig(),
    "rollout": GameConfig(mandatory_step=3, ostracism=0.3, standard_inertia=0.5),
    "mechanisms": GameConfig(gates=ALL_GATES, incentive_rule="stakes", strategic_rate=0.3,
                             internalisation=0.2, censorship_rule="choice", selective=True,
                             mislabelled={"minority": {"speech": 0.5}}, ostracism=0.2),
}


@pytest.fixture(scope="module")
def society():
    return homophilous_sbm(400, homophily=0.6, mean_degree=8, rng=5)


def _new_name(old_column):
    """The new wide column holding what the old ``old_column`` held (renamed measures:
    the old weighted ``mean_degree[g]`` is ``mean_strength_g``; the old per-group
    ``cross_group_ties[g]``, the same count for either group of two, is
    ``cross_group_ties``)."""
    match = re.fullmatch(r"(.+)\[(.+)\]", old_column)
    if not match:
        return old_column
    name, group = match.groups()
    if name == "cross_group_ties":
        return "cross_group_ties"
    return f"{'mean_strength' if name == 'mean_degree' else name}_{group}"


@pytest.mark.parametrize("name", list(OLD_CONFIGS))
def test_every_value_is_bitwise_the_one_the_engine_gave_before(society, name):
    old = pd.read_parquet(OLD_HISTORIES)
    old = old[old["config"] == name].pivot(index="step", columns="column", values="value")
    result = simulate(society, OLD_CONFIGS[name], n_steps=6, rng=11)
    wide = result.wide().set_index("step")
    # the old history's step k (0-based, after the step) is the new step k + 1
    assert wide.index.tolist() == [0, *(old.index + 1)]
    after_steps = wide.loc[old.index + 1]
    for column in old.columns:
        np.testing.assert_array_equal(after_steps[_new_name(column)].to_numpy(),
                                      old[column].to_numpy(), err_msg=column)
    # only new measures were added, none dropped
    added = set(wide.columns) - {_new_name(c) for c in old.columns}
    assert added == {"ties_cut_share", "ties_added_share", "mean_degree", "mean_strength",
                     "cross_group_share", "mean_degree_majority", "mean_degree_minority",
                     "cross_group_share_majority", "cross_group_share_minority"}


def test_long_history_is_the_wide_view_melted_in_order(society):
    result = simulate(society, GameConfig(ostracism=0.2), n_steps=3, rng=2)
    long = result.history
    assert tuple(long.columns) == HISTORY_COLUMNS
    layout = history_layout(GAME_MEASURES, ["majority", "minority"])
    per_step = len(layout)
    assert len(long) == 4 * per_step
    assert list(zip(long["measure"][:per_step], long["group"][:per_step])) == layout
    assert (long["step"].to_numpy() == np.repeat([0, 1, 2, 3], per_step)).all()
    wide = result.wide()
    # back to long: the same rows in the same order
    melted = wide.melt(id_vars="step", var_name="column", value_name="value", ignore_index=True)
    melted = melted.sort_values("step", kind="stable")
    names = [m if g == "all" else f"{m}_{g}" for m, g in layout]
    assert melted["column"].tolist() == names * 4
    np.testing.assert_array_equal(melted["value"], long["value"])
    # any subset of the rows pivots; the order of the columns is the order of the rows
    credit = long[long["measure"] == "access_credit"]
    assert wide_history(credit).columns.tolist() == ["step", "access_credit",
                                                     "access_credit_majority",
                                                     "access_credit_minority"]
    with pytest.raises(ValueError, match="lacks"):
        wide_history(wide)
    with pytest.raises(ValueError, match="twice"):
        wide_history(pd.concat([credit, credit]))


def test_long_history_tools_on_a_hand_made_case():
    long = long_history([0, 5], [[1.0, 2.0, 3.0], [4.0, np.nan, 6.0]],
                        [("ties", "all"), ("ties", "a b"), ("gap", "a b")])
    assert long.drop(columns="value").to_dict("list") == {
        "step": [0, 0, 0, 5, 5, 5], "measure": ["ties", "ties", "gap"] * 2,
        "group": ["all", "a b", "a b"] * 2}
    np.testing.assert_array_equal(long["value"], [1.0, 2.0, 3.0, 4.0, np.nan, 6.0])
    wide = wide_history(long)
    assert wide.columns.tolist() == ["step", "ties", "ties_a b", "gap_a b"]
    assert wide["step"].tolist() == [0, 5] and np.isnan(wide.loc[1, "ties_a b"])


def test_group_labels_that_would_collide_are_refused(society):
    named_all = Society(society.citizens.assign(
        group=society.citizens["group"].cat.rename_categories({"minority": "all"})),
        society.ties)
    with pytest.raises(ValueError, match="other than 'all'"):
        simulate(named_all, n_steps=1, rng=1)
    # a per-group measure "ties" of a group "cut" would be the wide column of "ties_cut"
    cut = Society(society.citizens.assign(
        group=society.citizens["group"].cat.rename_categories({"minority": "cut"})),
        society.ties)
    per_group_ties = Measure("ties", lambda s: [int(s.tie_counts[m].sum())
                                                for m in s.group_members], by_group=True)
    with pytest.raises(ValueError, match=r"wide columns \['ties_cut'\]"):
        simulate(cut, n_steps=1, rng=1, measures=["ties_cut", per_group_ties])
    assert simulate(society, n_steps=1, rng=1, measures=["ties_cut", per_group_ties]).wide() \
        .columns.tolist() == ["step", "ties_cut", "ties_majority", "ties_minority"]
    with pytest.raises(ValueError, match="differ as strings"):
        history_layout(GAME_MEASURES, [1, "1"])


def test_history_every_measures_the_start_every_kth_step_and_the_last(society):
    every = simulate(society, GameConfig(ostracism=0.2), n_steps=5, rng=4)
    sparse = simulate(society, GameConfig(ostracism=0.2), n_steps=5, rng=4, history_every=2)
    assert sparse.history["step"].unique().tolist() == [0, 2, 4, 5]
    kept = every.history[every.history["step"].isin([0, 2, 4, 5])].reset_index(drop=True)
    pd.testing.assert_frame_equal(sparse.history, kept)
    pd.testing.assert_frame_equal(sparse.society.ties, every.society.ties)


def test_a_saved_run_keeps_the_long_history_and_its_types(tmp_path):
    groups = homophilous_sbm(150, group_names=("1", "NA"), rng=2)
    result = simulate(groups, GameConfig(ostracism=0.2), n_steps=2, rng=3)
    saved = load(result.save(tmp_path / "run"))
    pd.testing.assert_frame_equal(saved.history, result.history)
    assert set(saved.history["group"]) == {"all", "1", "NA"}  # strings, not numbers or NaN
    meta = json.loads((tmp_path / "run" / "metadata.json").read_text())
    assert meta["format"] == "scorelab.simulation/2"


def test_a_run_saved_in_the_old_wide_format_is_refused_with_a_way_out(tmp_path):
    result = simulate(homophilous_sbm(100, rng=2), n_steps=2, rng=3)
    folder = result.save(tmp_path / "old")
    meta = json.loads((folder / "metadata.json").read_text())
    meta["format"] = "scorelab.simulation/1"
    (folder / "metadata.json").write_text(json.dumps(meta))
    old_wide = result.wide().iloc[1:].rename(columns=lambda c: re.sub(
        r"_(majority|minority)$", r"[\1]", c))
    old_wide.assign(step=old_wide["step"] - 1).to_csv(folder / "history.csv", index=False)
    with pytest.raises(ValueError, match=r"scorelab.simulation/1.*wide.*rerun it"):
        load(folder)
    with pytest.raises(ValueError, match="simulation/1"):
        SimulationResult.load(folder)


def test_a_history_file_of_another_shape_is_named(tmp_path):
    result = simulate(homophilous_sbm(100, rng=2), n_steps=1, rng=3)
    folder = result.save(tmp_path / "run")
    result.wide().to_csv(folder / "history.csv", index=False)
    with pytest.raises(ValueError, match=r"history.csv.*expected \['step', 'measure'"):
        load(folder)


def test_every_measure_is_defined_in_the_one_table_of_the_docs():
    names = {m.name for m in GAME_MEASURES + MECHANISM_MEASURES}
    table = history_table()
    assert set(table["measure"]) == names
    # the groups column says exactly where each measure has rows
    keys = {m.key for m in GAME_MEASURES + MECHANISM_MEASURES}
    documented = {f"{name}[group]" if scope == "group" else name
                  for name, groups in zip(table["measure"], table["groups"])
                  for scope in groups.split(", ")}
    assert documented == keys
    assert set(table["weighted"]) == {"yes", "no"}
    page = (ROOT / "docs" / "history.md").read_text()
    assert history_table_markdown() in page, (
        "docs/history.md's table differs from the code: paste the output of python -c "
        "'from scorelab.metrics import history_table_markdown as t; print(t())' over it")
    for name in names:
        assert f"`{name}`" in page, name
    assert "history" in (ROOT / "docs" / "index.md").read_text()
    # the same table in SimulationResult's docstring
    for name in names:
        assert f"``{name}``" in SimulationResult.__doc__, name


def test_confidence_intervals_keep_grid_order_through_a_pivot():
    def run(b, a, *, rng=None):
        return {"y": float(np.random.default_rng(rng).normal(a * 10 + b))}

    grid = {"b": [3.0, 1.0, 2.0], "a": ["z", "x"]}
    runs = sweep(lambda b, a, rng=None: run(b, ord(a) - ord("x"), rng=rng), grid,
                 n_replicates=3, rng=1)
    ci = confidence_intervals(runs, ["b", "a"], "y")
    assert list(zip(ci["b"], ci["a"])) == [(3.0, "z"), (3.0, "x"), (1.0, "z"), (1.0, "x"),
                                           (2.0, "z"), (2.0, "x")]
    wide = ci.pivot_table(index="b", columns="a", values="mean", sort=False)
    assert wide.index.tolist() == [3.0, 1.0, 2.0] and wide.columns.tolist() == ["z", "x"]


def test_the_tidy_outputs_keep_their_order_through_pivots(society):
    from scorelab.dating import simulate_generations

    result = simulate(society, GameConfig(), n_steps=2, rng=1)
    # (pivot_table(sort=False) orders by the first non-NaN value: step 0's NaN come later)
    pivoted = result.history.pivot(index="step", columns=["measure", "group"], values="value")
    order = list(dict.fromkeys(zip(result.history["measure"], result.history["group"])))
    assert list(pivoted.columns) == order
    assert pivoted.index.tolist() == [0, 1, 2]
    frame = simulate_generations(300, generations=1, ranking="score", heritability=0.5, rng=2)
    deciles = frame[(frame.measure == "exposure_share") & (frame.by == "score_decile")]
    by_decile = deciles.pivot_table(index="decile", columns="generation", values="value",
                                    sort=False)
    assert by_decile.index.tolist() == list(range(1, 11))
    groups = frame[(frame.measure == "match_rate") & (frame.by == "group")]
    assert groups.pivot_table(index="generation", columns="group", values="value",
                              sort=False).columns.tolist() == ["majority", "minority"]


@pytest.mark.parametrize("whole", [False, True])
@pytest.mark.parametrize("share", [0.0, 0.3, 0.9, 1.0])
def test_the_ties_among_participants_are_the_sliced_matrix_bit_for_bit(share, whole):
    # the history reads the participants' ties without slicing the matrix; with weights
    # that do not sum exactly in floating point, every number must still be the one the
    # sliced matrix gives (the same additions in the same order)
    from scorelab._graph import symmetric_csr
    from scorelab.metrics import GameState, _assortativity, _isolation_low_scorers, \
        _low_and_isolated, _score_assortativity, _share_of_low_isolated

    rng = np.random.default_rng(7)
    society = homophilous_sbm(3000, homophily=0.6, mean_degree=30, rng=3)
    ties = society.ties
    matrix = symmetric_csr(society.n_citizens, ties["source"].to_numpy(),
                           ties["target"].to_numpy(),
                           rng.integers(1, 4, len(ties)).astype(float) if whole
                           else rng.uniform(0.1, 3.0, len(ties)))
    participant = rng.random(society.n_citizens) < share
    participant[:2] = True  # at least two take part
    displayed = np.where(participant, rng.uniform(300, 850, society.n_citizens), np.nan)
    degree = np.asarray(matrix.sum(axis=1)).ravel()
    state = GameState(step=1, n_acts=5, participant=participant, own=displayed,
                      displayed=displayed, wealth=np.ones(society.n_citizens),
                      standard=(np.nan, np.nan), matrix=matrix, degree=degree, ties_cut=0,
                      ties_added=0, access={}, group_codes=np.zeros(society.n_citizens, int),
                      group_labels=pd.Index(["all"]), group_members=(participant,),
                      approved=None, private=None, expressed=None, whole_weights=whole)
    sliced = matrix[participant][:, participant]
    among = state.among_scored
    assert among.total == sliced.data.sum()
    np.testing.assert_array_equal(among.strength, np.asarray(sliced.sum(axis=1)).ravel())
    np.testing.assert_array_equal(among.column_sums,
                                  np.bincount(sliced.indices, weights=sliced.data,
                                              minlength=sliced.shape[0]))
    np.testing.assert_array_equal(among.tie_counts, np.diff(sliced.indptr))
    s = displayed[participant]
    np.testing.assert_array_equal(among.product(s), sliced @ s)
    np.testing.assert_equal(_score_assortativity(state), _assortativity(sliced, s))
    low, isolated = _low_and_isolated(np.diff(sliced.indptr), s, 0.1, 1)
    np.testing.assert_equal(_isolation_low_scorers(state), _share_of_low_isolated(low, isolated))
    if share == 0.3:  # a case with ties among participants and a finite correlation
        assert np.isfinite(_assortativity(sliced, s))


@pytest.mark.parametrize("n_acts, shape", [(5, (4000, 4)), (3, (500, 2)), (9, (300, 4)),
                                           (5, (7, 4))])
def test_act_diversity_counts_combinations_and_gives_the_same_entropy(n_acts, shape):
    from scorelab.metrics import _act_diversity, _entropy, _rate_profiles

    rng = np.random.default_rng(n_acts)
    approved = rng.binomial(n_acts, rng.uniform(0.2, 0.9, shape)).astype(float)
    want = _entropy(_rate_profiles(approved / n_acts, 10))
    assert _act_diversity(approved, n_acts, 10) == want  # bit for bit
    assert _act_diversity(approved, n_acts, 10, drawn=True) == want  # the game's draws
    # counts that are not whole numbers take the per-citizen path
    approved[0, 0] = 0.5
    assert _act_diversity(approved, n_acts, 10) == _entropy(_rate_profiles(approved / n_acts, 10))


@pytest.mark.parametrize("width", [1, 2, 5, 7, 8, 12])
def test_row_sums_are_numpys_bit_for_bit(width):
    from scorelab.metrics import _row_sums

    rng = np.random.default_rng(width)
    values = rng.standard_normal((2000, width)) * rng.lognormal(0, 6, (2000, width))
    np.testing.assert_array_equal(_row_sums(values).view(np.int64),
                                  values.sum(axis=1).view(np.int64))


@pytest.mark.parametrize("config, every", [(GameConfig(ostracism=0.5), 1),
                                           (GameConfig(ostracism=0.4, strategic_rate=0.5), 3)])
def test_the_components_kept_through_the_edits_are_those_of_a_search(config, every):
    # the game keeps a spanning forest of its ties from one measured step to the next;
    # each step's components must be the ones a breadth-first search of the ties gives
    from scorelab._graph import symmetric_components

    society = homophilous_sbm(3000, homophily=0.6, mean_degree=3, rng=8)

    def searched(state):
        sizes = np.bincount(symmetric_components(state.matrix))
        return len(sizes), sizes.max() / state.n

    measures = ["components", "largest_component_share",
                Measure("searched_components", lambda s: searched(s)[0]),
                Measure("searched_largest_share", lambda s: searched(s)[1])]
    wide = simulate(society, config, n_steps=12, rng=3, history_every=every,
                    measures=measures).wide()
    np.testing.assert_array_equal(wide["components"], wide["searched_components"])
    np.testing.assert_array_equal(wide["largest_component_share"],
                                  wide["searched_largest_share"])
    assert wide["components"].iloc[-1] > wide["components"].iloc[0]  # it fell apart
