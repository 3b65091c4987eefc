"""Rollout: opt-in adopters, the standard they set, and those dragged in later (notebook 03).

Before ``mandatory_step`` the citizen game (:func:`scorelab.dynamics.simulate`) is opt-in:
each step a citizen joins with probability ``join_rate * disposition ** selectivity``, so
eager conformists join first, and the relative standard is set by whoever has joined. At
``mandatory_step`` everyone is scored. The scenario here runs that rollout and, on the
same society and the same random stream, the counterfactual system that is mandatory from
the start (``mandatory_step = 0``), and follows these cohorts through both:

- **early** joiners, who joined by choice before the switch;
- **late** joiners, dragged in at the switch;
- **everyone**; and the **reference**, whoever is scored at that step (the citizens whose
  approval rates set the relative standard).

Notebooks hold no model logic: the functions here build a society, run the game and return
tidy numbers that a notebook sweeps, replicates and plots.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from scorelab.defaults import HOMOPHILY, MINORITY_WEALTH
from scorelab._validation import check_integer, check_probability, check_real, check_rng
from scorelab.dynamics import GATES, GameConfig, simulate
from scorelab.findings import findings_frame
from scorelab.society import GroupProfile
from scorelab.studies.common import finding_maker, two_group_society

__all__ = ["COHORTS", "NOTEBOOK", "RESTS_ON", "SCENARIOS", "cohort_shares", "findings",
           "inertia_contrasts", "rollout_key_numbers", "rollout_run", "rollout_summary"]

NOTEBOOK = "03-rollout"

#: What each finding rests on, read from notebook 09's sensitivity table through the output
#: of its ``rollout`` model that measures the same quantity (:func:`rollout_summary`'s
#: measure at the box's ``standard_inertia``, so that a finding read at the re-measured
#: standard shows how much the inertia moves it; the sticky-vs-re-measured contrasts are
#: paired by seed there as here). Every finding is covered.
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

RESTS_ON = {
    "rollout.self-selection": rests_on_entry("rollout.self_selection"),
    "rollout.early-joiner-penalty": rests_on_entry("rollout.early_own_effect"),
    "rollout.late-entry-deficit": rests_on_entry("rollout.late_own_effect_switch"),
    "rollout.late-entry-deficit-sticky": rests_on_entry("rollout.late_own_effect_switch"),
    "rollout.sticky-vs-remeasured-deficit": rests_on_entry("rollout.inertia_deficit"),
    "rollout.sticky-vs-remeasured-credit": rests_on_entry("rollout.inertia_credit_effect"),
    "rollout.sticky-deficit-after": rests_on_entry("rollout.late_own_effect_after"),
    "rollout.sticky-standard-at-switch": rests_on_entry("rollout.standard_effect_switch"),
}

COHORTS = ("early", "late", "everyone", "reference")
"""Cohorts followed by :func:`rollout_run`, in the order of its frame."""

SCENARIOS = ("rollout", "mandatory", "difference")
"""The opt-in rollout, its counterfactual mandatory from the start, and rollout minus it."""

_METRICS = ("participation", "disposition", "own", "displayed", "expressed_approval",
            *(f"access_{gate}" for gate in GATES), "wealth", "degree")
_STANDARD = ("standard_mean", "standard_spread")


def rollout_run(
    n_citizens=1500,
    *,
    mandatory_step=10,
    selectivity=3.0,
    join_rate=0.1,
    n_steps=25,
    standard_inertia=0.0,
    homophily=HOMOPHILY,
    minority_wealth=MINORITY_WEALTH,
    config=None,
    rng=None,
):
    """Cohort means, step by step, of an opt-in rollout and of a mandatory-from-start system.

    Builds a two-group society (a poorer minority of 20 %, with the same dispositions as
    the majority; :func:`scorelab.society.homophilous_sbm`) and runs the citizen game on it
    twice with the same random stream: as a rollout that becomes mandatory at
    ``mandatory_step``, and as the counterfactual that is mandatory from the start. Citizens
    are put into cohorts by when they joined the rollout; the same citizens are followed in
    the counterfactual.

    Parameters
    ----------
    n_citizens : int, default 1500
        Citizens (>= 2).
    mandatory_step : int, default 10
        Step at which participation becomes mandatory, in ``0..n_steps-1``; 0 means no
        opt-in phase (the rollout *is* the counterfactual).
    selectivity : float, default 3
        Exponent on disposition in the chance of joining (0: joining ignores disposition).
    join_rate : float in [0, 1], default 0.1
        Chance per step that a citizen of disposition 1 joins during the opt-in phase.
    n_steps : int, default 25
        Steps to run (>= 1).
    standard_inertia : float in [0, 1), default 0
        How slowly the relative standard follows its reference
        (:class:`~scorelab.dynamics.GameConfig`): 0 re-measures it every step, so from the
        switch it is set by everyone; near 1 the standard the early joiners set keeps
        applying after the switch. Both scenarios score with the same rule, so the
        counterfactual is the sticky (or re-measured) standard mandatory from the start.
    homophily : float in [0, 1], default 0.7
        Homophily of the ties.
    minority_wealth : float, default 0.6
        Median wealth of the minority (the majority's is 1).
    config : GameConfig, optional
        Every other parameter of the game (default ``GameConfig()``); its
        ``mandatory_step``, ``selectivity``, ``join_rate`` and ``standard_inertia`` are
        replaced by the arguments.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7); the society and the game draw from two spawned
        streams, and both scenarios replay the same game stream.

    Returns
    -------
    pandas.DataFrame
        One row per ``scenario``, ``cohort`` (:data:`COHORTS`), ``group`` ("all",
        "majority", "minority") and ``step``. The scenarios (:data:`SCENARIOS`) are
        ``"rollout"``, ``"mandatory"`` (mandatory from the start) and ``"difference"``
        (rollout minus mandatory for the same citizens at the same step: the paired
        effect of the rollout; ``n`` is the cohort size). Columns:

        - ``n``: citizens in the cohort (and group) at that step;
        - ``participation``: share of them being scored;
        - ``disposition``: their mean disposition;
        - ``own``, ``displayed``: mean own and displayed score of those being scored
          (NaN while none is);
        - ``expressed_approval``: mean approval rate of their acts as the public sees them
          (a disapproved act hidden by self-censorship does not count against it);
        - ``access_credit``, ``access_travel``, ``access_utilities``: share with access to
          each gate (citizens not yet scored are not gated);
        - ``wealth``, ``degree``: mean wealth and weighted degree;
        - ``standard_mean``, ``standard_spread``: the relative standard every scored
          citizen was measured against at that step (mean and spread of the reference's
          smoothed approval rates, after inertia; the same in every row of a scenario and
          step; NaN before anyone is scored and for an absolute standard).

        An empty cohort has ``n = 0`` and NaN means: with ``mandatory_step = 0`` there are
        no early and no late joiners.

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or out of range, naming it; ``mandatory_step`` not
        below ``n_steps`` (the switch would never be observed).

    See Also
    --------
    rollout_summary : the contrasts a sweep over the rollout needs, as one row.
    scorelab.dynamics.simulate : the citizen game.

    Notes
    -----
    The *standard* the engine scores against is the mean (and spread) of the reference's
    smoothed approval rates (the history's measure ``standard_mean`` of
    :func:`~scorelab.dynamics.simulate`), reported here as ``standard_mean`` and
    ``standard_spread``. The ``reference`` cohort's ``expressed_approval`` and
    ``disposition`` show how demanding and how conforming the citizens who set it are;
    early joiners' own score in the rollout against the counterfactual measures what being
    measured against them costs.

    Three choices of the engine shape what the rollout can do: with ``standard_inertia =
    0`` the standard is re-measured every step, so from the switch it is set by everyone
    and the opt-in standard ends there (with inertia ``s`` its distance to the
    population's decays as ``s ** k`` over ``k`` steps); acts enter the record before a citizen joins (without the score incentive and
    without self-censorship), so late joiners are scored at once on that past; and
    citizens not yet scored are not gated.

    Checked against: with ``mandatory_step = 0`` both scenarios are the same run; with
    ``selectivity = 0`` early and late joiners do not differ in disposition beyond chance;
    ``standard_mean`` is the engine's history column, and with inertia it follows the
    recursion ``m_t = s m_{t-1} + (1 - s) mean(reference rates)`` recomputed from the
    recorded panel (``tests/test_studies_rollout.py``).

    References
    ----------
    .. [1] R. Creemers, "China's Social Credit System: An Evolving Practice of Control",
       SSRN, 2018. https://doi.org/10.2139/ssrn.3175792

    Examples
    --------
    >>> frame = rollout_run(300, mandatory_step=3, n_steps=5, rng=1)
    >>> frame["scenario"].unique().tolist()
    ['rollout', 'mandatory', 'difference']
    >>> late = frame.query("scenario == 'rollout' and cohort == 'late' and group == 'all'")
    >>> late["participation"].tolist()
    [0.0, 0.0, 0.0, 1.0, 1.0]
    """
    return _rollout(n_citizens, mandatory_step=mandatory_step, selectivity=selectivity,
                    join_rate=join_rate, n_steps=n_steps, standard_inertia=standard_inertia,
                    homophily=homophily, minority_wealth=minority_wealth, config=config,
                    rng=rng, record="all")


def _rollout(n_citizens, *, mandatory_step, selectivity, join_rate, n_steps,
             standard_inertia, homophily, minority_wealth, config, rng, record):
    """:func:`rollout_run`, keeping only the steps in ``record`` (or "all")."""
    n_citizens = check_integer("n_citizens", n_citizens, minimum=2)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    mandatory_step = check_integer("mandatory_step", mandatory_step, minimum=0)
    if mandatory_step >= n_steps:
        raise ValueError(
            f"mandatory_step must be < n_steps so that the switch is observed, got "
            f"mandatory_step = {mandatory_step}, n_steps = {n_steps}"
        )
    selectivity = check_real("selectivity", selectivity, minimum=0.0)
    join_rate = check_probability("join_rate", join_rate)
    standard_inertia = check_real("standard_inertia", standard_inertia, minimum=0.0,
                                  maximum=1.0, open_max=True)
    homophily = check_probability("homophily", homophily)
    minority_wealth = check_real("minority_wealth", minority_wealth, minimum=0.0, open_min=True)
    config = GameConfig() if config is None else config
    if not isinstance(config, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(config).__name__}")
    steps = np.arange(n_steps) if record == "all" else np.unique(record)

    society_seed, game_seed = np.random.default_rng(check_rng(rng)).bit_generator.seed_seq.spawn(2)
    society = two_group_society(
        n_citizens, homophily=homophily, minority=GroupProfile(wealth_median=minority_wealth),
        rng=society_seed,
    )
    config = dataclasses.replace(config, standard_inertia=standard_inertia)
    configs = {
        "rollout": dataclasses.replace(config, mandatory_step=mandatory_step,
                                       selectivity=selectivity, join_rate=join_rate),
        "mandatory": dataclasses.replace(config, mandatory_step=0),
    }
    # the cohorts are read from the last opt-in step, so it is always recorded
    kept = np.union1d(steps, [mandatory_step - 1]) if mandatory_step else steps
    results = {name: simulate(society, cfg, n_steps=n_steps, rng=game_seed,
                              record=kept.tolist())
               for name, cfg in configs.items()}
    panels = {name: result.panel for name, result in results.items()}
    cohort = _cohorts(panels["rollout"], n_citizens, mandatory_step)
    citizens = society.citizens
    frames = []
    for name in configs:
        frame = _cohort_means(panels[name][panels[name]["step"].isin(steps)], cohort,
                              citizens["group"], citizens["disposition"].to_numpy(),
                              configs[name].thresholds, steps)
        # the standard is one number per step: the same for every cohort and group; the
        # panel's step k is the end of the (k + 1)-th step, the history's step k + 1
        history = results[name].wide().set_index("step")
        standard = history.loc[frame["step"] + 1, list(_STANDARD)]
        frames.append(frame.assign(scenario=name, **{c: standard[c].to_numpy()
                                                     for c in _STANDARD}))
    # same citizens, same step, same random stream: the paired difference of the scenarios
    difference = frames[0].copy()
    compared = [*_METRICS, *_STANDARD]
    difference[compared] -= frames[1][compared]
    frame = pd.concat([*frames, difference.assign(scenario="difference")], ignore_index=True)
    return frame[["scenario", "cohort", "group", "step", "n", *_METRICS, *_STANDARD]]


def _cohorts(panel, n_citizens, mandatory_step):
    """'early' or 'late' per citizen: scored or not on the last opt-in step.

    Joining is for good, so those scored on step ``mandatory_step - 1`` are all who joined
    by choice. Without an opt-in phase (``mandatory_step = 0``) nobody is either: "".
    """
    if mandatory_step == 0:
        return np.full(n_citizens, "")
    last = panel[panel["step"] == mandatory_step - 1]
    cohort = np.full(n_citizens, "late", dtype=object)
    cohort[last.loc[last["participant"], "citizen"].to_numpy()] = "early"
    return cohort.astype(str)


def _cohort_means(panel, cohort, groups, disposition, thresholds, steps):
    """Mean of every metric per cohort, group ("all", then each group) and recorded step.

    One ``np.bincount`` per cohort and metric over the keys ``slot * n_steps + position``
    (``position`` of the step in the sorted ``steps``), slot 0 being the whole cohort and
    slot ``1 + k`` its members of group ``k``; means skip NaN (scores of citizens not yet
    scored).
    """
    citizen = panel["citizen"].to_numpy()
    n_steps = len(steps)
    step = np.searchsorted(steps, panel["step"].to_numpy())
    participant = panel["participant"].to_numpy(dtype=bool)
    displayed = panel["displayed"].to_numpy(dtype=float)
    reached = np.nan_to_num(displayed, nan=-np.inf)
    values = {
        "participation": participant.astype(float),
        "disposition": disposition[citizen],
        "own": panel["own"].to_numpy(dtype=float),
        "displayed": displayed,
        "expressed_approval": panel["expressed_approval"].to_numpy(dtype=float),
        **{f"access_{gate}": (~participant | (reached >= thresholds[gate])).astype(float)
           for gate in GATES},
        "wealth": panel["wealth"].to_numpy(dtype=float),
        "degree": panel["degree"].to_numpy(dtype=float),
    }
    slot_names = ["all", *groups.cat.categories.astype(str)]
    size = len(slot_names) * n_steps
    by_group = (1 + groups.cat.codes.to_numpy()[citizen]) * n_steps + step
    members = {
        "early": cohort[citizen] == "early",
        "late": cohort[citizen] == "late",
        "everyone": np.ones(len(citizen), dtype=bool),
        "reference": participant,
    }
    pieces = []
    for name in COHORTS:
        mask = members[name]
        keys = np.concatenate([step[mask], by_group[mask]])
        piece = {"cohort": name, "group": np.repeat(slot_names, n_steps),
                 "step": np.tile(steps, len(slot_names)),
                 "n": np.bincount(keys, minlength=size)}
        for metric in _METRICS:
            value = np.concatenate([values[metric][mask]] * 2)
            seen = ~np.isnan(value)
            total = np.bincount(keys, weights=np.where(seen, value, 0.0), minlength=size)
            count = np.bincount(keys, weights=seen, minlength=size)
            piece[metric] = np.divide(total, count, out=np.full(size, np.nan), where=count > 0)
        pieces.append(pd.DataFrame(piece))
    return pd.concat(pieces, ignore_index=True)


def rollout_summary(
    n_citizens=1500,
    *,
    mandatory_step=10,
    selectivity=3.0,
    after=5,
    standard_inertia=0.0,
    join_rate=0.1,
    homophily=HOMOPHILY,
    minority_wealth=MINORITY_WEALTH,
    config=None,
    rng=None,
):
    """One row of rollout contrasts: who joins, the bar they set, what it does to others.

    Runs :func:`rollout_run` for ``mandatory_step + after + 1`` steps (keeping only the
    steps it reports on) and returns, with *effect* meaning "in the rollout minus for the
    same citizens in the system mandatory from the start, at the same step":

    - ``late_share``: share of citizens dragged in at the switch;
    - ``disposition_early``, ``disposition_late``: mean disposition of each cohort, and
      ``disposition_gap``, early minus late (self-selection);
    - ``reference_approval_lift``: the reference's expressed approval rate minus that of
      the whole population in the counterfactual, on the last opt-in step (how much more
      approved the behaviour of those who set the standard is);
    - ``early_own_effect``: early joiners' own score effect on the last opt-in step (what
      being measured against fellow conformists costs them);
    - ``late_own_effect_switch``, ``late_own_effect_after``: late joiners' own score effect
      at the switch and ``after`` steps later; likewise ``late_displayed_effect_*``,
      ``late_credit_effect_*`` (credit access) and ``late_approval_effect_*`` (expressed
      approval, i.e. compliance as the public sees it);
    - ``late_approval_effect_before``: that compliance effect on the last opt-in step;
    - ``late_wealth_effect_switch``: late joiners' wealth effect at the switch;
    - ``late_early_own_gap_switch``: early minus late joiners' own score at the switch;
    - ``standard_effect_last``, ``standard_effect_switch``, ``standard_effect_after``: the
      standard's mean (approval rate) in the rollout minus in the counterfactual, on the
      last opt-in step, at the switch and ``after`` steps later (how much higher the bar
      the early joiners set is, and how long it lasts).

    Parameters
    ----------
    n_citizens : int, default 1500
        Citizens of the two-group society.
    mandatory_step : int, default 10
        Length of the opt-in phase (>= 1: without it there are no late joiners).
    selectivity : float, default 3
        How strongly the eager (high-disposition) citizens join first
        (``GameConfig.selectivity``).
    after : int, default 5
        Steps after the switch at which the ``*_after`` effects are measured (>= 0).
    standard_inertia, join_rate, homophily, minority_wealth, config, rng
        As in :func:`rollout_run`.

    Returns
    -------
    dict of str to float
        The measures listed above (scores in points, shares and approval rates
        unitless, wealth in its own units).

    Raises
    ------
    TypeError, ValueError
        As :func:`rollout_run`; ``mandatory_step < 1`` or ``after < 0``.

    Examples
    --------
    >>> row = rollout_summary(300, mandatory_step=3, after=1, rng=1)
    >>> row["disposition_early"] > row["disposition_late"]
    True
    """
    mandatory_step = check_integer("mandatory_step", mandatory_step, minimum=1)
    after = check_integer("after", after, minimum=0)
    last, switch, later = mandatory_step - 1, mandatory_step, mandatory_step + after
    frame = _rollout(n_citizens, mandatory_step=mandatory_step, selectivity=selectivity,
                     join_rate=join_rate, n_steps=later + 1,
                     standard_inertia=standard_inertia, homophily=homophily,
                     minority_wealth=minority_wealth, config=config, rng=rng,
                     record=[last, switch, later])
    frame = frame[frame["group"] == "all"].set_index(["scenario", "cohort", "step"])

    def effect(cohort, metric, step):
        return frame.loc[("difference", cohort, step), metric]

    rollout = frame.loc["rollout"]
    row = {
        "late_share": rollout.loc[("late", switch), "n"] / n_citizens,
        "disposition_early": rollout.loc[("early", switch), "disposition"],
        "disposition_late": rollout.loc[("late", switch), "disposition"],
        "disposition_gap": (rollout.loc[("early", switch), "disposition"]
                            - rollout.loc[("late", switch), "disposition"]),
        "reference_approval_lift": (rollout.loc[("reference", last), "expressed_approval"]
                                    - frame.loc[("mandatory", "everyone", last),
                                                "expressed_approval"]),
        "early_own_effect": effect("early", "own", last),
        "late_approval_effect_before": effect("late", "expressed_approval", last),
        "late_wealth_effect_switch": effect("late", "wealth", switch),
        "late_early_own_gap_switch": (rollout.loc[("early", switch), "own"]
                                      - rollout.loc[("late", switch), "own"]),
    }
    for moment, step in (("last", last), ("switch", switch), ("after", later)):
        row[f"standard_effect_{moment}"] = effect("everyone", "standard_mean", step)
    for metric, name in (("own", "own"), ("displayed", "displayed"),
                         ("access_credit", "credit"), ("expressed_approval", "approval")):
        row[f"late_{name}_effect_switch"] = effect("late", metric, switch)
        row[f"late_{name}_effect_after"] = effect("late", metric, later)
    return {key: float(value) for key, value in row.items()}


def rollout_key_numbers(runs, summary, *, n_citizens, mandatory_step, after, sticky_inertia):
    """The numbers notebook 03 cites, from replicated runs under two standards.

    Parameters
    ----------
    runs : pandas.DataFrame
        Replicates of :func:`rollout_run` (e.g. a :func:`scorelab.sweep`) with a
        ``standard_inertia`` column holding 0 (the re-measured standard) and
        ``sticky_inertia``.
    summary : pandas.DataFrame
        ``confidence_intervals(runs, ["standard_inertia", "scenario", "cohort", "group",
        "step"], metrics)`` (:func:`scorelab.experiments.confidence_intervals`).
    n_citizens : int
        Citizens per run.
    mandatory_step, after : int
        The switch, and how many steps after it the lasting effects are read.
    sticky_inertia : float
        The inertia of the sticky standard in ``runs``.

    Returns
    -------
    pandas.DataFrame
        Indexed by the number's description, columns ``mean``, ``low`` and ``high`` (the
        95 % interval across replicates; NaN for the share joining by choice, a mean of
        replicate counts). "Effect" numbers are rollout minus the same citizens in the
        system mandatory from the start; all are for both groups together, from the
        re-measured standard unless named "sticky standard".
    """
    switch, last = mandatory_step, mandatory_step - 1
    both = summary[summary.group == "all"]
    remeasured, sticky = (both[both.standard_inertia == inertia] for inertia in
                          (0.0, sticky_inertia))
    index = ["cohort", "metric", "step"]
    effect = remeasured[remeasured.scenario == "difference"].set_index(index)
    level = remeasured[remeasured.scenario == "rollout"].set_index(index)
    sticky = sticky[sticky.scenario == "difference"].set_index(index)
    early = runs[(runs.standard_inertia == 0) & (runs.scenario == "rollout")
                 & (runs.step == switch) & (runs.cohort == "early") & (runs.group == "all")]
    lag = f"{after} steps after the switch"
    cited = [
        ("disposition, early joiners", level, ("early", "disposition", switch)),
        ("disposition, late joiners", level, ("late", "disposition", switch)),
        ("early joiners' own score, last opt-in step", effect, ("early", "own", last)),
        ("early joiners' credit access, last opt-in step", effect,
         ("early", "access_credit", last)),
        ("late joiners' own score at the switch", effect, ("late", "own", switch)),
        (f"late joiners' own score {lag}", effect, ("late", "own", switch + after)),
        ("late joiners' expressed approval, last opt-in step", effect,
         ("late", "expressed_approval", last)),
        ("late joiners' expressed approval at the switch", effect,
         ("late", "expressed_approval", switch)),
        ("late joiners' wealth at the switch", effect, ("late", "wealth", switch)),
        ("sticky standard: standard mean at the switch", sticky,
         ("everyone", "standard_mean", switch)),
        ("re-measured standard: standard mean at the switch", effect,
         ("everyone", "standard_mean", switch)),
        ("sticky standard: late joiners' own score at the switch", sticky,
         ("late", "own", switch)),
        ("sticky standard: late joiners' displayed score at the switch", sticky,
         ("late", "displayed", switch)),
        (f"sticky standard: late joiners' own score {lag}", sticky,
         ("late", "own", switch + after)),
        ("sticky standard: late joiners' credit access at the switch", sticky,
         ("late", "access_credit", switch)),
        ("re-measured standard: late joiners' credit access at the switch", effect,
         ("late", "access_credit", switch)),
        (f"sticky standard: late joiners' credit access {lag}", sticky,
         ("late", "access_credit", switch + after)),
    ]
    rows = {"share joining by choice": (early.n.mean() / n_citizens, np.nan, np.nan)}
    for name, frame, key in cited:
        suffix = "" if name.startswith("disposition") else ", rollout - mandatory"
        rows[name + suffix] = tuple(frame.loc[key, ["mean", "low", "high"]])
    return pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "low", "high"])


def cohort_shares(runs, *, mandatory_step):
    """Who joined by choice: each group's early and late joiners at the switch.

    Parameters
    ----------
    runs : pandas.DataFrame
        Replicates of :func:`rollout_run` (e.g. a :func:`scorelab.sweep`).
    mandatory_step : int
        The switch of those runs.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``group``, ``cohort``) for the early and late joiners, with the
        replicates' mean ``n`` (citizens) and ``disposition``, and ``share of group``
        (``n`` over the group's early and late joiners together).
    """
    at_switch = runs[(runs.scenario == "rollout") & (runs.step == mandatory_step)
                     & runs.cohort.isin(["early", "late"])]
    cohorts = at_switch.groupby(["group", "cohort"])[["n", "disposition"]].mean()
    cohorts["share of group"] = cohorts["n"] / cohorts.groupby(level="group")["n"].transform("sum")
    return cohorts


def _paired(runs, inertia):
    """The :func:`rollout_summary` rows at one inertia, indexed by replicate."""
    chosen = runs[np.isclose(runs["standard_inertia"], inertia)]
    if chosen.empty:
        raise ValueError(f"runs hold no standard_inertia = {inertia}")
    return chosen.set_index("replicate").sort_index()


def inertia_contrasts(runs, metrics=("late_own_effect_switch", "late_own_effect_after",
                                     "late_credit_effect_switch", "standard_effect_switch")):
    """Each inertia against the re-measured standard (inertia 0), paired by replicate.

    Parameters
    ----------
    runs : pandas.DataFrame
        :func:`rollout_summary` rows with ``standard_inertia`` (including 0) and
        ``replicate`` columns, replicate ``r`` of every inertia run on the same seed (one
        :func:`scorelab.experiments.sweep` per inertia with the same integer ``rng``).
    metrics : sequence of str
        Columns of :func:`rollout_summary` to contrast.

    Returns
    -------
    pandas.DataFrame
        ``standard_inertia``, ``replicate`` and, per metric, the value at that inertia
        minus the value at inertia 0 for the same replicate (0 at inertia 0).

    Examples
    --------
    >>> runs = pd.DataFrame({"standard_inertia": [0.0, 0.0, 0.9, 0.9], "replicate": [0, 1, 0, 1],
    ...                      "late_own_effect_switch": [-10.0, -12.0, -100.0, -130.0]})
    >>> inertia_contrasts(runs, ["late_own_effect_switch"]).late_own_effect_switch.tolist()
    [0.0, 0.0, -90.0, -118.0]
    """
    base = _paired(runs, 0.0)[list(metrics)]
    parts = []
    for inertia in sorted(runs["standard_inertia"].unique()):
        chosen = _paired(runs, inertia)[list(metrics)]
        if not chosen.index.equals(base.index):
            raise ValueError(f"runs at standard_inertia = {inertia} do not hold the same "
                             f"replicates as at 0")
        parts.append((chosen - base).assign(standard_inertia=inertia).reset_index())
    return pd.concat(parts, ignore_index=True)[["standard_inertia", "replicate", *metrics]]


def findings(runs, *, sticky_inertia, n_citizens, seed, scale="default"):
    """Notebook 03's findings register from paired :func:`rollout_summary` replicates.

    Parameters
    ----------
    runs : pandas.DataFrame
        As for :func:`inertia_contrasts`: replicates of :func:`rollout_summary` at
        ``standard_inertia`` 0 (re-measured) and ``sticky_inertia``, on the same seeds.
    sticky_inertia : float
        The sticky standard's inertia.
    n_citizens, seed : int
        Citizens per replicate and the integer seed of the sweeps.
    scale : {"default", "full"}

    Returns
    -------
    pandas.DataFrame
        The validated register, one row per id of :data:`RESTS_ON`. Every "effect" is
        rollout minus the same citizens in the system mandatory from the start, a paired
        difference within each run; the sticky-vs-re-measured rows pair the two standards
        by replicate.

    Examples
    --------
    >>> from scorelab.experiments import sweep
    >>> runs = pd.concat([sweep(rollout_summary, {"standard_inertia": [s]}, n_replicates=3,
    ...                         rng=1, fixed=dict(n_citizens=300, mandatory_step=4, after=2))
    ...                   for s in (0.0, 0.9)], ignore_index=True)
    >>> register = findings(runs, sticky_inertia=0.9, n_citizens=300, seed=1)
    >>> register.id.tolist() == list(RESTS_ON)
    True
    """
    remeasured, sticky = _paired(runs, 0.0), _paired(runs, sticky_inertia)
    if not sticky.index.equals(remeasured.index):
        raise ValueError("runs must hold the same replicates at both inertias")
    row = finding_maker(NOTEBOOK, RESTS_ON, n_citizens=n_citizens, seed=seed, scale=scale)
    named = f"sticky standard, inertia {sticky_inertia}"
    return findings_frame([
        row("rollout.self-selection", remeasured["disposition_early"],
            "Mean disposition of early (opt-in) minus late joiners.",
            counterfactual=remeasured["disposition_late"]),
        row("rollout.early-joiner-penalty", remeasured["early_own_effect"],
            "Early joiners' own score on the last opt-in step, rollout minus the same "
            "citizens mandatory from the start (points, re-measured standard)."),
        row("rollout.late-entry-deficit", remeasured["late_own_effect_switch"],
            "Late joiners' own score at the switch, rollout minus mandatory from the start "
            "(points, re-measured standard)."),
        row("rollout.late-entry-deficit-sticky", sticky["late_own_effect_switch"],
            f"The same with the {named} (points)."),
        row("rollout.sticky-vs-remeasured-deficit", sticky["late_own_effect_switch"],
            f"Late joiners' entry deficit at the switch, {named} minus re-measured "
            f"(points, paired by seed).", counterfactual=remeasured["late_own_effect_switch"]),
        row("rollout.sticky-vs-remeasured-credit", sticky["late_credit_effect_switch"],
            f"Late joiners' credit-access effect at the switch, {named} minus re-measured "
            f"(share, paired by seed).",
            counterfactual=remeasured["late_credit_effect_switch"]),
        row("rollout.sticky-deficit-after", sticky["late_own_effect_after"],
            f"Late joiners' own score some steps after the switch, rollout minus mandatory "
            f"(points, {named})."),
        row("rollout.sticky-standard-at-switch", sticky["standard_effect_switch"],
            f"The standard's mean approval rate at the switch, rollout minus mandatory "
            f"({named})."),
    ])
