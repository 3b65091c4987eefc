"""Shared defaults: the one two-group society every study starts from, unless told otherwise.

Every study function of :mod:`scorelab.studies` takes its society's defaults from here, so
that two studies called with their defaults describe the same society, and a result that
depends on a default says which. A notebook that studies another setting passes it
explicitly and names it as its scenario choice.

- ``GROUPS = ("majority", "minority")``: group labels, majority first.
- ``MINORITY_SHARE = 0.2``: the minority's share of the citizens; ``GROUP_SHARES =
  (0.8, 0.2)`` the groups' shares in ``GROUPS`` order.
- ``HOMOPHILY = 0.7``: share in [0, 1] of ties kept within the own group beyond what group
  sizes give (:func:`~scorelab.society.homophilous_sbm`).
- ``MEAN_DEGREE = 10.0``: mean number of ties per citizen.
- ``MINORITY_WEALTH = 0.6``: the minority's median wealth, the majority's being 1
  (:class:`~scorelab.society.GroupProfile`), in the studies that model a wealth gap.
- ``ALPHA = 0.3``: the association weight, ``ScoringPolicy.alpha``.

Studies that model no wealth gap (feedback, self-censorship, norms) give both groups the
same :class:`~scorelab.society.GroupProfile`: their minority differs in size and ties only.
The society generators of :mod:`scorelab.society` (``homophilous_sbm`` and the like) keep
their own neutral defaults (homophily 0.5): they are building blocks, not a study's
setting.

Examples
--------
>>> from scorelab import defaults
>>> defaults.GROUP_SHARES
(0.8, 0.2)
>>> from scorelab.scoring import ScoringPolicy
>>> ScoringPolicy().alpha == defaults.ALPHA
True
"""

GROUPS = ("majority", "minority")
MINORITY_SHARE = 0.2
GROUP_SHARES = (1 - MINORITY_SHARE, MINORITY_SHARE)
HOMOPHILY = 0.7
MEAN_DEGREE = 10.0
MINORITY_WEALTH = 0.6
ALPHA = 0.3

__all__ = ["GROUPS", "MINORITY_SHARE", "GROUP_SHARES", "HOMOPHILY", "MEAN_DEGREE",
           "MINORITY_WEALTH", "ALPHA"]
