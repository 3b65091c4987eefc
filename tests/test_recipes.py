"""The recipes of README.md and docs/recipes.md run, and say what their results show."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECIPE = re.compile(r"```python\n(# Recipe (\d): .*?)```", re.S)


def recipes(path):
    return {int(number): code for code, number in RECIPE.findall(path.read_text())}


README = recipes(ROOT / "README.md")
DOCS = recipes(ROOT / "docs" / "recipes.md")


def run(code):
    namespace = {}
    exec(compile(code, "<recipe>", "exec"), namespace)
    return namespace


def test_the_readme_and_the_docs_show_the_same_three_recipes():
    assert sorted(README) == [1, 2, 3]
    assert README == DOCS


def row(table, metric):
    [found] = table[table.metric == metric].to_dict("records")
    return found


def test_recipe_1_a_group_gap_and_its_paired_change():
    found = run(README[1])
    gaps, change, runs = found["gaps"], found["change"], found["runs"]
    assert gaps["alpha"].tolist() == [0.0, 0.3] and (gaps["n"] == 10).all()
    # the gap across societies is wide; its paired change is narrow and resolved
    narrowing, penalty = row(change, "displayed_gap"), row(change, "minority_penalty")
    assert narrowing["high"] < 0 < penalty["low"]  # the gap narrows, the penalty is real
    assert narrowing["high"] - narrowing["low"] < 0.5 * (gaps["high"] - gaps["low"]).min()
    # the paired difference is the per-society gap change guilt_by_association reports
    assert narrowing["mean"] == pytest.approx(runs.loc[runs.alpha == 0.3, "gap_change"].mean())
    assert change["paired"].all() and (change["n"] == 10).all()


def test_recipe_2_a_game_against_its_counterfactual():
    found = run(README[2])
    effect, games = found["effect"], found["games"]
    assert (games.groupby("pair")["association"].nunique() == 2).all()
    assert row(effect, "gini_displayed")["high"] < 0  # association compresses scores
    assert row(effect, "score_assortativity")["low"] > 0  # and sorts them along ties


def test_recipe_3_dating_generations_against_random_ranking():
    found = run(README[3])
    shift, table, runs = found["shift"], found["table"], found["runs"]
    # paired: both rankings of a replicate start from the same founders
    founders = runs[(runs.generation == 0) & (runs.measure == "disposition_mean")
                    & (runs.by == "all")]
    assert (founders.groupby("replicate")["value"].nunique() == 1).all()
    assert row(shift, "disposition_shift")["low"] > 0  # selection for compliance
    assert row(shift, "minority_share_end")["high"] < 0  # the minority shrinks
    assert sorted(table.ranking.unique()) == ["random", "score"] and (shift["n"] == 8).all()
