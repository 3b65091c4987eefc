"""An interactive explorer of the citizen game: move a parameter, watch the game play.

:func:`explore` (``scorelab.explore``) opens a panel in JupyterLab (ipywidgets): sliders
for the game's main parameters, a play / pause / reset control that steps the game, and a
figure of the current step: the displayed-score distribution of each group, the gap
between the groups over the steps, the ties cut and added per step, and a drawing of part
of the network coloured by score.

The logic lives in :class:`Explorer`, a plain Python object whose state advances with
:meth:`Explorer.step` (or :meth:`Explorer.go_to`) and goes back with
:meth:`Explorer.reset`; the widgets only call it, so everything the panel shows can be
driven and tested from Python. A run is :func:`scorelab.simulate` on a
:func:`scorelab.society.homophilous_sbm` society with two groups, ``majority`` and
``minority``. Frames are exact steps of that one run: the game is played ahead in chunks
(8 steps, then doubling), and because a run of ``k`` steps is the first ``k`` steps of any
longer run with the same seed, a frame does not depend on how far ahead the game was
played. The same settings and seed give the same frames. (The module is ``explorer``, not
``explore``: the package's ``explore`` function would hide a module of that name.)

The drawing shows a snowball sample of ``n_drawn`` citizens (breadth-first from a few
random citizens of each group) laid out once per society with a seeded spring layout:
its lines are the ties among them at the start, each citizen's size grows with its
current tie count (ostracism shrinks it), its colour is its displayed score.

Cuts are shown per step and by tie kind (``ties_cut_<kind>``: the history's
``cuts_strategic_<kind>`` plus ``cuts_social_<kind>``, which the explorer asks
:func:`scorelab.simulate` to record), with the ties added beside them.

The explorer's ``step_index`` counts from 0 as the game's ``record`` does: index ``k``
shows the end of the ``(k + 1)``-th step, the history's step ``k + 1`` (the history's
step 0 is the starting state).
"""

from __future__ import annotations

import dataclasses
import functools
import io

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_real, take_renamed
from scorelab.defaults import ALPHA, HOMOPHILY, MEAN_DEGREE, MINORITY_SHARE
from scorelab.dynamics import GameConfig, simulate
from scorelab.metrics import GAME_MEASURES
from scorelab.society import TIE_KINDS, homophilous_sbm

__all__ = ["CONTROLS", "Explorer", "explore"]

GROUPS = ("majority", "minority")
_SCALE = (350.0, 950.0)
_FIRST_CHUNK = 8
# the default history and the cuts of each tie kind, by what cut them (one row per step)
_MEASURES = [m.key for m in GAME_MEASURES] + [
    f"cuts_{source}_{kind}" for kind in TIE_KINDS for source in ("strategic", "social")]
_FIGSIZE = (11, 7.5)


@dataclasses.dataclass(frozen=True)
class _Control:
    """One setting of the explorer: its default, range and slider step."""

    default: float
    minimum: float
    maximum: float
    step: float
    description: str
    integer: bool = False


#: The settings the explorer's sliders move: name -> (default, range, step, description).
CONTROLS = {
    "alpha": _Control(ALPHA, 0.0, 1.0, 0.05, "association weight"),
    "ostracism": _Control(0.05, 0.0, 1.0, 0.01, "ostracism"),
    "gap_scale": _Control(100.0, 10.0, 400.0, 10.0, "unfriending gap"),
    "censorship": _Control(0.5, 0.0, 1.0, 0.05, "censorship"),
    "credit_threshold": _Control(650.0, 350.0, 950.0, 10.0, "credit threshold"),
    "travel_threshold": _Control(550.0, 350.0, 950.0, 10.0, "travel threshold"),
    "utilities_threshold": _Control(450.0, 350.0, 950.0, 10.0, "utilities threshold"),
    "credit_return": _Control(0.03, 0.0, 0.2, 0.01, "credit stake"),
    "utilities_loss": _Control(0.05, 0.0, 0.3, 0.01, "utilities stake"),
    "homophily": _Control(HOMOPHILY, 0.0, 1.0, 0.05, "homophily"),
    "minority_share": _Control(MINORITY_SHARE, 0.05, 0.5, 0.05, "minority share"),
    "n_citizens": _Control(1000, 100, 5000, 100, "citizens", integer=True),
    "n_steps": _Control(30, 2, 200, 1, "steps", integer=True),
    "seed": _Control(0, 0, 2**31 - 1, 1, "seed", integer=True),
}

