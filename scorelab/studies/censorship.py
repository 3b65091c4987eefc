"""Self-censorship in the citizen game: the private-expressed gap (notebook 04).

In the citizen game (:func:`scorelab.simulate`) each disapproved act is hidden from the
public with probability

    h_i = censorship * responsiveness_i * visibility * (1 + public) / 2,

where ``public`` is 1 when scores are public and 0 when only the authority sees them;
hidden acts reach the authority only if detected. :func:`censorship_run` builds a
two-group society, plays the game and reports how much disapproved behaviour citizens
still show (expressed) against how much they do (private): Kuran's preference
falsification [K95]_ as a number, overall and per group, and whether expression has
*vanished* - fallen below ``vanish_share`` (1 %) of private disapproval.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_probability, check_real, check_rng
from scorelab.defaults import HOMOPHILY, MEAN_DEGREE, MINORITY_SHARE
from scorelab.dynamics import ALL_GATES, DEFAULT_STAKES, GameConfig, simulate
from scorelab.experiments import sweep
from scorelab.findings import finding, findings_frame
from scorelab.society import GroupProfile
from scorelab.studies.common import GROUPS, paired_world_intervals, two_group_society

__all__ = ["GROUPS", "CHOICE_FINDINGS", "DISTANCE_BINS", "DOSE_FINDINGS", "FINDINGS",
           "HIDING_WORLDS", "N_QUANTILES", "POSITION_FINDINGS", "POSITION_WORLDS", "RESTS_ON",
           "censorship_key_numbers", "censorship_run", "choice_findings", "chosen_hiding_run",
           "chosen_hiding_sweep", "findings", "hidden_share_fit", "hiding_by_position_run",
           "hiding_by_position_sweep", "hiding_effects", "hiding_intervals",
           "position_findings", "position_intervals"]

NOTEBOOK = "04-self-censorship"

#: The findings of notebook 04: id -> (measure of :func:`hiding_effects`, statement). Each
#: is a paired difference, hiding minus no hiding, on the same society and seed.
FINDINGS = {
    "censorship.minority-score-change": (
        "own_score_minority",
        "Hiding changes the dissenting minority's mean own score (points)."),
    "censorship.majority-score-change": (
        "own_score_majority",
        "Hiding changes the majority's mean own score (points)."),
    "censorship.score-gap-change": (
        "own_gap",
        "Hiding changes the gap of mean own scores, majority minus minority (points)."),
    "censorship.credit-gap-change": (
        "credit_gap",
        "Hiding changes the gap in credit access, majority minus minority (share)."),
    "censorship.score-tracks-disposition": (
        "score_disposition_correlation",
        "Hiding changes the correlation of own score and disposition."),
}

# What each finding rests on, read from notebook 09's sensitivity table through the output
# that measures the same quantity: notebook 09's ``censorship`` model runs
# :func:`hiding_effects` and gives each measure's paired change, fixed-rule hiding minus none.
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

_FIXED_RULE_OUTPUTS = {"own_score_minority": "minority_score_change",
                       "own_score_majority": "majority_score_change",
                       "own_gap": "score_gap_change", "credit_gap": "credit_gap_change",
                       "score_disposition_correlation": "disposition_correlation_change"}
RESTS_ON = {
    finding_id: "; ".join(rests_on_entry(f"censorship.{_FIXED_RULE_OUTPUTS[measure]}"))
    for finding_id, (measure, _) in FINDINGS.items()
}


def censorship_run(
    n_citizens=1000,
    *,
    censorship=0.5,
    visibility=1.0,
    detection=0.3,
    public_scores=True,
    responsiveness=0.5,
    minority_share=MINORITY_SHARE,
    minority_disposition=0.45,
    homophily=HOMOPHILY,
    n_steps=10,
    vanish_share=0.01,
    config=None,
    rng=None,
):
    """Play the citizen game once and measure private against expressed disapproval.

    Builds a two-group homophilous society (:func:`scorelab.society.homophilous_sbm`,
    mean degree 10): a majority of default disposition (mean 0.6) and a *dissenting*
    minority of lower disposition (mean ``minority_disposition``), so that the minority
    does more disapproved acts in private; both groups share the same mean
    ``responsiveness``. Then it runs :func:`scorelab.simulate` with ``config`` and the
    self-censorship settings given here, and averages each number over the second half
    of the run (steps ``n_steps // 2`` to ``n_steps - 1``).

    Parameters
    ----------
    n_citizens : int, default 1000
        Citizens (>= 10; each group must get at least one).
    censorship : float in [0, 1], default 0.5
        Propensity to hide disapproved acts (``GameConfig.censorship``).
    visibility : float in [0, 1], default 1.0
        How visible acts are to the public and the authority (``GameConfig.visibility``).
    detection : float in [0, 1], default 0.3
        Chance the authority detects a hidden act (``GameConfig.detection``).
    public_scores : bool, default True
        Scores are public (``GameConfig.public_scores``); if False, citizens hide only
        from the authority, with half the propensity.
    responsiveness : float in [0, 1], default 0.5
        Mean responsiveness of both groups (Beta, concentration 8; 1 gives everyone 1).
    minority_share : float in (0, 1), default 0.2
        Share of the minority.
    minority_disposition : float in [0, 1], default 0.45
        Mean disposition of the minority (the majority's is 0.6).
    homophily : float in [0, 1], default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Homophily of the ties.
    n_steps : int, default 10
        Steps of the game (>= 1).
    vanish_share : float in (0, 1), default 0.01
        Expression has *vanished* when expressed disapproval is below this share of
        private disapproval.
    config : GameConfig, optional
        The rest of the game (default ``GameConfig()``); its ``censorship``,
        ``visibility``, ``detection`` and ``public_scores`` are replaced by the
        arguments above.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7); the society and the game draw from two streams
        spawned from it.

    Returns
    -------
    dict of str to float
        - ``private_disapproval``: share of all acts that are disapproved;
        - ``expressed_disapproval``: share of all acts that are disapproved and shown;
        - ``expression_gap``: their difference (:func:`scorelab.metrics.expression_gap`);
        - ``hidden_share``: gap over private disapproval, the share of disapproved
          behaviour that is hidden (the relative gap; NaN if there is none);
          ``expressed_share`` = 1 - that;
        - ``vanished``: 1.0 if ``expressed_share < vanish_share``, else 0.0 (so that its
          mean over replicates is the share of runs in which expression vanished);
        - the first four and ``expressed_share`` again per group, suffixed ``_majority``
          and ``_minority``, and
          ``own_score_<group>``, the group's mean own score, and ``credit_access_<group>``,
          the group's share above the credit threshold;
        - ``responsive_premium``: mean own score of the citizens above the median
          responsiveness (who hide more) minus that of the others; NaN if responsiveness
          does not vary;
        - ``score_disposition_correlation``: Pearson correlation of own score and
          disposition, how well the authority's score still tracks who behaves well.

        What the authority sees (``detection``) moves the last three, not the gap.

    Raises
    ------
    TypeError
        ``config`` is not a GameConfig, ``public_scores`` not a bool, a number of the
        wrong type.
    ValueError
        A parameter out of its range (the message names it), or a group left empty.

    See Also
    --------
    scorelab.simulate : the citizen game.
    scorelab.metrics.expression_gap : the gap from per-citizen rates.

    Notes
    -----
    Every citizen does the same number of acts per step, so the population's relative
    gap (total hidden over total private) equals ``expression_gap / private_disapproval``.
    Per group, the private rate is recovered exactly as the group's expressed rate (from
    the recorded per-citizen ``expressed_approval``) plus the group's gap from the
    history. Each disapproved act is hidden independently with probability ``h_i``, so
    the expected hidden share is the disapproval-weighted mean of ``h_i``; with
    ``responsiveness=1`` it is ``censorship * visibility * (1 + public) / 2`` exactly,
    which the tests check. Expression can therefore vanish only where that product
    reaches 1 - nothing in the game makes one citizen's silence depend on others'
    (contrast the cascades of [K95]_ and [CWM05]_, and the authority-driven total
    self-censorship of [DAF25]_).

    References
    ----------
    .. [K95] T. Kuran (1995), *Private Truths, Public Lies: The Social Consequences of
       Preference Falsification*, Harvard University Press.
    .. [CWM05] D. Centola, R. Willer and M. Macy (2005), "The Emperor's Dilemma: a
       computational model of self-enforcing norms", American Journal of Sociology
       110(4):1009-1040. https://doi.org/10.1086/427321
    .. [DAF25] J. J. Daymude, R. Axelrod and S. Forrest (2025), "Strategic analysis of
       dissent and self-censorship", Proceedings of the National Academy of Sciences;
       arXiv:2509.03731. https://arxiv.org/abs/2509.03731

    Examples
    --------
    >>> row = censorship_run(200, censorship=0.0, n_steps=2, rng=1)
    >>> row["expression_gap"], row["hidden_share"], row["vanished"]
    (0.0, 0.0, 0.0)
    >>> row = censorship_run(200, censorship=1.0, responsiveness=1.0, n_steps=2, rng=1)
    >>> row["expressed_disapproval"], row["vanished"]
    (0.0, 1.0)
    """
    n_citizens = check_integer("n_citizens", n_citizens, minimum=10)
    minority_share = check_real("minority_share", minority_share, minimum=0.0, maximum=1.0,
                                open_min=True, open_max=True)
    responsiveness = check_probability("responsiveness", responsiveness)
    minority_disposition = check_probability("minority_disposition", minority_disposition)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    vanish_share = check_real("vanish_share", vanish_share, minimum=0.0, maximum=1.0,
                              open_min=True, open_max=True)
    config = GameConfig() if config is None else config
    if not isinstance(config, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(config).__name__}")
    # GameConfig validates the four settings and names any that is out of range
    config = dataclasses.replace(config, censorship=censorship, visibility=visibility,
                                 detection=detection, public_scores=public_scores)

    society_rng, game_rng = np.random.default_rng(check_rng(rng)).spawn(2)
    society = two_group_society(
        n_citizens, minority_share=minority_share, homophily=homophily,
        mean_degree=min(10.0, n_citizens - 1.0),
        majority=GroupProfile(responsiveness_mean=responsiveness),
        minority=GroupProfile(responsiveness_mean=responsiveness,
                              disposition_mean=minority_disposition),
        rng=society_rng,
    )
    sizes = society.groups.value_counts()
    if (sizes == 0).any():
        raise ValueError(
            f"n_citizens * minority_share must leave at least one citizen in each group, "
            f"got n_citizens = {n_citizens}, minority_share = {minority_share}"
        )
    window = range(n_steps // 2, n_steps)
    result = simulate(society, config, n_steps=n_steps, rng=game_rng, record=window)
    # the steps of the panel's window: history steps n_steps // 2 + 1 .. n_steps
    history = _late_means(result, n_steps)
    # per citizen, averaged over the window: each citizen has one panel row per step
    panel = result.panel.groupby("citizen")[["expressed_approval", "own"]].mean()
    citizens = society.citizens

    row = _disapproval(history["private_disapproval"], history["expressed_disapproval"],
                       vanish_share)
    for group in GROUPS:
        member = citizens["group"] == group
        expressed = 1.0 - panel.loc[member, "expressed_approval"].mean()
        part = _disapproval(expressed + history[f"expression_gap_{group}"], expressed,
                            vanish_share)
        row.update({f"{key}_{group}": part[key] for key in
                    ("private_disapproval", "expressed_disapproval", "expression_gap",
                     "hidden_share", "expressed_share")})
        row[f"own_score_{group}"] = panel.loc[member, "own"].mean()
        row[f"credit_access_{group}"] = history[f"access_credit_{group}"]
    responsive = citizens["responsiveness"] > citizens["responsiveness"].median()
    row["responsive_premium"] = (
        panel.loc[responsive, "own"].mean() - panel.loc[~responsive, "own"].mean()
        if responsive.any() and not responsive.all() else np.nan
    )
    # pandas leaves out citizens not yet scored (a rollout in ``config``)
    row["score_disposition_correlation"] = panel["own"].corr(citizens["disposition"])
    return {key: float(value) + 0.0 for key, value in row.items()}


def _disapproval(private, expressed, vanish_share):
    """Private and expressed rates, their gap, the hidden share and whether it vanished."""
    # rates are means of act counts: clip the rounding of expressed + gap - expressed
    gap = max(private - expressed, 0.0)
    hidden = gap / private if private > 0 else np.nan  # nothing disapproved, nothing to hide
    return {
        "private_disapproval": private,
        "expressed_disapproval": expressed,
        "expression_gap": gap,
        "hidden_share": hidden,
        "expressed_share": 1.0 - hidden,
        "vanished": float(private > 0 and expressed < vanish_share * private),
    }


def hidden_share_fit(runs):
    """The hidden share as ``slope x censorship x visibility``, fitted through the origin.

    Parameters
    ----------
    runs : pandas.DataFrame
        Runs of :func:`censorship_run` with columns ``censorship``, ``visibility`` and
        ``hidden_share`` (e.g. a :func:`scorelab.sweep` over both).

    Returns
    -------
    dict
        ``slope`` (least squares through the origin, ``sum(x h) / sum(x^2)`` with
        ``x = censorship x visibility``), ``largest_deviation`` (largest absolute residual
        of a run) and ``vanished`` (runs in which expression vanished, when ``runs`` has a
        ``vanished`` column).

    Notes
    -----
    A citizen hides a disapproved act with probability ``censorship x visibility x
    responsiveness``, so the slope estimates the mean responsiveness of those who act
    disapprovingly; ``tests/test_studies_censorship.py`` checks the fit on exact lines.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"censorship": [0.0, 0.5, 1.0], "visibility": [1.0, 1.0, 1.0],
    ...                      "hidden_share": [0.0, 0.25, 0.5]})
    >>> hidden_share_fit(runs)
    {'slope': 0.5, 'largest_deviation': 0.0}
    """
    product = runs["censorship"] * runs["visibility"]
    slope = float((product * runs["hidden_share"]).sum() / (product**2).sum())
    fit = {"slope": slope,
           "largest_deviation": float((runs["hidden_share"] - slope * product).abs().max())}
    if "vanished" in runs:
        fit["vanished"] = int(runs["vanished"].sum())
    return fit


def censorship_key_numbers(grid, private, detection, responsiveness):
    """The numbers notebook 04 cites, from its four sweeps of :func:`censorship_run`.

    Parameters
    ----------
    grid : pandas.DataFrame
        Runs over ``visibility`` and ``censorship`` with public scores.
    private : pandas.DataFrame
        Runs over ``censorship`` at visibility 1 with private scores.
    detection : pandas.DataFrame
        Runs over ``detection`` at censorship and visibility 1.
    responsiveness : pandas.DataFrame
        Runs over ``responsiveness`` at censorship and visibility 1.

    Returns
    -------
    dict
        Description -> value (means over replicates): the largest expression gap without
        hiding; the hidden share at ``c = v = 1`` with public and with private scores; the
        slope of :func:`hidden_share_fit`; each group's expression gap at ``c = v = 1``;
        the responsive premium (own-score points) without hiding and at the lowest and
        highest detection; the expressed share at the highest responsiveness below 1 and
        at 1; private disapproval at responsiveness 1.
    """
    zero = grid[(grid.censorship == 0) | (grid.visibility == 0)]
    corner = grid[(grid.censorship == 1) & (grid.visibility == 1)]
    baseline = grid[(grid.visibility == 1.0) & (grid.censorship == 0.0)]
    private_corner = private[private.censorship == 1]
    by_detection = detection.groupby("detection").mean(numeric_only=True)
    by_responsiveness = responsiveness.groupby("responsiveness").mean(numeric_only=True)
    low, high = by_detection.index.min(), by_detection.index.max()
    below = by_responsiveness.index[by_responsiveness.index < 1].max()
    return {
        "largest gap without hiding (c = 0 or v = 0)": zero.expression_gap.abs().max(),
        "hidden share, c = v = 1, public scores": corner.hidden_share.mean(),
        "hidden share, c = v = 1, private scores": private_corner.hidden_share.mean(),
        "slope of hidden share on c x v": hidden_share_fit(grid)["slope"],
        "gap, c = v = 1, majority": corner.expression_gap_majority.mean(),
        "gap, c = v = 1, minority": corner.expression_gap_minority.mean(),
        "responsive premium, no hiding (points)": baseline.responsive_premium.mean(),
        f"responsive premium, detection {low} (points)":
            by_detection.responsive_premium.loc[low],
        f"responsive premium, detection {high} (points)":
            by_detection.responsive_premium.loc[high],
        f"expressed share, responsiveness {below}": by_responsiveness.expressed_share.loc[below],
        "expressed share, responsiveness 1": by_responsiveness.expressed_share.loc[1.0],
        "private disapproval, responsiveness 1":
            by_responsiveness.private_disapproval.loc[1.0],
    }


def hiding_effects(n_citizens=1000, *, censorship=1.0, visibility=1.0, rng=None, **options):
    """What hiding does to the groups' scores and credit, against no hiding, paired.

    Plays :func:`censorship_run` twice on the same society and seed: with the given
    ``censorship`` and ``visibility`` and with ``censorship = 0`` (the no-censorship
    counterfactual). The streams agree until the first hidden act, so the comparison
    is paired by seed.

    Parameters
    ----------
    n_citizens : int, default 1000
        Citizens of the two-group society.
    censorship, visibility : float in [0, 1], default 1.0
        The hiding pressure of the treated run.
    rng : None, int, numpy.random.Generator or SeedSequence
        One stream, replayed for both runs (SPEC 7).
    **options
        Passed to both runs of :func:`censorship_run` (``detection``, ``public_scores``,
        ``responsiveness``, ``minority_disposition``, ``n_steps``, ...).

    Returns
    -------
    dict of str to float
        For each measure ``m`` of ``own_score_minority``, ``own_score_majority``,
        ``own_gap`` (majority minus minority), ``credit_gap`` (credit access, majority
        minus minority) and ``score_disposition_correlation``: ``m`` (with hiding) and
        ``m_counterfactual`` (without).

    Examples
    --------
    >>> row = hiding_effects(200, censorship=0.0, n_steps=2, rng=1)
    >>> row["own_gap"] == row["own_gap_counterfactual"]
    True
    """
    seed = np.random.default_rng(check_rng(rng)).bit_generator.seed_seq.spawn(1)[0]
    row = {}
    for suffix, level in (("", censorship), ("_counterfactual", 0.0)):
        # a fresh copy of the same seed each time: spawning from a SeedSequence counts
        stream = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
        run = censorship_run(n_citizens, censorship=level, visibility=visibility, rng=stream,
                             **options)
        measures = {
            "own_score_minority": run["own_score_minority"],
            "own_score_majority": run["own_score_majority"],
            "own_gap": run["own_score_majority"] - run["own_score_minority"],
            "credit_gap": run["credit_access_majority"] - run["credit_access_minority"],
            "score_disposition_correlation": run["score_disposition_correlation"],
        }
        row.update({f"{name}{suffix}": float(value) for name, value in measures.items()})
    return row


def findings(effects, *, n_citizens, seed, scale="default", chosen=None, position=None):
    """The findings register of notebook 04 from replicates of :func:`hiding_effects`.

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per replicate of :func:`hiding_effects` (e.g. a :func:`scorelab.sweep`
        with ``n_replicates``), all at one setting.
    n_citizens : int
        Citizens per replicate.
    seed : int
        The notebook's root seed.
    scale : {"default", "full"}, default "default"
    chosen : tuple of two pandas.DataFrame, optional
        ``(by_visibility, by_stakes)`` of :func:`choice_findings`, whose rows are appended.
    position : tuple, optional
        ``(positions, doses)`` of :func:`position_findings`, whose rows are appended.

    Returns
    -------
    pandas.DataFrame
        A validated register, one row per entry of :data:`FINDINGS`: the mean paired
        difference (hiding minus no hiding) with its 95 % Student-t interval; then, with
        ``chosen``, the rows of :func:`choice_findings`.

    Notes
    -----
    What is *not* here, because it follows from the hiding rule by algebra: the hidden
    share (``censorship x visibility x`` mean responsiveness, halved with private
    scores) and the equal hidden share of both groups. Those are assumptions of the model,
    shown in the notebook as such.

    Examples
    --------
    >>> from scorelab.experiments import sweep
    >>> effects = sweep(hiding_effects, {"censorship": [1.0]}, n_replicates=2, rng=1,
    ...                 fixed=dict(n_citizens=200, n_steps=2))
    >>> findings(effects, n_citizens=200, seed=1)["id"].tolist() == list(FINDINGS)
    True
    """
    if not isinstance(effects, pd.DataFrame):
        raise TypeError(f"effects must be a DataFrame of hiding_effects rows, got "
                        f"{type(effects).__name__}")
    rows = []
    for finding_id, (measure, statement) in FINDINGS.items():
        rows.append(finding(
            finding_id, effects[measure].to_numpy(float),
            counterfactual=effects[f"{measure}_counterfactual"].to_numpy(float),
            notebook=NOTEBOOK, statement=statement, n_citizens=n_citizens, seed=seed,
            scale=scale, rests_on=RESTS_ON[finding_id].split("; ")))
    register = findings_frame(rows)
    if chosen is not None:
        extra = choice_findings(*chosen, n_citizens=n_citizens, seed=seed, scale=scale)
        register = findings_frame(pd.concat([register, extra], ignore_index=True))
    if position is not None:
        extra = position_findings(*position, n_citizens=n_citizens, seed=seed, scale=scale)
        register = findings_frame(pd.concat([register, extra], ignore_index=True))
    return register


# --------------------------------------------------------------------------------------
# Chosen self-censorship (issue 9)
# --------------------------------------------------------------------------------------

HIDING_WORLDS = ("choice", "fixed", "none")
"""The hiding rules compared on one society and seed: ``"choice"`` (``censorship_rule=
"choice"``: hide when the expected value lost by showing the act, with fear, outweighs
the cost of hiding), ``"fixed"`` (the original rule, ``censorship = 0.5``) and ``"none"``
(no censorship, the counterfactual)."""

_CHOICE_COLUMNS = ("hidden_share", "fear", "mean_displayed", "access_credit", "access_food")


def chosen_hiding_run(world, *, visibility=1.0, stake_scale=10.0, fear_rate=0.5,
                      selective=False, detection=0.3, authenticity=1.0, rationality=2.0,
                      n_citizens=1000, n_steps=12, minority_disposition=0.45, rng=None):
    """One run of the citizen game under a hiding rule, with every gate at stake.

    Parameters
    ----------
    world : str
        One of :data:`HIDING_WORLDS`.
    visibility : float in [0, 1], default 1
        ``GameConfig.visibility``; under the chosen rule only ``visibility - detection``
        of a shown act's penalty is avoidable, so at ``visibility <= detection`` hiding is
        the logit's baseline (by assumption).
    stake_scale : float >= 0, default 10
        Every gate (shop to food) worth ``dynamics.DEFAULT_STAKES`` times this.
    fear_rate : float in [0, 1], default 0.5
        How fast fear follows the share of one's ties seen losing a gate (0: no fear).
    selective : bool, default False
        Selective presentation (acts shown to approving ties only).
    detection : float in [0, 1], default 0.3
        ``GameConfig.detection``: share of hidden acts the authority finds anyway.
    authenticity : float >= 0, default 1
        Cost of hiding an act (``GameConfig.authenticity``; chosen rule only).
    rationality : float >= 0, default 2
        Logit precision of the choice to hide (``GameConfig.rationality``; it also sets
        the precision of strategic cuts, which are off here).
    n_citizens, n_steps : int, default 1000, 12
        Citizens (>= 20) and steps of the game (>= 2).
    minority_disposition : float in [0, 1], default 0.45
        The minority's mean disposition (the majority's is 0.6): the minority does more
        disapproved acts in private.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.

    Returns
    -------
    dict
        Means over the second half of the run of ``hidden_share``, ``fear`` (NaN unless
        chosen), and per group (suffix ``_majority``/``_minority``) ``hidden_share``,
        ``mean_displayed``, ``access_credit`` and ``access_food``; plus ``score_gap``,
        ``credit_gap``, ``food_gap`` (majority minus minority) and ``hiding_gap``
        (minority minus majority hidden share).

    Examples
    --------
    >>> row = chosen_hiding_run("none", n_citizens=200, n_steps=4, rng=1)
    >>> row["hidden_share"], row["hidden_share_minority"]
    (0.0, 0.0)
    """
    if world not in HIDING_WORLDS:
        raise ValueError(f"world must be one of {HIDING_WORLDS}, got {world!r}")
    config, society, game_rng = _hiding_game(
        world, visibility=visibility, stake_scale=stake_scale, fear_rate=fear_rate,
        selective=selective, detection=detection, authenticity=authenticity,
        rationality=rationality, n_citizens=n_citizens, n_steps=n_steps,
        minority_disposition=minority_disposition, rng=rng)
    late = _late_means(simulate(society, config, n_steps=n_steps, rng=game_rng), n_steps)
    row = {"hidden_share": late["hidden_share"],
           "fear": late["fear"] if world == "choice" else np.nan}
    for group in GROUPS:
        for name in ("hidden_share", "mean_displayed", "access_credit", "access_food"):
            row[f"{name}_{group}"] = late[f"{name}_{group}"]
    major, minor = GROUPS
    row["score_gap"] = row[f"mean_displayed_{major}"] - row[f"mean_displayed_{minor}"]
    row["credit_gap"] = row[f"access_credit_{major}"] - row[f"access_credit_{minor}"]
    row["food_gap"] = row[f"access_food_{major}"] - row[f"access_food_{minor}"]
    row["hiding_gap"] = row[f"hidden_share_{minor}"] - row[f"hidden_share_{major}"]
    return {key: float(value) + 0.0 for key, value in row.items()}


#: Homophily of the society of the chosen-hiding sections (:func:`chosen_hiding_run`,
#: :func:`hiding_by_position_run`): a scenario choice of notebook 04, kept from the runs
#: behind its full-scale results; it differs from :data:`scorelab.defaults.HOMOPHILY`.
CHOSEN_HIDING_HOMOPHILY = 0.6


def _hiding_game(world, *, visibility, stake_scale, fear_rate, selective, detection,
                 authenticity, rationality, n_citizens, n_steps, minority_disposition, rng):
    """The config, society and game stream of :func:`chosen_hiding_run` (checked)."""
    check_integer("n_citizens", n_citizens, minimum=20)
    check_integer("n_steps", n_steps, minimum=2)
    check_real("stake_scale", stake_scale, minimum=0.0)
    check_probability("minority_disposition", minority_disposition)
    config = GameConfig(
        gates=ALL_GATES, incentive_rule="stakes", thresholds=None,
        stakes={g: DEFAULT_STAKES[g] * stake_scale for g in ALL_GATES},
        visibility=visibility, detection=detection, fear_rate=fear_rate, selective=selective,
        authenticity=authenticity, rationality=rationality,
        censorship_rule="choice" if world == "choice" else "fixed",
        censorship=0.0 if world == "none" else 0.5)
    society_rng, game_rng = np.random.default_rng(check_rng(rng)).spawn(2)
    society = two_group_society(n_citizens, minority_share=MINORITY_SHARE,
                                homophily=CHOSEN_HIDING_HOMOPHILY, mean_degree=MEAN_DEGREE,
                                minority=GroupProfile(disposition_mean=minority_disposition),
                                rng=society_rng)
    return config, society, game_rng


def _late_means(result, n_steps):
    """Means of the history's measures over the second half of the run, steps after
    ``n_steps // 2`` (the one place this module reads the game's history; the panel's
    ``record=range(n_steps // 2, n_steps)`` counts the same steps from 0)."""
    wide = result.wide()
    return wide[wide["step"] > n_steps // 2].mean()


def _hiding_worlds(*, rng=None, **options):
    """Every world of :func:`chosen_hiding_run` from one seed (same society and draws)."""
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    return pd.DataFrame([{"world": world, **chosen_hiding_run(world, rng=seed, **options)}
                         for world in HIDING_WORLDS])


def chosen_hiding_sweep(grid, *, n_replicates=5, rng=None, n_jobs=1, **fixed):
    """:func:`chosen_hiding_run` over ``grid`` (parameter -> values), all three worlds per
    replicate from one seed, so differences between worlds are paired.

    Parameters
    ----------
    grid : mapping of str to sequence
        Parameters of :func:`chosen_hiding_run` and their values (every combination runs).
    n_replicates : int, default 5
        Replicates per grid point.
    rng : None, int or numpy.random.SeedSequence
        Root of the sweep's random streams (SPEC 7).
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.
    **fixed
        Other parameters of :func:`chosen_hiding_run`, the same for every run.

    Returns
    -------
    pandas.DataFrame
        The tidy frame of :func:`scorelab.experiments.sweep`, one row per grid point,
        replicate and ``world`` (:data:`HIDING_WORLDS`), with the measures of
        :func:`chosen_hiding_run`.
    """
    return sweep(_hiding_worlds, dict(grid), n_replicates=n_replicates, fixed=fixed, rng=rng,
                 n_jobs=n_jobs)


def hiding_intervals(frame, by, values, *, level=0.95):
    """Means and intervals per point of ``by`` and world, and of the paired differences
    chosen minus none (``world = "choice - none"``) and fixed minus none.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`chosen_hiding_sweep`.
    by : sequence of str
        The swept parameters.
    values : sequence of str
        Measures to summarise.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        :func:`scorelab.experiments.confidence_intervals`' long format: the ``by``
        columns, ``world``, ``metric``, ``mean``, ``low``, ``high``, ``n``.
    """
    return paired_world_intervals(
        frame, by, values, [(world, "none", f"{world} - none") for world in ("choice", "fixed")],
        level=level)


#: The findings of notebook 04's chosen-hiding section: id -> (measure, world compared
#: with ``"none"`` or None for a one-sample row, statement). All at the main point of the
#: visibility sweep (visibility 1, no selective presentation).
CHOICE_FINDINGS = {
    "censorship.chosen-hiding-score-gap": (
        "score_gap", "choice",
        ("Chosen hiding changes the gap of mean displayed scores, majority minus minority "
         "(points; chosen minus no censorship, paired).")),
    "censorship.fixed-hiding-score-gap": (
        "score_gap", "fixed",
        ("The fixed rule (censorship 0.5) changes the same gap (fixed minus no censorship, "
         "paired).")),
    "censorship.chosen-hiding-credit-gap": (
        "credit_gap", "choice",
        ("Chosen hiding changes the gap in credit access, majority minus minority (share; "
         "chosen minus no censorship, paired).")),
    "censorship.chosen-hiding-falls-on-minority": (
        "hiding_gap", None,
        ("Under chosen hiding the dissenting minority hides a larger share of its "
         "disapproved acts than the majority (minority minus majority).")),
}
# Chosen hiding's findings read the output of the quantity they change (displayed-score gap,
# credit access gap, hidden share); the group difference of the hidden share reads notebook
# 09's ``chosen_hiding`` model (notebook 04's society, :func:`chosen_hiding_run`). The fixed
# rule's change of the displayed gap reads the gap's output, though the game's box runs
# chosen hiding (its censorship rate is not in that box).
RESTS_ON.update({
    "censorship.chosen-hiding-score-gap": "; ".join(rests_on_entry("game.minority_gap")),
    "censorship.fixed-hiding-score-gap": "; ".join(rests_on_entry("game.minority_gap")),
    "censorship.chosen-hiding-credit-gap": "; ".join(rests_on_entry("game.credit_access_gap")),
    "censorship.chosen-hiding-falls-on-minority": "; ".join(
        rests_on_entry("chosen_hiding.hiding_gap")),
    "censorship.fear-raises-chosen-hiding": "; ".join(rests_on_entry("game.hidden_share")),
})

# Hiding by position and the chosen rule's dose-responses: where hiding falls reads the hidden
# share's output; what hiding does to the score gap reads the gap's output; a difference
# between the groups' hiding reads the ``chosen_hiding`` model's (at equal position: its
# paired contrast of :func:`hiding_by_position_run`; rationality's effect on the gap: its paired
# contrast of the sweep's ends).
RESTS_ON.update({
    "censorship.chosen-hiding-falls-with-score": "; ".join(rests_on_entry("game.hidden_share")),
    "censorship.chosen-hiding-near-threshold": "; ".join(rests_on_entry("game.hidden_share")),
    "censorship.minority-hides-more-at-equal-position": "; ".join(
        rests_on_entry("chosen_hiding.adjusted_hiding_gap_effect")),
    "censorship.authenticity-weakens-chosen-narrowing": "; ".join(
        rests_on_entry("game.minority_gap")),
    "censorship.detection-weakens-chosen-narrowing": "; ".join(
        rests_on_entry("game.minority_gap")),
    "censorship.rationality-and-chosen-narrowing": "; ".join(
        rests_on_entry("game.minority_gap")),
    "censorship.rationality-concentrates-hiding-on-minority": "; ".join(
        rests_on_entry("chosen_hiding.rationality_effect")),
})


def choice_findings(by_visibility, by_stakes, *, n_citizens, seed, scale="default"):
    """The findings of the chosen-hiding section from :func:`chosen_hiding_sweep` runs.

    Parameters
    ----------
    by_visibility : pandas.DataFrame
        A sweep over ``visibility`` and ``selective`` (holding visibility 1 without
        selective presentation, the point of :data:`CHOICE_FINDINGS`).
    by_stakes : pandas.DataFrame
        A sweep over ``stake_scale`` and ``fear_rate`` (holding fear rates 0 and a larger
        one at stake scale 10).
    n_citizens, seed, scale
        As in :func:`findings`.

    Returns
    -------
    pandas.DataFrame
        A validated register: the rows of :data:`CHOICE_FINDINGS`, then
        ``censorship.fear-raises-chosen-hiding`` (hidden share under chosen hiding at the
        largest fear rate minus at fear rate 0, stake scale 10; Welch).

    Examples
    --------
    >>> kw = dict(n_citizens=150, n_steps=4)
    >>> v = chosen_hiding_sweep({"visibility": [1.0], "selective": [False]}, n_replicates=2,
    ...                         rng=1, **kw)
    >>> s = chosen_hiding_sweep({"stake_scale": [10.0], "fear_rate": [0.0, 0.5]},
    ...                         n_replicates=2, rng=2, **kw)
    >>> choice_findings(v, s, n_citizens=150, seed=1)["id"].tolist()[:1]
    ['censorship.chosen-hiding-score-gap']
    """
    def at(frame, world, **point):
        chosen = frame[frame["world"] == world]
        for name, value in point.items():
            chosen = chosen[chosen[name] == value]
        if chosen.empty:
            raise ValueError(f"the runs hold no point {point} in world {world!r}")
        return chosen.sort_values("replicate")

    main = dict(visibility=1.0, selective=False)
    none = at(by_visibility, "none", **main)
    common = dict(notebook=NOTEBOOK, n_citizens=n_citizens, seed=seed, scale=scale)
    rows = []
    for finding_id, (measure, world, statement) in CHOICE_FINDINGS.items():
        treated = at(by_visibility, world or "choice", **main)[measure].to_numpy(float)
        extra = {} if world is None else {"counterfactual": none[measure].to_numpy(float)}
        rows.append(finding(finding_id, treated, statement=statement,
                            rests_on=RESTS_ON[finding_id].split("; "), **common, **extra))
    fears = sorted(by_stakes["fear_rate"].unique())
    if len(fears) < 2 or fears[0] != 0:
        raise ValueError(f"by_stakes must hold fear rate 0 and a larger one, got {fears}")
    feared = at(by_stakes, "choice", stake_scale=10.0, fear_rate=fears[-1])
    fearless = at(by_stakes, "choice", stake_scale=10.0, fear_rate=0.0)
    finding_id = "censorship.fear-raises-chosen-hiding"
    rows.append(finding(
        finding_id, feared["hidden_share"].to_numpy(float),
        counterfactual=fearless["hidden_share"].to_numpy(float), paired=False,
        statement=f"Under chosen hiding, hidden share at fear rate {fears[-1]:g} minus 0 "
                  f"(stake scale 10).",
        rests_on=RESTS_ON[finding_id].split("; "), **common))
    return findings_frame(rows)


# --------------------------------------------------------------------------------------
# Hiding by position: where one stands against the gates (issue 9)
# --------------------------------------------------------------------------------------

POSITION_WORLDS = ("choice", "fixed", "no stakes")
"""The worlds of :func:`hiding_by_position_run`, on one society and seed: chosen hiding,
the fixed rule (censorship 0.5) and chosen hiding with nothing at stake (stake scale 0,
so that hiding is the logit's baseline everywhere: the no-stakes counterfactual)."""

DISTANCE_BINS = (0.0, 10.0, 25.0, np.inf)
"""Edges (points) of the distance from the displayed score to the nearest gate threshold.
With the default softness of 25 points, a gate's ``V'`` at the inner edges is 0.97 and
0.79 times its value at the threshold; the gates lie 50 to 100 points apart, so few
scores are more than 50 points from every threshold."""

N_QUANTILES = 5
"""Displayed-score quantile bins within each group (quintiles)."""


class _HidingByPosition:
    """A measure of the citizen game that tallies, from ``start`` on, each step's hidden
    and disapproved acts by where the citizen stood when deciding to hide: the nearest
    gate threshold and the distance to it, and the displayed-score quintile within their
    group. Both use the score of the step before (the one the decision saw). Called with
    the :class:`scorelab.metrics.GameState` of every step, it returns that step's hidden
    share (so it is also an ordinary history measure)."""

    def __init__(self, thresholds, start):
        self.thresholds = thresholds  # citizens x gates
        self.start = start
        self.before = None
        shape = (len(GROUPS), thresholds.shape[1], len(DISTANCE_BINS) - 1)
        self.hidden, self.done = np.zeros(shape), np.zeros(shape)
        self.hidden_quantile = np.zeros((len(GROUPS), N_QUANTILES))
        self.done_quantile = np.zeros((len(GROUPS), N_QUANTILES))

    def __call__(self, state):
        before, self.before = self.before, state.displayed.copy()
        done = state.private.sum(axis=1)
        hidden = done - state.expressed.sum(axis=1)
        if state.step > self.start and before is not None:  # step 0 is the start
            self._tally(before, state.group_codes, done, hidden)
        total = done.sum()
        return float(hidden.sum() / total) if total else np.nan

    def _tally(self, before, group, done, hidden):
        scored = ~np.isnan(before)
        gap = np.abs(before[:, None] - self.thresholds)
        gate = gap.argmin(axis=1)
        where = np.digitize(gap.min(axis=1), DISTANCE_BINS[1:-1])
        _, n_gates, n_bins = self.hidden.shape
        cell = ((group * n_gates + gate) * n_bins + where)[scored]
        for total, values in ((self.hidden, hidden), (self.done, done)):
            total += np.bincount(cell, weights=values[scored],
                                 minlength=total.size).reshape(total.shape)
        for code in range(len(GROUPS)):
            member = np.flatnonzero(scored & (group == code))
            if not len(member):
                continue
            rank = np.argsort(np.argsort(before[member], kind="stable"), kind="stable")
            quantile = rank * N_QUANTILES // len(member)
            self.hidden_quantile[code] += np.bincount(quantile, weights=hidden[member],
                                                      minlength=N_QUANTILES)
            self.done_quantile[code] += np.bincount(quantile, weights=done[member],
                                                    minlength=N_QUANTILES)


def _share(hidden, done):
    return np.divide(hidden, done, out=np.full(np.shape(hidden), np.nan), where=done > 0)


def hiding_by_position_run(world, *, stake_scale=10.0, visibility=1.0, fear_rate=0.5,
                           detection=0.3, authenticity=1.0, rationality=2.0,
                           n_citizens=1000, n_steps=12, minority_disposition=0.45, rng=None):
    """Hidden share by where citizens stand against the gates, in one world.

    The game of :func:`chosen_hiding_run` (every gate at stake, the stakes times
    ``stake_scale``; the same society and streams for the same ``rng``), in one of
    :data:`POSITION_WORLDS`. Over the second half of the run, each step's disapproved
    acts and the hidden ones are tallied by the citizen's distance to the nearest gate
    threshold (:data:`DISTANCE_BINS`) and by their displayed-score quintile within their
    group, both at the score the decision saw (the step before).

    Parameters
    ----------
    world : str
        One of :data:`POSITION_WORLDS`.
    stake_scale, visibility, fear_rate, detection, authenticity, rationality : float
        As in :func:`chosen_hiding_run` (``"no stakes"`` sets the stake scale to 0).
    n_citizens, n_steps : int, default 1000, 12
        Citizens (>= 20) and steps of the game (>= 2).
    minority_disposition : float in [0, 1], default 0.45
        The minority's mean disposition (the majority's is 0.6).
    rng : None, int, numpy.random.Generator or SeedSequence
        Seeds the society and the game (SPEC 7); the same seed gives every world the same
        society and streams.

    Returns
    -------
    dict
        ``hidden_share_d<k>`` (all citizens) and ``hidden_share_d<k>_<group>`` for each
        distance bin ``k`` (0 nearest), ``acts_d<k>`` (share of the disapproved acts done
        in bin ``k``), ``minority_minus_majority_d<k>``; ``hidden_share_<gate>`` and
        ``hidden_share_<gate>_<group>`` by nearest gate; ``hidden_share_q<k>_<group>``
        for each within-group quintile ``k`` (0 lowest scores) and
        ``lowest_minus_highest_quintile_<group>``; ``near_minus_far`` (bin 0 minus the
        last bin, all citizens); ``adjusted_hiding_gap``, the minority's minus the
        majority's hidden share at equal position (the differences within each cell of
        nearest gate x distance bin, weighted by the cell's share of all disapproved
        acts, over the cells both groups reach), ``hiding_gap`` (the same difference
        unadjusted) and ``gap_explained_by_position`` (unadjusted minus adjusted). NaN
        where a bin holds no disapproved act.

    Notes
    -----
    The chosen rule's loss is proportional to ``V'(x)``, largest at a threshold, so that
    hiding falls with the distance is the rule's intent; how much it does in the running
    game (where penalties, fear and scores move together) and whether it explains the
    minority's extra hiding is measured here. Under the fixed rule hiding depends on
    responsiveness only and, with nothing at stake, the chosen rule hides at its baseline
    ``sigma(-rationality * authenticity)`` everywhere: both are counterfactuals in which
    position cannot matter except through who stands where.

    Examples
    --------
    >>> row = hiding_by_position_run("no stakes", n_citizens=300, n_steps=6, rng=1)
    >>> 0.05 < row["hidden_share_d0"] < 0.2
    True
    """
    if world not in POSITION_WORLDS:
        raise ValueError(f"world must be one of {POSITION_WORLDS}, got {world!r}")
    config, society, game_rng = _hiding_game(
        "fixed" if world == "fixed" else "choice", visibility=visibility,
        stake_scale=0.0 if world == "no stakes" else stake_scale, fear_rate=fear_rate,
        selective=False, detection=detection, authenticity=authenticity,
        rationality=rationality, n_citizens=n_citizens, n_steps=n_steps,
        minority_disposition=minority_disposition, rng=rng)
    thresholds = np.column_stack([np.full(society.n_citizens, float(config.thresholds[g]))
                                  for g in config.gates])
    tally = _HidingByPosition(thresholds, start=n_steps // 2)
    simulate(society, config, n_steps=n_steps, rng=game_rng,
             measures={"hidden_share": tally})
    return _position_row(tally, config.gates)


def _position_row(tally, gates):
    """The measures of :func:`hiding_by_position_run` from its tallies."""
    hidden, done = tally.hidden, tally.done  # groups x gates x distance bins
    by_distance = _share(hidden.sum(axis=(0, 1)), done.sum(axis=(0, 1)))
    by_group_distance = _share(hidden.sum(axis=1), done.sum(axis=1))
    by_gate = _share(hidden.sum(axis=(0, 2)), done.sum(axis=(0, 2)))
    by_group_gate = _share(hidden.sum(axis=2), done.sum(axis=2))
    acts = done.sum(axis=(0, 1)) / done.sum()
    row = {}
    for k in range(len(by_distance)):
        row[f"hidden_share_d{k}"] = by_distance[k]
        row[f"acts_d{k}"] = acts[k]
        for code, group in enumerate(GROUPS):
            row[f"hidden_share_d{k}_{group}"] = by_group_distance[code, k]
        row[f"minority_minus_majority_d{k}"] = (by_group_distance[1, k]
                                                 - by_group_distance[0, k])
    for g, gate in enumerate(gates):
        row[f"hidden_share_{gate}"] = by_gate[g]
        for code, group in enumerate(GROUPS):
            row[f"hidden_share_{gate}_{group}"] = by_group_gate[code, g]
    quantiles = _share(tally.hidden_quantile, tally.done_quantile)
    for code, group in enumerate(GROUPS):
        for k in range(N_QUANTILES):
            row[f"hidden_share_q{k}_{group}"] = quantiles[code, k]
        row[f"lowest_minus_highest_quintile_{group}"] = quantiles[code, 0] - quantiles[code, -1]
    row["near_minus_far"] = by_distance[0] - by_distance[-1]
    # the minority's minus the majority's hidden share within each cell (nearest gate x
    # distance), weighted by the cell's share of all disapproved acts, over the cells
    # both groups reach
    cells = _share(hidden, done)
    both = (done[0] > 0) & (done[1] > 0)
    weight = np.where(both, done.sum(axis=0), 0.0)
    difference = np.where(both, cells[1] - cells[0], 0.0)
    row["adjusted_hiding_gap"] = (float((weight * difference).sum() / weight.sum())
                                  if weight.sum() else np.nan)
    overall = _share(hidden.sum(axis=(1, 2)), done.sum(axis=(1, 2)))
    row["hiding_gap"] = overall[1] - overall[0]
    row["gap_explained_by_position"] = row["hiding_gap"] - row["adjusted_hiding_gap"]
    return {key: float(value) + 0.0 for key, value in row.items()}


def _position_worlds(*, rng=None, **options):
    """Every world of :func:`hiding_by_position_run` from one seed."""
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    return pd.DataFrame([{"world": world, **hiding_by_position_run(world, rng=seed, **options)}
                         for world in POSITION_WORLDS])


def hiding_by_position_sweep(grid, *, n_replicates=10, rng=None, n_jobs=1, **fixed):
    """:func:`hiding_by_position_run` over ``grid``, the three worlds of
    :data:`POSITION_WORLDS` per replicate from one seed (paired).

    Parameters
    ----------
    grid : mapping of str to sequence
        Parameters of :func:`hiding_by_position_run` and their values (every combination
        runs).
    n_replicates : int, default 10
        Replicates per grid point.
    rng : None, int or numpy.random.SeedSequence
        Root of the sweep's random streams (SPEC 7).
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.
    **fixed
        Other parameters of :func:`hiding_by_position_run`, the same for every run.

    Returns
    -------
    pandas.DataFrame
        The tidy frame of :func:`scorelab.experiments.sweep`, one row per grid point,
        replicate and ``world``, with the measures of :func:`hiding_by_position_run`.
    """
    return sweep(_position_worlds, dict(grid), n_replicates=n_replicates, fixed=fixed,
                 rng=rng, n_jobs=n_jobs)


def position_intervals(frame, by, values, *, level=0.95):
    """Means and intervals per point of ``by`` and world, and of the paired differences
    chosen minus each counterfactual (``"choice - fixed"``, ``"choice - no stakes"``).

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`hiding_by_position_sweep` runs.
    by : sequence of str
        The swept parameters to group by.
    values : sequence of str
        Measures of :func:`hiding_by_position_run` to summarise.
    level : float, default 0.95
        Confidence level of the t intervals over replicates.

    Returns
    -------
    pandas.DataFrame
        :func:`scorelab.experiments.confidence_intervals` of ``values`` per ``by`` and
        ``world`` (the three worlds and the two paired differences), in grid order.
    """
    return paired_world_intervals(
        frame, by, values,
        [("choice", world, f"choice - {world}") for world in POSITION_WORLDS[1:]], level=level)


#: Findings of notebook 04's section on hiding by position: id -> (measure of
#: :func:`hiding_by_position_run`, statement). Each is chosen hiding minus the no-stakes
#: world (chosen hiding with nothing at stake), paired by seed.
POSITION_FINDINGS = {
    "censorship.chosen-hiding-falls-with-score": (
        "lowest_minus_highest_quintile",
        ("Under chosen hiding, the lowest displayed-score quintile of a group hides more of "
         "its disapproved acts than the highest (share; mean of both groups' contrasts, "
         "chosen minus no stakes, paired).")),
    "censorship.chosen-hiding-near-threshold": (
        "near_minus_far",
        ("Under chosen hiding, citizens within 10 points of a gate threshold hide more of "
         "their disapproved acts than those 25 or more points from every threshold (share; "
         "chosen minus no stakes, paired).")),
    "censorship.minority-hides-more-at-equal-position": (
        "adjusted_hiding_gap",
        ("Under chosen hiding, the minority hides more than the majority at equal position "
         "(same nearest gate and distance bin; share, chosen minus no stakes, paired).")),
}

#: Findings of the dose-response sweeps of the chosen rule: id -> (swept parameter,
#: measure, world, statement). Each compares the largest with the smallest value swept
#: (independent runs, Welch); the measure is the chosen world's minus the no-censorship
#: world's on the same seed (``world = "choice - none"``) or the chosen world's own value.
DOSE_FINDINGS = {
    "censorship.authenticity-weakens-chosen-narrowing": (
        "authenticity", "score_gap", "choice - none",
        "The change in the score gap that chosen hiding makes (chosen minus no censorship, "
        "points) at the largest authenticity swept minus at the smallest."),
    "censorship.detection-weakens-chosen-narrowing": (
        "detection", "score_gap", "choice - none",
        "The change in the score gap that chosen hiding makes (chosen minus no censorship, "
        "points) at the largest detection swept minus at the smallest."),
    "censorship.rationality-and-chosen-narrowing": (
        "rationality", "score_gap", "choice - none",
        "The change in the score gap that chosen hiding makes (chosen minus no censorship, "
        "points) at the largest rationality swept minus at the smallest."),
    "censorship.rationality-concentrates-hiding-on-minority": (
        "rationality", "hiding_gap", "choice",
        "Under chosen hiding, the minority-minus-majority hidden share at the largest "
        "rationality swept minus at the smallest."),
}


def position_findings(positions, doses, *, n_citizens, seed, scale="default"):
    """The findings of the sections on hiding by position and on the dose-responses.

    Parameters
    ----------
    positions : pandas.DataFrame
        :func:`hiding_by_position_sweep` runs at one stake scale.
    doses : mapping of str to pandas.DataFrame
        ``{"authenticity": runs, "detection": runs, "rationality": runs}``, each a
        :func:`chosen_hiding_sweep` over that parameter (at least two values).
    n_citizens, seed, scale
        As in :func:`findings`.

    Returns
    -------
    pandas.DataFrame
        A validated register: the rows of :data:`POSITION_FINDINGS` (paired, chosen minus
        no stakes) and of :data:`DOSE_FINDINGS` (Welch, largest minus smallest value).

    Examples
    --------
    >>> kw = dict(n_citizens=150, n_steps=4)
    >>> p = hiding_by_position_sweep({"stake_scale": [3.0]}, n_replicates=2, rng=1, **kw)
    >>> d = {name: chosen_hiding_sweep({name: values}, n_replicates=2, rng=2, **kw)
    ...      for name, values in [("authenticity", [0.5, 2.0]), ("detection", [0.0, 0.6]),
    ...                           ("rationality", [0.5, 8.0])]}
    >>> position_findings(p, d, n_citizens=150, seed=1)["id"].tolist()[:1]
    ['censorship.chosen-hiding-falls-with-score']
    """
    if positions["stake_scale"].nunique() != 1:
        raise ValueError("positions must hold runs at one stake scale")
    common = dict(notebook=NOTEBOOK, n_citizens=n_citizens, seed=seed, scale=scale)
    positions = positions.assign(lowest_minus_highest_quintile=positions[
        [f"lowest_minus_highest_quintile_{group}" for group in GROUPS]].mean(axis=1))

    def world(frame, name, **point):
        part = frame[frame["world"] == name]
        for column, value in point.items():
            part = part[part[column] == value]
        return part.sort_values("replicate")

    rows = []
    chosen, baseline = world(positions, "choice"), world(positions, "no stakes")
    for finding_id, (measure, statement) in POSITION_FINDINGS.items():
        rows.append(finding(finding_id, chosen[measure].to_numpy(float),
                            counterfactual=baseline[measure].to_numpy(float),
                            statement=statement, rests_on=RESTS_ON[finding_id].split("; "),
                            **common))
    for finding_id, (parameter, measure, compared, statement) in DOSE_FINDINGS.items():
        frame = doses[parameter]
        low, high = frame[parameter].min(), frame[parameter].max()
        if low == high:
            raise ValueError(f"doses[{parameter!r}] must sweep at least two values")

        def values(at):
            treated = world(frame, "choice", **{parameter: at})[measure].to_numpy(float)
            if compared == "choice":
                return treated
            return treated - world(frame, "none", **{parameter: at})[measure].to_numpy(float)

        rows.append(finding(finding_id, values(high), counterfactual=values(low),
                            paired=False, statement=statement,
                            rests_on=RESTS_ON[finding_id].split("; "), **common))
    return findings_frame(rows)
