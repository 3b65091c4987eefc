"""Dating visibility: score-ranked exposure, two-sided matching and selection over generations.

The essay's dating site "shows the profiles of high scorers first", which it calls
"tantamount to selective breeding ... for compliance". This subpackage makes the claim
testable in four layers, one module each, every one importing only the layers above it:

1. **Exposure** (:mod:`scorelab.dating.exposure`). A *ranking* is an array of citizen ids,
   best first; a *set of rankings* is a 2-D array (searchers x slate positions) or a list
   of rankings. Position rank j (1-based) gets the attention ``v_j`` of a position-bias
   model (:func:`position_weights`); :func:`citizen_exposure`, :func:`group_exposure`,
   :func:`exposure_disparity` and :func:`dating_exposure` measure who is seen.
2. **Ranking policies** (:mod:`scorelab.dating.rankings`: :data:`RANKING_POLICIES`,
   :func:`draw_slates`, the site's settings :class:`DatingMarket`): every searcher gets a
   *pool* of the other side's visible profiles (those online today, say) and sees the top
   ``slate_size`` of it, ordered by displayed score, by the searcher's own perceived
   appeal, by a mixture of the two, at random, by any numeric column, or by an
   exposure-fair stochastic policy.
3. **Two-sided matching** (:mod:`scorelab.dating.market`, :func:`match_market`):
   searchers examine their slate with position bias and like with a probability from
   appeal and score; each like lands in the receiver's inbox, which is examined the same
   way; a match needs both to like (the apply-and-reply market of Su, Bayoumi & Joachims
   2022); matches become couples one-to-one.
4. **Generations** (:mod:`scorelab.dating.generations`, :func:`simulate_generations`):
   couples have children whose disposition is inherited on a latent liability scale
   (genes with heritability ``h^2``, cultural transmission, noise); the children form the
   next society and market.

Everything runs as whole-population NumPy operations: a market of 10^5 profiles per side
ranks and matches in one to two seconds on 2 cores, about 20 times faster than a
per-searcher Python loop (``benchmarks/dating.py``).

References
----------
.. [SJ18] A. Singh and T. Joachims (2018), "Fairness of exposure in rankings", Proc. 24th
   ACM SIGKDD, 2219-2228. https://doi.org/10.1145/3219819.3220088
.. [SBJ22] Y. Su, M. Bayoumi and T. Joachims (2022), "Optimizing rankings for
   recommendation in matching markets", Proc. ACM Web Conference (WWW '22), 328-338.
   https://doi.org/10.1145/3485447.3511977
.. [FM96] D. S. Falconer and T. F. C. Mackay (1996), Introduction to Quantitative
   Genetics, 4th ed., Longman, chapters 11-12 (truncation selection, R = h^2 S).
"""

from scorelab.dating.exposure import (
    POSITION_BIAS_MODELS,
    citizen_exposure,
    dating_exposure,
    exposure_disparity,
    group_exposure,
    position_weights,
)
from scorelab.dating.generations import (
    GENERATION_COLUMNS,
    SIDES,
    Founders,
    selection_intensity,
    simulate_generations,
)
from scorelab.dating.market import MarketOutcome, match_market
from scorelab.dating.rankings import RANKING_POLICIES, DatingMarket, draw_slates

__all__ = [
    "GENERATION_COLUMNS",
    "POSITION_BIAS_MODELS",
    "RANKING_POLICIES",
    "SIDES",
    "DatingMarket",
    "Founders",
    "MarketOutcome",
    "citizen_exposure",
    "dating_exposure",
    "draw_slates",
    "exposure_disparity",
    "group_exposure",
    "match_market",
    "position_weights",
    "selection_intensity",
    "simulate_generations",
]