_GAME_FIELDS = ("ostracism", "gap_scale", "censorship", "credit_return", "utilities_loss")


class Explorer:
    """The citizen game played step by step, for the interactive panel and for tests.

    Parameters
    ----------
    config : GameConfig, optional
        Every game parameter the controls do not set (default ``GameConfig()``); the
        controls override its association weight, ostracism, gap scale, censorship,
        thresholds and stakes.
    n_drawn : int, default 300
        Citizens in the network drawing (at most the society's size).
    mean_degree : float, default 10.0 (:data:`scorelab.defaults.MEAN_DEGREE`)
        Expected ties per citizen of the generated society.
    **settings
        Initial values of the controls (see :data:`CONTROLS`): ``alpha`` (the association weight;
        ``association_weight`` is its deprecated name),
        ``ostracism`` (scale of the chance to cut a tie to a lower scorer),
        ``gap_scale`` (score gap, in points, at which unfriending reaches 63 % of its
        maximum), ``censorship``, ``credit_threshold``, ``travel_threshold``,
        ``utilities_threshold``, ``credit_return`` and ``utilities_loss`` (the stakes: the
        log-wealth gained with credit, lost without utilities, per step), ``homophily``,
        ``minority_share``, ``n_citizens`` (100-5000), ``n_steps`` and ``seed``.

    Attributes
    ----------
    settings : dict
        The current value of every control.
    step_index : int
        The step on show (0 .. ``n_steps - 1``).

    Raises
    ------
    TypeError, ValueError
        An unknown setting, a setting of the wrong type or outside its range (the message
        names the setting, the value and the range), or a config that is not a GameConfig.

    See Also
    --------
    explore : the same object behind ipywidgets controls.
    scorelab.simulate : the game it plays.

    Notes
    -----
    Checked in ``tests/test_explorer.py``: a frame equals the same step of one
    uninterrupted :func:`scorelab.simulate` run with the same society and seed; the same
    seed gives the same frames; moving a control changes the run; reset returns to step 0.

    Examples
    --------
    >>> explorer = Explorer(n_citizens=300, n_steps=5, seed=1)
    >>> explorer.step(2)
    2
    >>> frame = explorer.frame()
    >>> sorted(frame["scores"]["group"].unique())
    ['majority', 'minority']
    >>> explorer.reset()
    0
    """

    def __init__(self, *, config=None, n_drawn=300, mean_degree=MEAN_DEGREE, **settings):
        config = GameConfig() if config is None else config
        if not isinstance(config, GameConfig):
            raise TypeError(f"config must be a GameConfig, got {type(config).__name__}")
        self._base = config
        self._n_drawn = check_integer("n_drawn", n_drawn, minimum=2)
        self._mean_degree = check_real("mean_degree", mean_degree, minimum=0.0)
        self.settings = {name: control.default for name, control in CONTROLS.items()}
        self.settings.update(self._checked(settings))
        self._check_degree()
        self.reset()

    # -- settings -------------------------------------------------------------------------
    @staticmethod
    def _checked(settings):
        settings = take_renamed(dict(settings), "Explorer", stacklevel=4)
        unknown = sorted(set(settings) - set(CONTROLS))
        if unknown:
            raise TypeError(f"unknown explorer setting(s) {unknown}; the settings are "
                            f"{sorted(CONTROLS)}")
        checked = {}
        for name, value in settings.items():
            control = CONTROLS[name]
            check = check_integer if control.integer else check_real
            checked[name] = check(name, value, minimum=control.minimum, maximum=control.maximum)
        return checked

    def _check_degree(self):
        if self._mean_degree > self.settings["n_citizens"] - 1:
            raise ValueError(f"mean_degree must be at most n_citizens - 1 = "
                             f"{self.settings['n_citizens'] - 1}, got {self._mean_degree}")

    def set(self, **settings):
        """Change some controls and restart the game at step 0.

        Returns the step on show (0). Raises like the constructor; on error nothing
        changes.
        """
        checked = self._checked(settings)
        previous = dict(self.settings)
        self.settings.update(checked)
        try:
            self._check_degree()
            self.config()
        except (TypeError, ValueError):
            self.settings = previous
            raise
        return self.reset()

    def config(self):
        """The :class:`~scorelab.dynamics.GameConfig` of the current settings."""
        s = self.settings
        policy = dataclasses.replace(self._base.policy, alpha=s["alpha"])
        thresholds = {gate: s[f"{gate}_threshold"] for gate in ("credit", "travel", "utilities")}
        return dataclasses.replace(self._base, policy=policy, thresholds=thresholds,
                                   **{name: s[name] for name in _GAME_FIELDS})

    # -- the run --------------------------------------------------------------------------
    def reset(self):
        """Go back to step 0 (the same society and seed: the same frames again)."""
        key = (self.settings["n_citizens"], self.settings["homophily"],
               self.settings["minority_share"], self.settings["seed"])
        if getattr(self, "_society_key", None) != key:
            society_seed, self._game_seed = np.random.SeedSequence(key[3]).spawn(2)
            shares = (1.0 - key[2], key[2])
            self.society = homophilous_sbm(key[0], group_shares=shares, group_names=GROUPS,
                                           homophily=key[1], mean_degree=self._mean_degree,
                                           rng=np.random.default_rng(society_seed))
            self._drawing = _Drawing(self.society, self._n_drawn, key[3])
            self._society_key = key
        self._result = None
        self._played = 0
        self.step_index = 0
        self._play(1)
        return self.step_index

    def _play(self, n_steps):
        """Play the game to at least ``n_steps`` steps (8 at first, then doubling)."""
        if n_steps <= self._played:
            return
        horizon = min(max(n_steps, _FIRST_CHUNK, 2 * self._played), self.settings["n_steps"])
        rng = np.random.default_rng(self._game_seed)
        self._result = simulate(self.society, self.config(), n_steps=horizon, rng=rng,
                                record="all", measures=_MEASURES)
        self._played = horizon

    @property
    def n_steps(self):
        return self.settings["n_steps"]

    def go_to(self, step):
        """Show step ``step`` (0 .. n_steps - 1), playing the game that far if needed."""
        step = check_integer("step", step, minimum=0, maximum=self.n_steps - 1)
        self._play(step + 1)
        self.step_index = step
        return step

    def step(self, n=1):
        """Advance ``n`` steps (stopping at the last); returns the step on show."""
        n = check_integer("n", n, minimum=1)
        return self.go_to(min(self.step_index + n, self.n_steps - 1))

    @property
    def at_end(self):
        return self.step_index == self.n_steps - 1

    # -- what is shown --------------------------------------------------------------------
    def history(self):
        """The run's history up to the step on show, wide (one row per step, from the
        starting state, step 0, to the step on show, step ``step_index + 1``)."""
        history = self._result.wide()
        return history[history["step"] <= self.step_index + 1].reset_index(drop=True)

    def frame(self):
        """Everything the panel shows at the current step.

        Returns
        -------
        dict
            ``step``; ``scores`` (citizen, group, displayed score, tie count at this step);
            ``gaps`` (per played step, ``step`` 1 to ``step_index + 1``: majority minus
            minority mean displayed score and credit access); ``cuts`` (per played step:
            ties cut and added, and ``ties_cut_<kind>`` where the game records them).
        """
        panel = self._result.panel
        scores = panel[panel["step"] == self.step_index][["citizen", "group", "displayed",
                                                          "degree"]].reset_index(drop=True)
        history = self.history()
        history = history[history["step"] > 0].reset_index(drop=True)  # the played steps
        gaps = pd.DataFrame({
            "step": history["step"],
            "score_gap": history["mean_displayed_majority"] - history["mean_displayed_minority"],
            "credit_access_gap": history["access_credit_majority"]
            - history["access_credit_minority"],
        })
        cuts = history[["step", "ties_cut", "ties_added"]].assign(**{
            f"ties_cut_{kind}": history[f"cuts_strategic_{kind}"] + history[f"cuts_social_{kind}"]
            for kind in TIE_KINDS})
        return {"step": self.step_index, "scores": scores, "gaps": gaps, "cuts": cuts}

    def summary(self):
        """One line of stable text: the settings and the state at the current step."""
        s = self.settings
        frame = self.frame()
        gap = frame["gaps"]["score_gap"].iloc[-1]
        cut = int(frame["cuts"]["ties_cut"].sum())
        return (f"citizen game, {s['n_citizens']:,} citizens "
                f"({1 - s['minority_share']:.0%} majority), seed {s['seed']}: "
                f"step {self.step_index + 1} of {self.n_steps}, "
                f"majority - minority score gap {gap:+.1f} points, {cut:,} ties cut so far")

    def figure(self, fig=None):
        """Draw the current step on ``fig`` (default a new Figure, without pyplot).

        Four panels: the displayed-score distribution of each group; the majority -
        minority gap of mean displayed score over the steps; ties cut and added per step;
        the network sample coloured by score.
        """
        return _Canvas(self, fig).update().figure

    def png(self, fig=None, dpi=72):
        """The current step's figure as PNG bytes (what the panel displays)."""
        return _Canvas(self, fig).update().png(dpi)


