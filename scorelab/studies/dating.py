"""Dating visibility over generations and the breeder's-equation check (notebook 07).

Every function takes the tidy frames of :func:`scorelab.dating.simulate_generations` (as
swept over rankings or visible fractions by :func:`generations_sweep`) and returns the
numbers the notebook prints and plots:

- :func:`generations_sweep` - a founding society with a poorer minority (same
  dispositions as the majority) runs the dating market for some generations under each
  ranking, in independent replicates; :func:`overall_measures` puts its whole-population
  measures side by side.
- :func:`attention_shares`, :func:`match_rates` - who is seen and who matches in the
  founding generation (and over all generations).
- :func:`disposition_shift` - how far the mean disposition moved, with 95 % intervals.
- :func:`truncation_response` - the inheritance model against the breeder's equation
  ``R = h^2 S`` under truncation selection, ``S = i(p) sigma_P`` [FM96]_.
- :func:`realised_response` and :func:`realised_response_summary` - in the score-ranked
  market, the observed shift of mean liability against ``h^2`` times the cumulative
  realised selection differentials.
- :func:`fair_ranking_trade_off` - what an exposure-fair ranking costs in matches and
  saves in selection.

References
----------
.. [FM96] D. S. Falconer and T. F. C. Mackay (1996), Introduction to Quantitative
   Genetics, 4th ed., Longman, chapters 11-12 (truncation selection, R = h^2 S).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorelab.defaults import HOMOPHILY, MINORITY_WEALTH
from scorelab._validation import check_integer, check_probability, check_rng
from scorelab.dating import DatingMarket, Founders, selection_intensity, simulate_generations
from scorelab.dating.generations import GENERATION_COLUMNS
from scorelab.experiments import confidence_intervals, sweep
from scorelab.findings import finding, findings_frame
from scorelab.society import GroupProfile

__all__ = [
    "FINDINGS",
    "RESTS_ON",
    "attention_shares",
    "contrast_by_setting",
    "disposition_shift",
    "fair_ranking_trade_off",
    "findings",
    "generations_sweep",
    "per_replicate",
    "match_rates",
    "overall_measures",
    "realised_response",
    "realised_response_summary",
    "truncation_response",
]


def generations_sweep(rankings, *, n_citizens, n_generations, n_replicates, heritability,
                      homophily=HOMOPHILY, minority_wealth=MINORITY_WEALTH, market=None,
                      cultural_transmission=0.0, site_share=1.0, policy=None, rng=None):
    """The dating market over generations under each ranking, paired by seed.

    Parameters
    ----------
    rankings : list of str
        Rankings of :func:`scorelab.dating.simulate_generations` to compare.
    n_citizens : int
        Size of every generation (>= 4).
    n_generations : int
        Generations of children (statistics cover ``0..n_generations``).
    n_replicates : int
        Independent replicates (>= 1). Replicate ``r`` of every ranking starts from the
        same stream (``rng.spawn``), so its founders are the same society: the rankings
        are compared paired by seed.
    heritability : float
        ``h^2`` of the liability.
    homophily : float, default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Share of ties within the own group, in every generation.
    minority_wealth : float, default 0.6 (:data:`scorelab.defaults.MINORITY_WEALTH`)
        Median wealth of the founders' minority (20 % of citizens); the majority has 1.
    market : DatingMarket, optional
        Default ``DatingMarket()``.
    cultural_transmission : float, default 0.0
        ``c^2``, the share of the liability variance passed on culturally from both parents.
    site_share : float in (0, 1], default 1.0
        Share of couples formed through the site; the rest pair off at random.
    policy : ScoringPolicy, optional
        The scoring policy of the displayed score (default ``ScoringPolicy()``, association
        weight :data:`scorelab.defaults.ALPHA`).
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Root of the replicates' streams (SPEC 7).

    Returns
    -------
    pandas.DataFrame
        The tidy frames of :func:`scorelab.dating.simulate_generations`, one per run,
        with columns ``ranking`` and ``replicate`` in front.

    Examples
    --------
    >>> runs = generations_sweep(["score", "random"], n_citizens=200, n_generations=1,
    ...                          n_replicates=1, heritability=0.5, rng=1)
    >>> founders = runs[(runs.generation == 0) & (runs.measure == "disposition_mean")
    ...                 & (runs.by == "all")]
    >>> founders.value.nunique()  # the same founders under both rankings
    1
    """
    n_replicates = check_integer("n_replicates", n_replicates, minimum=1)
    founders = Founders(n_citizens, homophily=homophily,
                        profiles={"minority": GroupProfile(wealth_median=minority_wealth)})
    market = DatingMarket() if market is None else market
    frames = []
    for replicate, seed in enumerate(np.random.default_rng(check_rng(rng)).bit_generator.seed_seq
                                     .spawn(n_replicates)):
        for ranking in rankings:
            # a fresh copy of the same seed for every ranking (spawning from one counts)
            stream = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
            frame = simulate_generations(
                founders, generations=n_generations, ranking=ranking,
                heritability=heritability, cultural_transmission=cultural_transmission,
                site_share=site_share, market=market, policy=policy, rng=stream)
            frames.append(frame.assign(ranking=ranking, replicate=replicate))
    runs = pd.concat(frames, ignore_index=True)
    return runs[["ranking", "replicate", *GENERATION_COLUMNS]]


def overall_measures(runs):
    """Whole-population measures, one row per ranking, replicate and generation.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep` (or any sweep of
        :func:`scorelab.dating.simulate_generations`).

    Returns
    -------
    pandas.DataFrame
        The ``by == "all"`` rows pivoted wide: the swept columns, ``generation`` and one
        column per measure (``disposition_mean``, ``match_rate``, ...).
    """
    keys = [column for column in runs.columns if column not in GENERATION_COLUMNS]
    return (runs[runs.by == "all"]
            .pivot_table(index=[*keys, "generation"], columns="measure", values="value")
            .reset_index())


def attention_shares(runs, rankings):
    """Who is seen in the founding generation: top score deciles and the minority.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep`.
    rankings : list of str
        The rankings, in the order to report them.

    Returns
    -------
    pandas.DataFrame
        Indexed by ranking: ``top_fifth`` (share of all slate attention to the top two
        score deciles) and ``minority`` (the minority's share of attention), both means
        over replicates.
    """
    exposure = runs[(runs.generation == 0) & (runs.measure == "exposure_share")]
    by_decile = exposure[exposure.by == "score_decile"]
    minority = exposure[(exposure.by == "group") & (exposure.group == "minority")]
    decile_share = by_decile.groupby(["ranking", "decile"]).value.mean().unstack("ranking")
    return pd.DataFrame({
        "top_fifth": decile_share[rankings].loc[[9, 10]].sum(),
        "minority": minority.groupby("ranking").value.mean()[rankings],
    })


def match_rates(runs, rankings):
    """Who matches: the match rate over all generations and the founders' group gap.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep`.
    rankings : list of str
        The rankings, in the order to report them.

    Returns
    -------
    pandas.DataFrame
        Indexed by ranking: ``match_rate`` (share in a couple, mean over generations and
        replicates) and ``group_gap`` (majority minus minority match rate among the
        founders, mean over replicates).
    """
    overall = overall_measures(runs)
    founders = runs[(runs.generation == 0) & (runs.measure == "match_rate")
                    & (runs.by == "group")]
    gap = (founders.pivot_table(index=["ranking", "replicate"], columns="group", values="value")
           .eval("majority - minority").groupby("ranking").mean())
    return pd.DataFrame({"match_rate": overall.groupby("ranking").match_rate.mean()[rankings],
                         "group_gap": gap[rankings]})


def disposition_shift(runs, n_generations):
    """Shift of mean disposition and the minority's final share, with 95 % intervals.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep`.
    n_generations : int
        The last generation.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``metric``, ``ranking``) with columns ``mean``, ``low``, ``high``
        across replicates, for the metrics ``disposition_shift`` (last minus founding
        generation) and ``minority_share_end``
        (:func:`scorelab.experiments.confidence_intervals`).
    """
    change = per_replicate(runs, n_generations).reset_index()
    shift = confidence_intervals(change, "ranking", ["disposition_shift", "minority_share_end"])
    return shift.set_index(["metric", "ranking"])[["mean", "low", "high"]]


def truncation_response(fractions, *, size, heritability, n_replicates, rng=None):
    """One generation of truncation selection on the liability against ``R = h^2 i(p)``.

    Ranks by the liability itself, shows only the top fraction ``p`` of each side and
    makes matching among the visible blind to the trait (uniform position bias, the slate
    is the whole pool of 20, likes from appeal only): the visible are then a
    truncation-selected sample.

    Parameters
    ----------
    fractions : list of float
        Visible fractions ``p`` in (0, 1].
    size : int
        Founders (and children).
    heritability : float
        ``h^2`` in [0, 1].
    n_replicates : int
        Independent replicates per fraction.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Root of the replicates' streams (SPEC 7).

    Returns
    -------
    replicates : pandas.DataFrame
        One row per fraction and replicate: ``visible_fraction``, ``replicate``,
        ``observed`` (children's minus founders' mean liability) and ``selection``
        (coupled founders' minus all founders' mean liability), both in units of the
        founders' liability SD ``sigma_P``, and ``predicted = h^2 i(p)``.
    summary : pandas.DataFrame
        Indexed by ``visible_fraction``: the replicates' mean ``observed``,
        ``predicted`` and ``selection``, and the intensity ``i(p)``.

    Notes
    -----
    The breeder's equation ``R = h^2 S`` with ``S = i(p) sigma_P``,
    ``i(p) = phi(z_p) / p`` ([FM96]_ eq. 11.4): the notebook and
    ``tests/test_studies_dating.py`` check ``observed`` against ``predicted`` and
    ``selection`` against ``i(p)``.

    Examples
    --------
    >>> replicates, summary = truncation_response([0.5], size=2000, heritability=0.5,
    ...                                           n_replicates=1, rng=3)
    >>> summary.columns.tolist()
    ['observed', 'predicted', 'selection', 'intensity']
    """
    heritability = check_probability("heritability", heritability)
    blind = DatingMarket(slate_size=20, pool_size=20, position_bias="uniform")
    runs = sweep(simulate_generations, {"visible_fraction": list(fractions)},
                 n_replicates=n_replicates, rng=rng,
                 fixed=dict(founders=size, generations=1, ranking="liability",
                            heritability=heritability, market=blind))
    wide = (runs[runs.by == "all"]
            .pivot_table(index=["visible_fraction", "replicate"],
                         columns=["measure", "generation"], values="value"))
    sigma = wide["liability_sd", 0]
    replicates = pd.DataFrame({
        "observed": (wide["liability_mean", 1] - wide["liability_mean", 0]) / sigma,
        "selection": wide["selection_differential", 0] / sigma,
    }).reset_index()
    replicates["predicted"] = [heritability * selection_intensity(p)
                               for p in replicates.visible_fraction]
    summary = replicates.groupby("visible_fraction")[["observed", "predicted", "selection"]].mean()
    summary["intensity"] = [selection_intensity(p) for p in summary.index]
    return replicates, summary


def realised_response(runs, heritability, rankings=("score", "mixture")):
    """Observed shift of mean liability against ``h^2`` times the cumulative ``S_t``.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep`.
    heritability : float
        The ``h^2`` the runs used.
    rankings : sequence of str, default ("score", "mixture")
        The rankings to follow.

    Returns
    -------
    pandas.DataFrame
        Long: ``ranking``, ``replicate``, ``generation``, ``source`` (``"observed"``: mean
        liability minus the founders'; ``"predicted"``: ``h^2`` times the sum of the
        realised selection differentials of the generations before) and
        ``liability_shift``.

    Notes
    -----
    The breeder's equation generation by generation, ``R_t = h^2 S_t`` [FM96]_; the
    observed shift falls short as selection uses up genetic variance (the Bulmer effect),
    which a constant ``h^2`` ignores.
    """
    selected = _realised(overall_measures(runs), heritability, rankings)
    return selected.melt(id_vars=["ranking", "replicate", "generation"],
                         value_vars=["observed", "predicted"], var_name="source",
                         value_name="liability_shift")


def _realised(overall, heritability, rankings):
    """Wide measures of ``rankings`` with the ``observed`` and ``predicted`` shifts."""
    selected = overall[overall.ranking.isin(list(rankings))].sort_values("generation")
    per_replicate = selected.groupby(["ranking", "replicate"])
    return selected.assign(
        observed=selected.liability_mean - per_replicate.liability_mean.transform("first"),
        predicted=heritability * (per_replicate.selection_differential.cumsum()
                                  - selected.selection_differential),
    )


def realised_response_summary(runs, heritability, *, n_generations, grid):
    """The last generation's observed and predicted shifts, and score ranking's intensity.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep` with the rankings ``"score"`` and
        ``"mixture"``.
    heritability : float
        The ``h^2`` the runs used.
    n_generations : int
        The last generation.
    grid : array_like
        Increasing visible fractions in (0, 1] on which ``i(p)`` is inverted.

    Returns
    -------
    last : pandas.DataFrame
        Indexed by ranking: mean ``observed`` and ``predicted`` shift of mean liability at
        ``n_generations`` (see :func:`realised_response`) and their ``ratio``.
    s_over_sigma : float
        Score ranking's founding selection differential in units of ``sigma_P``.
    equivalent_fraction : float
        The top fraction ``p`` whose truncation has that intensity, ``i(p) = S / sigma_P``.
    """
    overall = overall_measures(runs)
    selected = _realised(overall, heritability, ("score", "mixture"))
    last = selected[selected.generation == n_generations].groupby("ranking")[
        ["observed", "predicted"]].mean()
    last["ratio"] = last.observed / last.predicted
    first_s = overall[(overall.generation == 0) & (overall.ranking == "score")]
    s_over_sigma = (first_s.selection_differential / first_s.liability_sd).mean()
    grid = np.asarray(grid, dtype=float)
    intensity = np.array([selection_intensity(p) for p in grid])
    equivalent_fraction = np.interp(s_over_sigma, intensity[::-1], grid[::-1])
    return last, float(s_over_sigma), float(equivalent_fraction)


def fair_ranking_trade_off(summary):
    """What the exposure-fair ranking costs in matches and saves in selection.

    Parameters
    ----------
    summary : pandas.DataFrame
        Indexed by ranking (including ``"fair"`` and ``"score"``), with columns
        ``match_rate`` and ``disposition_shift``.

    Returns
    -------
    dict
        ``cost`` (share of matches lost against the best ranking), ``gain`` (relative
        gain in matches over score ranking), ``saving`` (share of score ranking's shift
        in disposition it removes) and ``best`` (the ranking with most matches).

    Examples
    --------
    >>> summary = pd.DataFrame({"match_rate": [0.3, 0.5, 0.48],
    ...                         "disposition_shift": [0.3, 0.0, 0.003]},
    ...                        index=["score", "random", "fair"])
    >>> {k: round(v, 2) if k != "best" else v for k, v in fair_ranking_trade_off(summary).items()}
    {'cost': 0.04, 'gain': 0.6, 'saving': 0.99, 'best': 'random'}
    """
    return {
        "cost": float(1 - summary.match_rate["fair"] / summary.match_rate.max()),
        "gain": float(summary.match_rate["fair"] / summary.match_rate["score"] - 1),
        "saving": float(1 - summary.disposition_shift["fair"] / summary.disposition_shift["score"]),
        "best": str(summary.match_rate.idxmax()),
    }


NOTEBOOK = "07-dating-visibility"

#: The findings of notebook 07: id -> (measure of :func:`per_replicate`, treated ranking,
#: control ranking, statement). Each is a paired difference, replicate by replicate.
FINDINGS = {
    "dating.score-vs-random-disposition-shift": (
        "disposition_shift", "score", "random",
        "Ranking by score instead of at random changes the shift of mean disposition over "
        "the generations."),
    "dating.score-vs-appeal-disposition-shift": (
        "disposition_shift", "score", "appeal",
        "Ranking by score instead of by appeal changes the shift of mean disposition over "
        "the generations."),
    "dating.mixture-vs-random-disposition-shift": (
        "disposition_shift", "mixture", "random",
        "Ranking by a mixture of score and appeal instead of at random changes the shift of "
        "mean disposition over the generations."),
    "dating.fair-vs-random-disposition-shift": (
        "disposition_shift", "fair", "random",
        "An exposure-fair ranking instead of a random one changes the shift of mean "
        "disposition over the generations."),
    "dating.score-vs-random-minority-exposure": (
        "minority_exposure", "score", "random",
        "Ranking by score instead of at random changes the minority's share of all attention "
        "(founders)."),
    "dating.score-vs-appeal-minority-exposure": (
        "minority_exposure", "score", "appeal",
        "Ranking by score instead of by appeal changes the minority's share of all attention "
        "(founders)."),
    "dating.score-vs-random-match-rate": (
        "match_rate", "score", "random",
        "Ranking by score instead of at random changes the match rate (mean over "
        "generations)."),
    "dating.score-vs-appeal-match-rate": (
        "match_rate", "score", "appeal",
        "Ranking by score instead of by appeal changes the match rate (mean over "
        "generations)."),
    "dating.score-vs-random-minority-match-gap": (
        "minority_match_gap", "score", "random",
        "Ranking by score instead of at random changes the gap in match rate, majority minus "
        "minority (founders)."),
    "dating.score-vs-random-minority-share-end": (
        "minority_share_end", "score", "random",
        "Ranking by score instead of at random changes the minority's share of the last "
        "generation."),
}

# What each finding rests on, read from notebook 09's sensitivity table through the output
# that measures the same quantity: a ranking's change of the disposition shift or of the
# minority's share reads that output of the score-ranked market; the score ranking's change
# of exposure and match rates against random or appeal reads the dating_ranking model's
# paired contrast of the same measure and rankings (on the same founders and stream).
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402


def _output(finding_id):
    measure, treated, control, _ = FINDINGS[finding_id]
    if measure == "disposition_shift":
        return "dating.disposition_shift"
    if measure == "minority_share_end":
        return "dating.minority_share_change"
    if treated != "score":  # dating_ranking measures the score ranking's contrasts only
        return None
    return f"dating_ranking.{measure}_vs_{control}"


RESTS_ON = {finding_id: "; ".join(rests_on_entry(_output(finding_id)))
            for finding_id in FINDINGS}


def per_replicate(runs, n_generations):
    """The measures the findings compare, one row per ranking and replicate.

    Parameters
    ----------
    runs : pandas.DataFrame
        A frame of :func:`generations_sweep`.
    n_generations : int
        The last generation.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``ranking``, ``replicate``): ``disposition_shift`` (mean disposition,
        last minus founding generation), ``minority_exposure`` (the minority's share of
        attention among the founders), ``match_rate`` (mean over generations),
        ``minority_match_gap`` (founders' match rate, majority minus minority) and
        ``minority_share_end`` (the minority's share of the last generation); and ``pair``,
        the replicate: the rankings of one replicate start from the same founders and
        stream (:func:`generations_sweep`), so :func:`scorelab.compare` pairs them by it.
    """
    keys = ["ranking", "replicate"]
    overall = overall_measures(runs)
    start = overall[overall.generation == 0].set_index(keys)
    end = overall[overall.generation == n_generations].set_index(keys)
    founders = runs[runs.generation == 0]

    def founders_minority(measure):
        rows = founders[(founders.measure == measure) & (founders.by == "group")]
        return rows.pivot_table(index=keys, columns="group", values="value")

    matches = founders_minority("match_rate")
    minority_end = runs[(runs.measure == "group_share") & (runs.group == "minority")
                        & (runs.generation == n_generations)].set_index(keys)["value"]
    table = pd.DataFrame({
        "disposition_shift": end.disposition_mean - start.disposition_mean,
        "minority_exposure": founders_minority("exposure_share")["minority"],
        "match_rate": overall.groupby(keys).match_rate.mean(),
        "minority_match_gap": matches["majority"] - matches["minority"],
        "minority_share_end": minority_end,
    }).sort_index()
    return table.assign(pair=table.index.get_level_values("replicate"))


def _contrast(table, measure, treated, control):
    """Paired values of ``measure`` under two rankings (aligned by replicate)."""
    values = table.loc[treated, measure]
    counterfactual = table.loc[control, measure].reindex(values.index)
    return values.to_numpy(float), counterfactual.to_numpy(float)


def findings(runs, *, n_generations, n_citizens, seed, scale="default"):
    """The findings register of notebook 07 from a paired :func:`generations_sweep`.

    Parameters
    ----------
    runs : pandas.DataFrame
        A :func:`generations_sweep` over (at least) the rankings "score", "mixture",
        "appeal", "random" and "fair".
    n_generations : int
        The last generation.
    n_citizens : int
        Citizens per generation.
    seed : int
        The notebook's root seed.
    scale : {"default", "full"}, default "default"

    Returns
    -------
    pandas.DataFrame
        A validated register, one row per entry of :data:`FINDINGS`: the mean paired
        difference (treated minus control ranking, replicate by replicate on the same
        founders) with its 95 % Student-t interval.

    Notes
    -----
    The breeder's-equation comparisons of the notebook are a reproduction check of the
    inheritance model, not findings.
    """
    table = per_replicate(runs, n_generations)
    rows = []
    for finding_id, (measure, treated, control, statement) in FINDINGS.items():
        values, counterfactual = _contrast(table, measure, treated, control)
        rows.append(finding(
            finding_id, values, counterfactual=counterfactual, notebook=NOTEBOOK,
            statement=f"{statement} After {n_generations} generations.", n_citizens=n_citizens,
            seed=seed, scale=scale, rests_on=RESTS_ON[finding_id].split("; ")))
    return findings_frame(rows)


def contrast_by_setting(runs, *, n_generations, treated="score", control="random",
                        measure="disposition_shift", by=()):
    """A paired contrast of two rankings at every setting of a sweep, with intervals.

    Parameters
    ----------
    runs : pandas.DataFrame
        Frames of :func:`generations_sweep` concatenated with the setting columns ``by``
        (e.g. ``heritability``) in front.
    n_generations : int or None
        The generation to read; ``None`` reads every generation (column ``generation``
        in the result; the shift is then measured from the founders to that
        generation).
    treated, control : str, default "score" and "random"
        The rankings compared.
    measure : str, default "disposition_shift"
        A column of :func:`per_replicate`.
    by : sequence of str
        The setting columns.

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``by`` columns, ``difference`` (mean paired difference),
        ``low``, ``high`` (95 % Student-t interval), ``n`` and ``resolved``.
    """
    by = list(by)
    rows = []
    generations = ([n_generations] if n_generations is not None
                   else sorted(runs["generation"].unique()))
    groups = runs.groupby(by, sort=False) if by else [((), runs)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for generation in generations:
            if generation == 0 and measure == "disposition_shift":
                continue
            table = per_replicate(part, generation)
            values, counterfactual = _contrast(table, measure, treated, control)
            row = finding("dating.contrast", values, counterfactual=counterfactual,
                          notebook=NOTEBOOK, statement="contrast", n_citizens=1, seed=0)
            rows.append({**dict(zip(by, key)),
                         **({"generation": generation} if n_generations is None else {}),
                         "difference": row["estimate"], "low": row["ci_low"],
                         "high": row["ci_high"], "n": row["replicates"],
                         "resolved": row["resolved"]})
    return pd.DataFrame(rows)
