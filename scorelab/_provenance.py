"""Where a result came from: the git commit of the code that produced it, and whether the
working tree differed from that commit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git_state(folder=None):
    """The commit checked out at ``folder`` and whether tracked files differ from it.

    ``folder`` defaults to the folder of the imported scorelab package, so the state is
    that of the code that computed a result, wherever the caller runs.

    Returns ``{"commit": None, "dirty": None}`` outside a git checkout or without git, so
    that a result computed from an unpacked tarball still saves (and says it cannot tell).
    Untracked files do not make the tree dirty: results written next to the code are
    untracked until committed. Nor do changes under ``results/``: ``make full`` rewrites
    the committed full-scale results there while it runs, and they are outputs, not code.

    >>> state = git_state()
    >>> sorted(state)
    ['commit', 'dirty']
    """
    git = shutil.which("git")
    folder = Path(folder) if folder is not None else Path(__file__).resolve().parent
    if git is None:
        return {"commit": None, "dirty": None}

    def run(*args):
        return subprocess.run(
            [git, *args], cwd=folder, capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()

    try:
        commit = run("rev-parse", "HEAD")
        changes = run("status", "--porcelain", "--untracked-files=no", "--",
                      ":(top,exclude)results")
    except (subprocess.SubprocessError, OSError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(changes)}