# -- drawing ---------------------------------------------------------------------------
_COLOURS = {"majority": "#0173b2", "minority": "#de8f05"}
_BINS = np.linspace(*_SCALE, 31)


class _Canvas:
    """The explorer's figure, laid out once per run and updated in place for each frame.

    Playing redraws only what a step changes (bar heights, line data, point colours and
    sizes): rebuilding the axes every frame would cost more than the game's step.
    """

    def __init__(self, explorer, fig=None):
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure

        self.explorer = explorer
        self.layout = (explorer._drawing, explorer.n_steps)
        self.figure = Figure(figsize=_FIGSIZE) if fig is None else fig
        self.figure.clear()
        n_steps = explorer.n_steps
        # a fixed layout: constrained layout would cost more than the drawing itself
        ax = self.figure.subplot_mosaic(
            [["scores", "network"], ["gaps", "network"], ["cuts", "network"]],
            width_ratios=[1.1, 1],
            gridspec_kw=dict(left=0.07, right=0.97, bottom=0.07, top=0.91, hspace=0.55,
                             wspace=0.1))
        self.ax = ax
        zeros = np.zeros(len(_BINS) - 1)
        self.hist = {g: ax["scores"].stairs(zeros, _BINS, fill=True, alpha=0.55,
                                            color=_COLOURS[g], label=g) for g in GROUPS}
        ax["scores"].set(xlim=_SCALE, xlabel="displayed score", ylabel="density",
                         title="score distribution by group")
        self.legend = ax["scores"].legend(fontsize="small", loc="upper left")
        steps = np.arange(1, n_steps + 1)
        (self.gap_line,) = ax["gaps"].plot([], [], color="0.2", marker=".")
        ax["gaps"].axhline(0, color="0.6", lw=0.8)
        ax["gaps"].set(xlim=(0.5, n_steps + 0.5), xlabel="step", ylabel="points",
                       title="majority - minority mean displayed score")
        # cuts by tie kind where the game records them, else all kinds together
        kinds = [c for c in explorer.frame()["cuts"].columns if c.startswith("ties_cut_")]
        self.cut_columns = kinds or ["ties_cut"]
        edges = np.concatenate([steps - 0.5, [n_steps + 0.5]])
        self.cut_bars = [ax["cuts"].stairs(np.zeros(n_steps), edges, fill=True,
                                           label=c[len("ties_cut_"):] if kinds else "cut")
                         for c in self.cut_columns]
        (self.added_line,) = ax["cuts"].plot([], [], color="0.2", marker=".", label="added")
        title = "ties cut by kind and added" if kinds else "ties cut and added (all kinds)"
        ax["cuts"].set(xlim=(0.5, n_steps + 0.5), xlabel="step", ylabel="ties", title=title)
        ax["cuts"].legend(fontsize="small", loc="upper right")
        drawing = explorer._drawing
        network = ax["network"]
        if len(drawing.segments):
            network.add_collection(LineCollection(drawing.segments, colors="0.75",
                                                  linewidths=0.5))
        self.points = []
        for minority, marker in ((False, "o"), (True, "s")):
            mask = drawing.minority == minority
            self.points.append((mask, network.scatter(
                drawing.xy[mask, 0], drawing.xy[mask, 1], c=np.full(mask.sum(), _SCALE[0]),
                marker=marker, cmap="RdYlBu", vmin=_SCALE[0], vmax=_SCALE[1],
                edgecolors="0.3", linewidths=0.3)))
        self.figure.colorbar(self.points[0][1], ax=network, shrink=0.6, label="displayed score")
        network.set_title(f"{len(drawing.citizens)} citizens "
                          f"(squares: minority; size: ties now)")
        network.set_axis_off()
        network.autoscale_view()
        self.title = self.figure.suptitle("")

    def update(self):
        """Show the explorer's current step; returns ``self``."""
        explorer = self.explorer
        frame = explorer.frame()
        scores, gaps, cuts = frame["scores"], frame["gaps"], frame["cuts"]
        top = 0.0
        for group, text in zip(GROUPS, self.legend.get_texts()):
            values = scores.loc[scores["group"] == group, "displayed"].dropna().to_numpy()
            density = np.histogram(values, bins=_BINS, density=True)[0] if len(values) else \
                np.zeros(len(_BINS) - 1)
            self.hist[group].set_data(density)
            text.set_text(f"{group} (mean {values.mean():.0f})" if len(values) else group)
            top = max(top, density.max())
        self.ax["scores"].set_ylim(0, 1.1 * top or 1)
        steps = gaps["step"].to_numpy()
        self.gap_line.set_data(steps, gaps["score_gap"].to_numpy())
        _fit_ylim(self.ax["gaps"], np.append(gaps["score_gap"].to_numpy(), 0.0))
        bottom = np.zeros(explorer.n_steps)
        for column, bars in zip(self.cut_columns, self.cut_bars):  # stacked by kind
            heights = np.zeros(explorer.n_steps)
            heights[: len(cuts)] = cuts[column].to_numpy()
            bars.set_data(bottom + heights, baseline=bottom)
            bottom = bottom + heights
        self.added_line.set_data(steps, cuts["ties_added"].to_numpy())
        _fit_ylim(self.ax["cuts"], np.append(bottom, cuts["ties_added"].to_numpy()), floor=0)
        shown = scores.set_index("citizen").loc[explorer._drawing.citizens]
        size = 6 + 4 * np.sqrt(shown["degree"].to_numpy())
        colour = shown["displayed"].to_numpy()
        for mask, points in self.points:
            points.set_array(colour[mask])
            points.set_sizes(size[mask])
        self.title.set_text(f"step {explorer.step_index + 1} of {explorer.n_steps}")
        return self

    def png(self, dpi=72):
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()


