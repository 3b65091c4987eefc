"""Norms and stakes in the citizen game (notebook 08).

Two questions of the essay, asked of the derived mechanisms of :class:`scorelab.GameConfig`
(issue 9):

- *What is accepted as normal?* With ``internalisation > 0`` private approval drifts
  towards what one's ties are seen to approve and towards the authority's standard.
  :func:`norm_trajectories` follows private approval, expressed approval, pluralistic
  ignorance (privately approving of disapproved acts while seeing most of one's ties
  conform) and a minority's customary acts step by step, in a scored society and in its
  counterfactuals (nothing scored; scored but fixed private norms).
- *What would you do to get a good score?* :func:`stakes_dose_response` gates more and more
  (nothing, shop rewards, credit, travel, utilities, food) and measures compliance, hiding
  and strategic tie-cutting (overall and by tie kind), each beside the counterfactual world
  in which the stakes cannot reach that choice: no association (so dropping a tie changes
  no score), the constant compliance incentive and the fixed hiding rule.

Every function returns tidy frames with one row per run (or per run and step) and leaves
the intervals to :func:`scorelab.experiments.confidence_intervals`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_probability, check_real
from scorelab.defaults import MEAN_DEGREE, MINORITY_SHARE
from scorelab.dynamics import ALL_GATES, DEFAULT_STAKES, GameConfig, simulate
from scorelab.experiments import confidence_intervals, sweep
from scorelab.findings import findings_frame
from scorelab.society import TIE_KINDS, GroupProfile
from scorelab.studies.common import GROUPS, finding_maker, paired_world_intervals, two_group_society

__all__ = ["COUNTERFACTUAL", "NORM_SCENARIOS", "NOTEBOOK", "RESTS_ON", "STAKE_LEVELS",
           "dose_intervals", "findings", "norm_game", "norm_trajectories",
           "norms_key_numbers", "stakes_dose_response", "stakes_game",
           "trajectory_intervals"]

NOTEBOOK = "08-norms-and-stakes"

#: What each finding rests on, read from notebook 09's sensitivity table through the output
#: that measures the same quantity (compliance is expressed approval). The colleague-minus-
#: family excess reads the stakes model's, which pairs the derived world with its
#: counterfactual as the finding does: the game model's cuts by kind include the baseline
#: churn, which differs between kinds (colleague ties are worth least).
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

RESTS_ON = {
    "norms.private-approval-drift": rests_on_entry("game.private_approval_drift"),
    "norms.pluralistic-ignorance": rests_on_entry("game.pluralistic_ignorance"),
    "norms.compliance-gain": rests_on_entry("game.expressed_approval"),
    "norms.hiding-at-food": rests_on_entry("game.hidden_share"),
    "norms.cuts-at-food": rests_on_entry("game.strategic_cuts"),
    **{f"norms.cuts-{kind}-top-stakes": rests_on_entry(f"game.strategic_cuts_{kind}")
       for kind in TIE_KINDS},
    "norms.colleague-minus-family-cuts": rests_on_entry("stakes.colleague_minus_family"),
}

NORM_SCENARIOS = ("scored, norms drift", "scored, fixed norms", "not scored, norms drift")
"""The worlds of :func:`norm_trajectories`: the scored society with drifting private
norms, its counterfactual with fixed norms (``internalisation = 0``), and the same drift
without scoring (nobody ever joins: no incentive, no hiding, no authority)."""

STAKE_LEVELS = tuple(ALL_GATES[:k] for k in range(len(ALL_GATES) + 1))
"""What is gated at each dose: nothing, then shop rewards, credit, travel, utilities and
food added one by one (in the order of their stakes)."""

COUNTERFACTUAL = {"association": False, "incentive_rule": "constant",
                  "censorship_rule": "fixed"}
"""The world in which the stakes cannot reach the choices: dropping a tie changes no score
(no association, so the strategic motive is exactly 0), the compliance incentive is the
constant of the original rule and hiding follows the original fixed rule."""

_NORM_COLUMNS = ("private_approval", "expressed_approval", "pluralistic_ignorance",
                 "hidden_share")


#: Homophily of notebook 08's society: a scenario choice, kept from the runs behind its
#: full-scale results; it differs from :data:`scorelab.defaults.HOMOPHILY`.
NORMS_HOMOPHILY = 0.6


def _society(n_citizens, minority_disposition, rng):
    return two_group_society(
        n_citizens, minority_share=MINORITY_SHARE, homophily=NORMS_HOMOPHILY,
        mean_degree=MEAN_DEGREE,
        minority=GroupProfile(disposition_mean=minority_disposition), rng=rng)


def _check(n_citizens, n_steps, internalisation, customary_share):
    check_integer("n_citizens", n_citizens, minimum=20)
    check_integer("n_steps", n_steps, minimum=2)
    check_probability("internalisation", internalisation)
    check_probability("customary_share", customary_share)


def norm_game(scenario, *, n_citizens=1000, n_steps=20, internalisation=0.2,
              customary_share=0.3, minority_disposition=0.45, config=None, rng=None):
    """One run of a norm scenario: the history of private and expressed approval.

    Parameters
    ----------
    scenario : str
        One of :data:`NORM_SCENARIOS`.
    n_citizens : int, default 1000
        Citizens of the two-group society (20 % minority, homophily 0.6, mean degree 10).
    n_steps : int, default 20
        Steps of the citizen game.
    internalisation : float in [0, 1], default 0.2
        Rate of norm drift in the drifting scenarios.
    customary_share : float in [0, 1], default 0.3
        Share of the minority's approved social acts that are customary acts the authority
        records as disapproved (``GameConfig.mislabelled``).
    minority_disposition : float, default 0.45
        The minority's mean disposition (the majority's is 0.6).
    config : GameConfig, optional
        Base configuration (default ``GameConfig(censorship_rule="choice",
        gates=ALL_GATES, incentive_rule="stakes")``); the scenario sets
        ``internalisation``, ``mislabelled`` and, when not scored, ``mandatory_step`` and
        ``join_rate``.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.

    Returns
    -------
    pandas.DataFrame
        One row per step and group: ``step`` (0, the start, to ``n_steps``, as the game's
        history), ``group`` and :data:`_NORM_COLUMNS` plus ``customary_approval`` (NaN
        for the majority, which has no customary acts). At step 0 nobody has acted yet:
        the measures of acts (expressed approval, pluralistic ignorance, hidden share)
        are NaN and private approval is the starting disposition.

    Examples
    --------
    >>> frame = norm_game("scored, norms drift", n_citizens=200, n_steps=3, rng=1)
    >>> sorted(frame["group"].unique()), len(frame)
    (['majority', 'minority'], 8)
    """
    if scenario not in NORM_SCENARIOS:
        raise ValueError(f"scenario must be one of {NORM_SCENARIOS}, got {scenario!r}")
    _check(n_citizens, n_steps, internalisation, customary_share)
    check_real("minority_disposition", minority_disposition, minimum=0.0, maximum=1.0)
    base = config if config is not None else GameConfig(
        censorship_rule="choice", gates=ALL_GATES, incentive_rule="stakes")
    if not isinstance(base, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(base).__name__}")
    rate = 0.0 if scenario == "scored, fixed norms" else internalisation
    changes = {"internalisation": rate,
               "mislabelled": {GROUPS[1]: {"social": customary_share}}}
    if scenario == "not scored, norms drift":
        changes.update(mandatory_step=n_steps + 1, join_rate=0.0)
    config = dataclasses.replace(base, **changes)
    society_rng, game_rng = np.random.default_rng(rng).spawn(2)
    society = _society(n_citizens, minority_disposition, society_rng)
    measures = _measures(_NORM_COLUMNS + ("customary_approval",))
    history = simulate(society, config, n_steps=n_steps, rng=game_rng,
                       measures=measures).wide()
    return _by_group(history, _NORM_COLUMNS + ("customary_approval",))


def _measures(names):
    from scorelab.metrics import MECHANISM_MEASURES

    return [m for m in MECHANISM_MEASURES if m.name in names and m.by_group]


def _first_and_last(trajectories):
    """The first played step (the end of step 1; step 0 is the start, before any act) and
    the last step of norm trajectories."""
    played = trajectories.loc[trajectories["step"] > 0, "step"]
    return played.min(), played.max()


def _by_group(history, names):
    """The per-group columns ``<name>_<group>`` of a wide history, one row per step and
    group."""
    rows = []
    for group in GROUPS:
        part = pd.DataFrame({"step": history["step"], "group": group})
        for name in names:
            column = f"{name}_{group}"
            part[name] = history[column] if column in history else np.nan
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def norm_trajectories(*, n_citizens=1000, n_steps=20, n_replicates=5, internalisation=0.2,
                      customary_share=0.3, rng=None, n_jobs=1):
    """Every norm scenario, replicated: one row per scenario, replicate, step and group.

    The replicates of all scenarios share seeds (run ``k`` of each scenario draws from the
    same child), so the scenarios' differences are paired.

    Parameters
    ----------
    n_citizens, n_steps, internalisation, customary_share
        As in :func:`norm_game`.
    n_replicates : int, default 5
        Replicates per scenario.
    rng : None, int or numpy.random.Generator
        Source of the one integer root every scenario's sweep draws from (SPEC 7).
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.

    Returns
    -------
    pandas.DataFrame
        The sweeps of :func:`norm_game` over :data:`NORM_SCENARIOS`, concatenated:
        ``scenario``, ``replicate``, then :func:`norm_game`'s columns (``step``,
        ``group``, the norm measures).
    """
    check_integer("n_replicates", n_replicates, minimum=1)
    # one integer root for every scenario: sweeping from a shared SeedSequence would
    # advance its spawn counter and give each scenario other children
    root = int(np.random.default_rng(rng).integers(2**63))
    frames = []
    for scenario in NORM_SCENARIOS:
        frame = sweep(norm_game, {"scenario": [scenario]}, n_replicates=n_replicates,
                      fixed={"n_citizens": n_citizens, "n_steps": n_steps,
                             "internalisation": internalisation,
                             "customary_share": customary_share},
                      rng=root, n_jobs=n_jobs)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def trajectory_intervals(frame, values=_NORM_COLUMNS + ("customary_approval",), level=0.95):
    """Mean and confidence interval over replicates per scenario, step and group.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`norm_trajectories`.
    values : sequence of str, default the norm measures and ``customary_approval``
        Measures to summarise; those that are NaN throughout are left out.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        :func:`scorelab.experiments.confidence_intervals`' long format: ``scenario``,
        ``step``, ``group``, ``metric``, ``mean``, ``low``, ``high``, ``n``.
    """
    present = [v for v in values if frame[v].notna().any()]
    return confidence_intervals(frame.dropna(subset=present, how="all"),
                                ["scenario", "step", "group"], present, level=level)


def stakes_game(level, world, *, stake_scale=10.0, n_citizens=1000, n_steps=12,
                strategic_rate=0.2, rationality=4.0, config=None, rng=None):
    """One run at a stakes dose, in the derived world or its counterfactual.

    Parameters
    ----------
    level : int
        Index into :data:`STAKE_LEVELS` (0: nothing gated, 5: everything up to food).
    world : {"derived", "counterfactual"}
        ``"derived"``: association on, incentive derived from the stakes, chosen hiding.
        ``"counterfactual"``: :data:`COUNTERFACTUAL` applied to the same configuration.
    stake_scale : float >= 0, default 10
        The default stakes (``dynamics.DEFAULT_STAKES``) times this: how much the gates
        are worth against the value of a tie and the cost of hiding (an assumption; the
        notebook varies it).
    n_citizens, n_steps : int, default 1000, 12
        Citizens of the two-group society and steps of the game.
    strategic_rate : float in [0, 1], default 0.2
        Chance per step that each tie end is reconsidered.
    rationality : float >= 0, default 4
        Logit precision of cutting and hiding.
    config : GameConfig, optional
        Base configuration (default ``GameConfig(ostracism=0)``: only strategic cuts).
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.

    Returns
    -------
    dict
        Averages over the second half of the run: ``expressed_approval``,
        ``private_disapproval``, ``hidden_share``, ``strategic_cuts`` (per 1,000 ties and
        step) and ``cuts_<kind>`` (strategic cuts per 1,000 ties of that kind and step),
        ``mean_wealth``, ``access_food``.

    Examples
    --------
    >>> row = stakes_game(5, "derived", n_citizens=200, n_steps=4, rng=1)
    >>> 0 <= row["hidden_share"] <= 1 and row["strategic_cuts"] >= 0
    True
    """
    check_integer("level", level, minimum=0, maximum=len(STAKE_LEVELS) - 1)
    if world not in ("derived", "counterfactual"):
        raise ValueError(f"world must be 'derived' or 'counterfactual', got {world!r}")
    _check(n_citizens, n_steps, 0.0, 0.0)
    check_probability("strategic_rate", strategic_rate)
    check_real("stake_scale", stake_scale, minimum=0.0)
    base = config if config is not None else GameConfig(ostracism=0.0)
    if not isinstance(base, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(base).__name__}")
    gates = STAKE_LEVELS[level]
    config = dataclasses.replace(
        base, gates=gates, strategic_rate=strategic_rate, rationality=rationality,
        incentive_rule="stakes", censorship_rule="choice", thresholds=None,
        stakes={g: DEFAULT_STAKES[g] * stake_scale for g in gates})
    if world == "counterfactual":
        config = dataclasses.replace(config, **COUNTERFACTUAL)
    society_rng, game_rng = np.random.default_rng(rng).spawn(2)
    society = _society(n_citizens, 0.45, society_rng)
    wide = simulate(society, config, n_steps=n_steps, rng=game_rng).wide()
    late = wide[wide["step"] > n_steps // 2]  # the later half of the steps
    row = {
        "expressed_approval": late["expressed_approval"].mean(),
        "private_disapproval": late["private_disapproval"].mean(),
        "hidden_share": late["hidden_share"].mean(),
        "strategic_cuts": 1000 * (sum(late[f"cuts_strategic_{k}"] for k in TIE_KINDS)
                                  / late["ties"]).mean(),
        "mean_wealth": late["mean_wealth"].mean(),
        "access_food": late["access_food"].mean(),
    }
    for kind in TIE_KINDS:
        row[f"cuts_{kind}"] = 1000 * (late[f"cuts_strategic_{kind}"]
                                      / late[f"ties_{kind}"].clip(lower=1)).mean()
    return {name: float(value) for name, value in row.items()}


def _both_worlds(level, stake_scale, *, rng=None, **options):
    """Both worlds of :func:`stakes_game` from one seed (the same society and draws)."""
    seed = int(np.random.default_rng(rng).integers(2**63))
    return pd.DataFrame([{"world": world, **stakes_game(level, world, stake_scale=stake_scale,
                                                         rng=seed, **options)}
                         for world in ("derived", "counterfactual")])


def stakes_dose_response(*, levels=None, stake_scales=(10.0,), n_citizens=1000, n_steps=12,
                         n_replicates=5, strategic_rate=0.2, rng=None, n_jobs=1):
    """:func:`stakes_game` over doses of what is gated and of how much, in both worlds.

    Parameters
    ----------
    levels : sequence of int, optional
        Indices into :data:`STAKE_LEVELS` (default all of them).
    stake_scales : sequence of float, default (10,)
        Multipliers of the default stakes.
    n_citizens, n_steps : int, default 1000, 12
        Citizens and steps of each game (:func:`stakes_game`).
    n_replicates : int, default 5
        Replicates per dose.
    strategic_rate : float in [0, 1], default 0.2
        Chance per step that each tie end is reconsidered.
    rng : None, int or numpy.random.SeedSequence
        Root of the sweep's random streams (SPEC 7).
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.

    Returns
    -------
    pandas.DataFrame
        The tidy frame of :func:`scorelab.experiments.sweep` (one row per level, scale,
        world and replicate) with a ``gated`` column naming the last gate added. The
        replicates of both worlds share seeds, so their differences are paired.
    """
    levels = list(range(len(STAKE_LEVELS))) if levels is None else list(levels)
    frame = sweep(_both_worlds, {"level": levels, "stake_scale": list(stake_scales)},
                  n_replicates=n_replicates,
                  fixed={"n_citizens": n_citizens, "n_steps": n_steps,
                         "strategic_rate": strategic_rate}, rng=rng, n_jobs=n_jobs)
    frame.insert(1, "gated", [STAKE_LEVELS[k][-1] if k else "nothing" for k in frame["level"]])
    return frame


def dose_intervals(frame, values, *, by=("level", "stake_scale"), level=0.95):
    """Means and intervals per dose and world, and of the paired difference derived minus
    counterfactual (``world = "difference"``).

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`stakes_dose_response` (or another sweep with ``world`` in
        ``{"derived", "counterfactual"}``, paired by replicate).
    values : sequence of str
        Measures to summarise.
    by : sequence of str, default ("level", "stake_scale")
        The swept parameters.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        :func:`scorelab.experiments.confidence_intervals`' long format: the ``by``
        columns, ``world``, ``metric``, ``mean``, ``low``, ``high``, ``n``.
    """
    return paired_world_intervals(frame, by, values,
                                  [("derived", "counterfactual", "difference")], level=level)


def norms_key_numbers(trajectories, doses):
    """The numbers the notebook's prose quotes, each a mean over replicates.

    Parameters
    ----------
    trajectories : pandas.DataFrame
        From :func:`norm_trajectories`.
    doses : pandas.DataFrame
        From :func:`stakes_dose_response` over every level of :data:`STAKE_LEVELS`.

    Returns
    -------
    dict
        ``private_shift``: change of the mean private approval from the end of the first
        step (step 1, not the start) to the last step, per scenario (both groups pooled); ``ignorance_last``: pluralistic ignorance
        at the last step, per scenario; ``customs_last``: the minority's customary
        approval at the last step, per scenario; ``compliance_gain``: expressed approval
        with everything gated minus with nothing gated, per world; ``cuts_food``: strategic
        cuts per 1,000 ties and step with everything gated, per world; ``hidden_food``:
        hidden share with everything gated, per world.
    """
    first, last = _first_and_last(trajectories)
    means = trajectories.groupby(["scenario", "step"])[list(_NORM_COLUMNS)].mean()
    minority = trajectories[trajectories["group"] == GROUPS[1]]
    customs = minority[minority["step"] == last].groupby("scenario")["customary_approval"].mean()
    top = len(STAKE_LEVELS) - 1
    by_world = doses.groupby(["level", "world"]).mean(numeric_only=True)
    return {
        "private_shift": {s: float(means.loc[(s, last), "private_approval"]
                                   - means.loc[(s, first), "private_approval"])
                          for s in NORM_SCENARIOS},
        "ignorance_last": {s: float(means.loc[(s, last), "pluralistic_ignorance"])
                           for s in NORM_SCENARIOS},
        "customs_last": {s: float(customs.get(s, np.nan)) for s in NORM_SCENARIOS},
        "compliance_gain": {w: float(by_world.loc[(top, w), "expressed_approval"]
                                     - by_world.loc[(0, w), "expressed_approval"])
                            for w in ("derived", "counterfactual")},
        "cuts_food": {w: float(by_world.loc[(top, w), "strategic_cuts"])
                      for w in ("derived", "counterfactual")},
        "hidden_food": {w: float(by_world.loc[(top, w), "hidden_share"])
                        for w in ("derived", "counterfactual")},
    }


def _per_replicate(frame, column, **where):
    """``column`` per replicate (a Series indexed by replicate) of the rows matching."""
    mask = np.ones(len(frame), dtype=bool)
    for name, value in where.items():
        mask &= (frame[name] == value).to_numpy()
    part = frame[mask]
    if part.empty:
        raise ValueError(f"no rows with {where} in the frame")
    return part.groupby("replicate")[column].mean()


def findings(trajectories, gate_doses, scale_doses, *, n_citizens, seed, scale="default"):
    """Notebook 08's findings register: each headline claim beside its counterfactual.

    Parameters
    ----------
    trajectories : pandas.DataFrame
        :func:`norm_trajectories` (>= 2 replicates).
    gate_doses : pandas.DataFrame
        :func:`stakes_dose_response` with levels 0 and ``len(STAKE_LEVELS) - 1`` (nothing
        gated, everything up to food) at one stake scale.
    scale_doses : pandas.DataFrame
        :func:`stakes_dose_response` at the top level; the kind rows are read at its
        largest stake scale.
    n_citizens, seed : int
        Citizens per run and the notebook's root seed.
    scale : {"default", "full"}

    Returns
    -------
    pandas.DataFrame
        The validated register (:func:`scorelab.findings.findings_frame`), one row per id
        of :data:`RESTS_ON`, every row a paired difference (replicate ``k`` of both arms on
        the same society and draws) with null 0:

        - ``norms.private-approval-drift``: change of mean private approval (mean of the
          two groups) from the end of the first step (step 1) to the last step, scored
          with drifting norms minus
          not scored with the same drift;
        - ``norms.pluralistic-ignorance``: pluralistic ignorance at the last step,
          drifting minus fixed norms (both scored);
        - ``norms.compliance-gain``: expressed approval with everything up to food gated
          minus with nothing gated, derived world minus counterfactual;
        - ``norms.hiding-at-food``: share of disapproved acts hidden with everything gated,
          derived minus counterfactual;
        - ``norms.cuts-at-food``: strategic cuts per 1,000 ties and step with everything
          gated, derived minus counterfactual (the baseline churn);
        - ``norms.cuts-<kind>-top-stakes``: the same per 1,000 ties of that kind at the
          largest stake scale;
        - ``norms.colleague-minus-family-cuts``: that excess for colleague ties minus for
          family ties.

    Notes
    -----
    With ``internalisation = 0`` private norms never move, in either arm, so the drift row
    is exactly 0 and unresolved (checked in ``tests/test_studies_norms.py``).

    The erosion of the minority's customs is not a row: when every practitioner is scored
    from the start, all of them see the same customary approval ``c`` among their ties, so
    the update reduces to ``c <- c (1 - internalisation * authority_pull)`` and the share
    still done after ``T`` steps is ``(1 - internalisation * authority_pull) ** T`` by
    assumption (an identity of the update, checked in the tests), with no variance to
    estimate.

    Examples
    --------
    >>> t = norm_trajectories(n_citizens=200, n_steps=3, n_replicates=2, rng=1)
    >>> g = stakes_dose_response(levels=[0, 5], n_citizens=200, n_steps=4, n_replicates=2,
    ...                          rng=2)
    >>> s = stakes_dose_response(levels=[5], stake_scales=[30.0], n_citizens=200,
    ...                          n_steps=4, n_replicates=2, rng=3)
    >>> findings(t, g, s, n_citizens=200, seed=1).id.tolist() == list(RESTS_ON)
    True
    """
    row = finding_maker(NOTEBOOK, RESTS_ON, n_citizens=n_citizens, seed=seed, scale=scale)
    first, last = _first_and_last(trajectories)
    pooled = trajectories.groupby(["scenario", "replicate", "step"],
                                  as_index=False)[list(_NORM_COLUMNS)].mean()
    drifting, fixed, unscored = NORM_SCENARIOS

    def drift(scenario):
        return (_per_replicate(pooled, "private_approval", scenario=scenario, step=last)
                - _per_replicate(pooled, "private_approval", scenario=scenario, step=first))

    top, top_scale = len(STAKE_LEVELS) - 1, scale_doses["stake_scale"].max()
    gate_scale = gate_doses["stake_scale"].iloc[0]

    def dose(frame, column, world, level=top, **where):
        return _per_replicate(frame, column, world=world, level=level, **where)

    def worlds(frame, column, **where):
        return {"values": dose(frame, column, "derived", **where),
                "counterfactual": dose(frame, column, "counterfactual", **where)}

    def at_last(frame, column, scenario, counterfactual):
        return {"values": _per_replicate(frame, column, scenario=scenario, step=last),
                "counterfactual": _per_replicate(frame, column, scenario=counterfactual,
                                                 step=last)}

    def gain(world):
        return (dose(gate_doses, "expressed_approval", world)
                - dose(gate_doses, "expressed_approval", world, level=0))

    def excess(kind):
        pair = worlds(scale_doses, f"cuts_{kind}", stake_scale=top_scale)
        return pair["values"] - pair["counterfactual"]

    gated = f"with everything gated (stakes x{gate_scale:g}), derived world minus"
    rows = [
        row("norms.private-approval-drift", drift(drifting),
            "Change of mean private approval over the run, scored with drifting norms minus "
            "not scored with the same drift.", counterfactual=drift(unscored)),
        row("norms.pluralistic-ignorance",
            statement="Share in pluralistic ignorance at the last step, scored with drifting "
                      "minus with fixed private norms.",
            **at_last(pooled, "pluralistic_ignorance", drifting, fixed)),
        row("norms.compliance-gain", gain("derived"),
            f"Expressed approval with everything up to food gated minus with nothing gated "
            f"(stakes x{gate_scale:g}), derived world minus counterfactual.",
            counterfactual=gain("counterfactual")),
        row("norms.hiding-at-food",
            statement=f"Share of disapproved acts hidden {gated} counterfactual.",
            **worlds(gate_doses, "hidden_share")),
        row("norms.cuts-at-food",
            statement=f"Ties cut per 1,000 ties and step {gated} the counterfactual's "
                      f"baseline churn.",
            **worlds(gate_doses, "strategic_cuts")),
    ]
    for kind in TIE_KINDS:
        rows.append(row(
            f"norms.cuts-{kind}-top-stakes",
            statement=f"{kind.capitalize()} ties cut per 1,000 {kind} ties and step with "
                      f"everything gated at stakes x{top_scale:g}, derived world minus the "
                      f"baseline churn.",
            **worlds(scale_doses, f"cuts_{kind}", stake_scale=top_scale)))
    rows.append(row(
        "norms.colleague-minus-family-cuts", excess("colleague"),
        f"Excess of cuts over the baseline churn per 1,000 ties and step at stakes "
        f"x{top_scale:g}, colleague ties minus family ties.",
        counterfactual=excess("family")))
    return findings_frame(rows)
