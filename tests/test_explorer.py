"""The interactive explorer: the Explorer object and the widgets bound to it."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import scorelab
from scorelab.dynamics import GameConfig, simulate
from scorelab.explorer import CONTROLS, Explorer, explore

SMALL = dict(n_citizens=300, n_steps=12, seed=5)


def frames(explorer, steps):
    """The scores and cuts the explorer shows at each of ``steps``."""
    shown = []
    for step in steps:
        explorer.go_to(step)
        frame = explorer.frame()
        shown.append((frame["scores"].copy(), frame["cuts"].copy(), frame["gaps"].copy()))
    return shown


def assert_same_frames(a, b):
    assert len(a) == len(b)
    for (scores_a, cuts_a, gaps_a), (scores_b, cuts_b, gaps_b) in zip(a, b):
        pd.testing.assert_frame_equal(scores_a, scores_b)
        pd.testing.assert_frame_equal(cuts_a, cuts_b)
        pd.testing.assert_frame_equal(gaps_a, gaps_b)


# -- the Explorer -----------------------------------------------------------------------
def test_frames_are_the_steps_of_one_uninterrupted_run():
    explorer = Explorer(**SMALL, ostracism=0.2)
    # played in chunks (8 steps, then to the end): each frame is that step of one full run
    shown = frames(explorer, range(12))
    full = simulate(explorer.society, explorer.config(), n_steps=12,
                    rng=np.random.default_rng(explorer._game_seed), record="all")
    for step, (scores, cuts, _) in enumerate(shown):
        expected = full.panel[full.panel["step"] == step]
        np.testing.assert_array_equal(scores["displayed"].to_numpy(),
                                      expected["displayed"].to_numpy())
        np.testing.assert_array_equal(scores["degree"].to_numpy(), expected["degree"].to_numpy())
        # the history's steps 1 .. step + 1 (step 0 is the start, before any cut)
        assert cuts["ties_cut"].tolist() == full.wide()["ties_cut"].iloc[1: step + 2].tolist()


def test_the_controls_set_the_game():
    explorer = Explorer(**SMALL, alpha=0.7, ostracism=0.3, gap_scale=50,
                        censorship=0.1, credit_threshold=700, travel_threshold=600,
                        utilities_threshold=400, credit_return=0.1, utilities_loss=0.2)
    config = explorer.config()
    assert config.policy.alpha == 0.7
    assert (config.ostracism, config.gap_scale, config.censorship) == (0.3, 50.0, 0.1)
    assert config.thresholds == {"credit": 700.0, "travel": 600.0, "utilities": 400.0}
    assert (config.credit_return, config.utilities_loss) == (0.1, 0.2)
    # what the controls do not set comes from the given config
    base = GameConfig(peer_pressure=0.0, mandatory_step=3)
    assert Explorer(**SMALL, config=base).config().mandatory_step == 3
    assert Explorer(**SMALL, config=base).config().peer_pressure == 0.0
    # the association weight's old name still works, for one release
    with pytest.warns(DeprecationWarning, match="Explorer: 'association_weight'"):
        old = Explorer(**SMALL, association_weight=0.7)
    assert old.config().policy.alpha == 0.7 and old.settings["alpha"] == 0.7


def test_society_follows_size_shares_and_homophily():
    explorer = Explorer(n_citizens=500, minority_share=0.3, homophily=0.9, seed=2)
    groups = explorer.society.citizens["group"]
    assert len(groups) == 500
    assert (groups == "minority").sum() == 150
    ties = explorer.society.ties
    same = (groups.to_numpy()[ties["source"]] == groups.to_numpy()[ties["target"]]).mean()
    mixed = Explorer(n_citizens=500, minority_share=0.3, homophily=0.0, seed=2).society
    mixed_groups = mixed.citizens["group"].to_numpy()
    same_mixed = (mixed_groups[mixed.ties["source"]] == mixed_groups[mixed.ties["target"]]).mean()
    assert same > same_mixed + 0.1


def test_same_seed_same_frames_and_another_seed_other_frames():
    a, b = Explorer(**SMALL), Explorer(**SMALL)
    assert_same_frames(frames(a, [0, 3, 11]), frames(b, [0, 3, 11]))
    # the frame does not depend on the path taken to it
    c = Explorer(**SMALL)
    c.step(11)
    assert_same_frames(frames(a, [11]), [frames(c, [11])[0]])
    other = Explorer(**{**SMALL, "seed": 6})
    assert not frames(other, [3])[0][0]["displayed"].equals(frames(a, [3])[0][0]["displayed"])


def test_reset_returns_to_the_first_frame():
    explorer = Explorer(**SMALL)
    first = frames(explorer, [0])
    explorer.step(5)
    assert explorer.step_index == 5
    assert explorer.reset() == 0
    assert explorer.step_index == 0
    assert explorer.history()["step"].tolist() == [0, 1]  # the start and the step on show
    assert_same_frames(first, frames(explorer, [0]))


def test_step_stops_at_the_last_step():
    explorer = Explorer(**SMALL)
    assert explorer.step(100) == 11
    assert explorer.at_end
    assert explorer.step() == 11


def test_set_restarts_with_the_new_setting_and_changes_the_run():
    explorer = Explorer(**SMALL, ostracism=0.0)
    explorer.go_to(6)
    assert explorer.frame()["cuts"]["ties_cut"].sum() == 0
    assert explorer.set(ostracism=0.5) == 0
    explorer.go_to(6)
    assert explorer.frame()["cuts"]["ties_cut"].sum() > 0
    # association pulls a citizen's score towards its ties': the spread shrinks
    spread = {}
    for weight in (0.0, 0.9):
        explorer.set(alpha=weight, ostracism=0.0)
        explorer.go_to(5)
        spread[weight] = explorer.frame()["scores"]["displayed"].std()
    assert spread[0.9] < 0.8 * spread[0.0]


def test_frame_contents():
    explorer = Explorer(**SMALL)
    explorer.go_to(4)
    frame = explorer.frame()
    assert frame["step"] == 4
    assert len(frame["scores"]) == 300
    assert set(frame["scores"]["group"]) == {"majority", "minority"}
    assert frame["gaps"]["step"].tolist() == [1, 2, 3, 4, 5]  # the history's steps
    scores = frame["scores"]
    means = scores.groupby("group", observed=True)["displayed"].mean()
    assert frame["gaps"]["score_gap"].iloc[-1] == pytest.approx(means["majority"] - means["minority"])
    assert list(frame["cuts"].columns[:3]) == ["step", "ties_cut", "ties_added"]


def test_summary_is_stable_text_and_figure_has_four_panels():
    explorer = Explorer(**SMALL)
    explorer.go_to(2)
    text = explorer.summary()
    again = Explorer(**SMALL)
    again.go_to(2)
    assert again.summary() == text
    assert "300 citizens" in text and "step 3 of 12" in text and "0x" not in text
    fig = explorer.figure()
    assert len(fig.axes) >= 4  # four panels and the score colour bar
    png = explorer.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_network_sample_has_both_groups_and_the_asked_size():
    explorer = Explorer(n_citizens=400, seed=3, n_drawn=120)
    drawn = explorer._drawing.citizens
    assert len(drawn) == 120 == len(np.unique(drawn))
    groups = explorer.society.citizens["group"].to_numpy()[drawn]
    assert {"majority", "minority"} <= set(groups)


@pytest.mark.parametrize(
    "settings, error, words",
    [
        (dict(n_citizens=10**6), ValueError, ["n_citizens", "1000000", "5000"]),
        (dict(n_citizens=50), ValueError, ["n_citizens", "50"]),
        (dict(n_citizens=300.5), TypeError, ["n_citizens", "300.5"]),
        (dict(ostracism=1.5), ValueError, ["ostracism", "1.5"]),
        (dict(minority_share=0.9), ValueError, ["minority_share", "0.9"]),
        (dict(alpha="high"), TypeError, ["alpha", "'high'"]),
        (dict(seed=-1), ValueError, ["seed", "-1"]),
        (dict(unfriend=0.2), TypeError, ["unfriend", "ostracism"]),
        (dict(config={"ostracism": 0.1}), TypeError, ["config", "GameConfig"]),
    ],
)
def test_bad_settings_raise_clear_errors(settings, error, words):
    with pytest.raises(error) as raised:
        Explorer(**settings)
    message = str(raised.value)
    for word in words:
        assert word in message
    assert "np." not in message


def test_bad_set_and_go_to_leave_the_explorer_as_it_was():
    explorer = Explorer(**SMALL)
    explorer.go_to(3)
    before = dict(explorer.settings)
    with pytest.raises(ValueError, match="credit_threshold"):
        explorer.set(ostracism=0.2, credit_threshold=2000)
    assert explorer.settings == before
    assert explorer.step_index == 3
    with pytest.raises(ValueError, match="step"):
        explorer.go_to(12)
    with pytest.raises(TypeError, match="step"):
        explorer.go_to(2.5)


# -- the widgets --------------------------------------------------------------------------
ipywidgets = pytest.importorskip("ipywidgets")


def test_explore_is_exported_and_builds_the_panel():
    assert "explore" in scorelab.__all__
    panel = scorelab.explore(**SMALL)
    assert isinstance(panel, ipywidgets.VBox)
    assert set(panel.controls) == set(CONTROLS)
    assert panel.play.max == 11 and panel.play.value == 0
    assert panel.image.value[:4] == b"\x89PNG"
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "scorelab explorer: " + panel.explorer.summary()


def test_play_widget_steps_the_game_and_redraws():
    panel = explore(**SMALL)
    image = panel.image.value
    panel.play.value = 4  # what the play button does, one step at a time
    assert panel.explorer.step_index == 4
    assert "step 5 of 12" in panel.status.value
    assert panel.image.value != image


def test_moving_a_control_changes_the_run_and_rewinds():
    panel = explore(**SMALL, ostracism=0.0)
    panel.play.value = 6
    assert panel.explorer.frame()["cuts"]["ties_cut"].sum() == 0
    panel.controls["ostracism"].value = 0.5
    assert panel.explorer.settings["ostracism"] == 0.5
    assert panel.play.value == 0 and panel.explorer.step_index == 0
    panel.play.value = 6
    assert panel.explorer.frame()["cuts"]["ties_cut"].sum() > 0
    panel.controls["n_steps"].value = 20
    assert panel.play.max == 19


def test_same_seed_same_frames_through_the_widgets():
    a, b = explore(**SMALL), explore(**SMALL)
    for panel in (a, b):
        panel.controls["alpha"].value = 0.6
        panel.play.value = 7
    assert a.image.value == b.image.value
    assert_same_frames(frames(a.explorer, [7]), frames(b.explorer, [7]))
    b.controls["seed"].value = 9
    b.play.value = 7
    assert not frames(b.explorer, [7])[0][0]["displayed"].equals(
        frames(a.explorer, [7])[0][0]["displayed"])


def test_frames_drawn_in_place_equal_a_fresh_drawing():
    panel = explore(**SMALL, ostracism=0.3)
    for step in (3, 9, 2):
        panel.play.value = step
        assert panel.image.value == panel.explorer.png()


def test_reset_button_goes_back_to_step_zero():
    panel = explore(**SMALL)
    first = panel.image.value
    panel.play.value = 5
    panel.reset_button.click()
    assert panel.play.value == 0 and panel.explorer.step_index == 0
    assert panel.image.value == first


def test_a_rejected_control_value_is_reported_and_undone():
    # a slider cannot leave its range, but a society too small for its mean degree can
    # be asked for
    panel = explore(**SMALL, mean_degree=150.0)
    image = panel.image.value
    panel.controls["n_citizens"].value = 100
    assert "n_citizens" in panel.message.value and "mean_degree" in panel.message.value
    assert panel.controls["n_citizens"].value == 300
    assert panel.explorer.settings["n_citizens"] == 300
    assert panel.image.value == image
    panel.controls["n_citizens"].value = 400  # a good value clears the message
    assert panel.message.value == ""
    assert len(panel.explorer.society.citizens) == 400


def test_bad_explore_arguments():
    with pytest.raises(ValueError, match="interval"):
        explore(**SMALL, interval=0)
    with pytest.raises(TypeError, match="unknown explorer setting"):
        explore(speed=2)


def test_controls_cover_the_brief():
    # the game's main parameters are all on a slider
    assert {"alpha", "ostracism", "gap_scale", "censorship", "credit_threshold",
            "travel_threshold", "utilities_threshold", "credit_return", "utilities_loss",
            "homophily", "minority_share", "n_citizens"} <= set(CONTROLS)
    assert CONTROLS["n_citizens"].maximum >= 2000
    for control in CONTROLS.values():
        assert control.minimum <= control.default <= control.maximum
    assert dataclasses.is_dataclass(CONTROLS["ostracism"])


def test_cuts_by_tie_kind_add_up_to_the_ties_cut():
    explorer = Explorer(**{**SMALL, "ostracism": 0.3})
    explorer.go_to(SMALL["n_steps"] - 1)
    cuts = explorer.frame()["cuts"]
    kinds = [c for c in cuts.columns if c.startswith("ties_cut_")]
    assert kinds == [f"ties_cut_{kind}" for kind in ("family", "friend", "neighbour",
                                                     "colleague")]
    assert (cuts[kinds].sum(axis=1) == cuts["ties_cut"]).all()
    assert cuts["ties_cut"].sum() > 0 and (cuts[kinds].sum() > 0).sum() >= 2