def _fit_ylim(ax, values, floor=None):
    values = values[np.isfinite(values)]
    low, high = (values.min(), values.max()) if len(values) else (0.0, 1.0)
    pad = 0.1 * (high - low) or 1.0
    ax.set_ylim(low - pad if floor is None else floor, high + pad)


class _Drawing:
    """A snowball sample of the society laid out once; drawn coloured by score."""

    def __init__(self, society, n_drawn, seed):
        import networkx as nx

        n = society.n_citizens
        ties = society.ties
        source, target = ties["source"].to_numpy(), ties["target"].to_numpy()
        rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])
        groups = society.citizens["group"].to_numpy()
        starts = np.concatenate([rng.choice(np.flatnonzero(groups == g), size=2)
                                 for g in GROUPS if (groups == g).sum() >= 2])
        self.citizens = _snowball(n, source, target, starts, min(n_drawn, n), rng)
        inside = np.zeros(n, dtype=bool)
        inside[self.citizens] = True
        keep = inside[source] & inside[target]
        graph = nx.Graph()
        graph.add_nodes_from(self.citizens.tolist())
        graph.add_edges_from(zip(source[keep].tolist(), target[keep].tolist()))
        layout = nx.spring_layout(graph, seed=int(rng.integers(2**31)), iterations=40)
        self.xy = np.array([layout[c] for c in self.citizens.tolist()])
        where = {c: i for i, c in enumerate(self.citizens.tolist())}
        self.segments = np.array([[self.xy[where[a]], self.xy[where[b]]]
                                  for a, b in zip(source[keep].tolist(), target[keep].tolist())])
        self.minority = groups[self.citizens] == GROUPS[1]


