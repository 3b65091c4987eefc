"""Plots shared by the notebooks: one seaborn theme, functions that take ``ax=None``.

Every function draws on the Axes it is given (or a new one) and returns it, so that a
notebook composes figures and saves them with :func:`scorelab.reporting.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import seaborn as sns

from scorelab._validation import check_rng

#: score colours: low (red) to high (blue), the same in every figure
SCORE_CMAP = "RdYlBu"


def set_theme():
    """The seaborn theme every scorelab figure uses."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")


def _axes(ax, figsize=(6, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_scores(G, scores, *, ax=None, pos=None, vmin=350, vmax=950, node_size=60,
                groups=None, title=None, rng=None):
    """Draw a (small) network with citizens coloured by score.

    Parameters
    ----------
    G : networkx.Graph
        The ties to draw (convert a society with :func:`scorelab.society.to_networkx`).
    scores : pandas.Series
        Score per node.
    ax : matplotlib Axes, optional
    pos : dict, optional
        Node positions; default a seeded spring layout, so the same seed gives the same
        drawing (pass the same ``pos`` to compare two panels).
    vmin, vmax : float
        Colour scale limits (the score scale).
    groups : pandas.Series, optional
        Group per node; the first group is drawn as circles, the others as squares, etc.
    title : str, optional
    rng : seed for the layout.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, figsize=(5, 5))
    if pos is None:
        seed = int(np.random.default_rng(check_rng(rng)).integers(2**31))
        pos = nx.spring_layout(G, seed=seed)
    nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.25, width=0.6)
    nodes = list(G)
    values = np.asarray([scores[v] for v in nodes])
    markers = "osD^v"
    labels = [None] if groups is None else list(dict.fromkeys(groups[v] for v in nodes))
    for k, label in enumerate(labels):
        chosen = [i for i, v in enumerate(nodes) if groups is None or groups[v] == label]
        nx.draw_networkx_nodes(
            G, pos, nodelist=[nodes[i] for i in chosen], node_color=values[chosen],
            cmap=SCORE_CMAP, vmin=vmin, vmax=vmax, node_size=node_size,
            node_shape=markers[k % len(markers)], ax=ax, label=label,
            edgecolors="0.3", linewidths=0.4,
        )
    mappable = plt.cm.ScalarMappable(cmap=SCORE_CMAP, norm=plt.Normalize(vmin, vmax))
    ax.figure.colorbar(mappable, ax=ax, shrink=0.7, label="score")
    if groups is not None:
        legend = ax.legend(loc="lower left", fontsize="small", frameon=True)
        for handle in legend.legend_handles:  # shapes mark groups; colour is the score
            handle.set_array(None)
            handle.set_facecolor("0.7")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