def _snowball(n, source, target, starts, size, rng):
    """``size`` citizens reached breadth-first from ``starts`` (random others if cut off)."""
    neighbours = pd.Series(np.concatenate([target, source])).groupby(
        np.concatenate([source, target])).agg(list)
    taken = list(dict.fromkeys(starts.tolist()))
    seen = set(taken)
    frontier = list(taken)
    while len(taken) < size:
        if not frontier:  # the reachable part is exhausted: start from someone new
            rest = np.setdiff1d(np.arange(n), np.fromiter(seen, dtype=np.int64))
            frontier = [int(rng.choice(rest))]
            seen.add(frontier[0])
            taken.append(frontier[0])
            continue
        following = []
        for citizen in frontier:
            for other in neighbours.get(citizen, []):
                if other not in seen and len(taken) < size:
                    seen.add(other)
                    taken.append(other)
                    following.append(other)
        frontier = following
    return np.array(sorted(taken[:size]), dtype=np.int64)


# -- the panel ---------------------------------------------------------------------------
def explore(*, config=None, n_drawn=300, mean_degree=MEAN_DEGREE, interval=600, **settings):
    """Open the citizen game in an interactive panel (JupyterLab, ipywidgets).

    Sliders set the game's main parameters (association weight, ostracism and the score
    gap at which unfriending bites, censorship, the gate thresholds and stakes,
    homophily, the minority's share, society size up to 5000, steps and seed); moving
    one restarts the game. The play button steps the game live (pause stops it, the
    reset button returns to step 0); the figure shows the current step.

    Parameters
    ----------
    config : GameConfig, optional
        Game parameters the controls do not set.
    n_drawn : int, default 300
        Citizens in the network drawing.
    mean_degree : float, default 10.0 (:data:`scorelab.defaults.MEAN_DEGREE`)
        Expected ties per citizen of the generated society.
    interval : int, default 600
        Milliseconds between steps while playing.
    **settings
        Initial values of the controls (see :class:`Explorer`).

    Returns
    -------
    ExplorerPanel
        An ipywidgets ``VBox``; its ``explorer`` attribute is the :class:`Explorer` it
        drives, ``controls`` maps each setting to its slider, ``play`` is the
        ``ipywidgets.Play`` whose value is the step on show.

    Raises
    ------
    ImportError
        If ipywidgets is not installed (``pip install "scorelab[notebooks]"``).
    TypeError, ValueError
        Bad settings, as for :class:`Explorer`.

    Examples
    --------
    >>> panel = explore(n_citizens=300, n_steps=5, seed=1)
    >>> panel.play.value = 3  # what the play button does, a step at a time
    >>> panel.explorer.step_index
    3
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError as error:  # pragma: no cover - ipywidgets is a notebooks extra
        raise ImportError('scorelab.explore needs ipywidgets: pip install '
                          '"scorelab[notebooks]"') from error
    interval = check_integer("interval", interval, minimum=10)
    explorer = Explorer(config=config, n_drawn=n_drawn, mean_degree=mean_degree, **settings)
    return _panel_class()(explorer, interval=interval)


@functools.cache
def _panel_class():
    """The panel's widget class, defined on first use (ipywidgets is an optional extra)."""
    import ipywidgets as widgets

    class ExplorerPanel(widgets.VBox):
        """The explorer's widgets around an :class:`Explorer` (see :func:`explore`)."""

        def __init__(self, explorer, *, interval):
            self.explorer = explorer
            self._canvas = None
            style = {"description_width": "9em"}
            layout = widgets.Layout(width="21em")
            self.controls = {}
            for name, control in CONTROLS.items():
                kind = widgets.IntSlider if control.integer else widgets.FloatSlider
                if name == "seed":
                    slider = widgets.BoundedIntText(value=explorer.settings[name],
                                                    min=control.minimum, max=control.maximum,
                                                    description=control.description,
                                                    style=style, layout=layout)
                else:
                    slider = kind(value=explorer.settings[name], min=control.minimum,
                                  max=control.maximum, step=control.step,
                                  description=control.description, continuous_update=False,
                                  style=style, layout=layout)
                slider.observe(self._on_control, names="value")
                self.controls[name] = slider
            self.play = widgets.Play(value=0, min=0, max=explorer.n_steps - 1, step=1,
                                     interval=interval, description="play", repeat=False)
            self.play.observe(self._on_play, names="value")
            self.reset_button = widgets.Button(description="reset", icon="undo")
            self.reset_button.on_click(lambda _: self.reset())
            self.status = widgets.Label()
            self.message = widgets.HTML()
            self.image = widgets.Image(format="png")
            names = list(self.controls)
            column = (len(names) + 1) // 2
            sliders = widgets.HBox([widgets.VBox([self.controls[n] for n in names[:column]]),
                                    widgets.VBox([self.controls[n] for n in names[column:]])])
            super().__init__([sliders, widgets.HBox([self.play, self.reset_button]),
                              self.status, self.message, self.image])
            self._redraw()

        def _on_control(self, change):
            name = next(n for n, w in self.controls.items() if w is change["owner"])
            try:
                self.explorer.set(**{name: change["new"]})
            except (TypeError, ValueError) as error:
                self.message.value = f"<b>{name}</b>: {error}"
                with self.hold_trait_notifications():
                    change["owner"].unobserve(self._on_control, names="value")
                    change["owner"].value = change["old"]
                    change["owner"].observe(self._on_control, names="value")
                return
            self.message.value = ""
            self.play.max = self.explorer.n_steps - 1
            self._rewind()

        def _on_play(self, change):
            self.explorer.go_to(min(change["new"], self.explorer.n_steps - 1))
            self._redraw()

        def _rewind(self):
            if self.play.value == 0:
                self._redraw()
            else:
                self.play.value = 0  # redraws through _on_play

        def reset(self):
            """Back to step 0 (the play widget too)."""
            self.play.playing = False
            self.explorer.reset()
            self._rewind()

        def _redraw(self):
            layout = (self.explorer._drawing, self.explorer.n_steps)
            if self._canvas is None or self._canvas.layout != layout:
                self._canvas = _Canvas(self.explorer)  # a new society or length: lay out again
            self.status.value = self.explorer.summary()
            self.image.value = self._canvas.update().png()

        def __repr__(self):
            return f"scorelab explorer: {self.explorer.summary()}"

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            bundle["text/plain"] = repr(self)
            return bundle

    return ExplorerPanel
