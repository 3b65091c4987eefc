"""Where data kept outside the repository comes from: a user's folder, the cache, or a download.

The FICO TransRisk tables (three CSV files, 1.5 MB) are public figures of the Federal
Reserve's 2007 report to Congress, published with the code of Hardt, Price & Srebro (2016)
and Liu et al. (2018). scorelab never ships them. :func:`fico_folder` says where they are
read from:

1. ``$SCORELAB_FICO_DIR`` when it is set: the tables are read from there as they are, and
   nothing is ever downloaded;
2. otherwise the user's cache folder, ``pooch.os_cache("scorelab") / "fico"``
   (``~/.cache/scorelab/fico`` on Linux), which :func:`fetch_fico` fills once from a public
   copy, checking every file against the SHA-256 pinned below.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The public copy of the tables: the repository of the fairmlbook (Barocas, Hardt &
#: Narayanan), which carries the same three files as the code of Liu et al. (2018).
FICO_URL = (
    "https://raw.githubusercontent.com/fairmlbook/fairmlbook.github.io/master/"
    "code/creditscore/data/"
)

#: SHA-256 of each table. They were computed (``sha256sum``) on the copies this project has
#: used since notebook 06 was written, which came from that public repository; the machine
#: that pinned them had no internet, so the download itself was not re-checked there. A
#: download whose hash differs is rejected by pooch, never read.
FICO_SHA256 = {
    "totals.csv": "60ba4af53f9e61dedad3a5c4246390e666760e7552c98b08084dd3abf6b73f13",
    "transrisk_cdf_by_race_ssa.csv":
        "04c9691aa4b9fad43cc9722bc35a7d3f3f02ae1d724d49ae9d3bbe153f5b4f67",
    "transrisk_performance_by_race_ssa.csv":
        "77af654ac4173978c3cdb3a9186becb12ec35666d9e34e5b666a6a3972692ff9",
}

#: The environment variable that names a folder holding the tables (no download then).
FICO_ENV = "SCORELAB_FICO_DIR"


class DataUnavailableError(FileNotFoundError):
    """Data that a computation needs is neither on disk nor downloadable right now.

    ``make report`` shows a notebook that raises it as *skipped*, with the message, rather
    than as failed: the message says in one sentence how to get the data.
    """


def fico_cache():
    """The cache folder the FICO tables are downloaded into (it may not exist yet)."""
    import pooch

    return Path(pooch.os_cache("scorelab")) / "fico"


def fico_folder():
    """The folder the FICO tables are read from: ``$SCORELAB_FICO_DIR``, else the cache."""
    configured = os.environ.get(FICO_ENV)
    return Path(configured) if configured else fico_cache()


def fetch_fico(*, cache=None, base_url=FICO_URL, downloader=None):
    """Make sure the FICO tables are in the cache, downloading any that are missing.

    Parameters
    ----------
    cache : path-like, optional
        Folder to keep the tables in; default :func:`fico_cache`.
    base_url : str
        Where the public copy lives (the file names are appended).
    downloader : callable, optional
        A pooch downloader ``downloader(url, output_file, pooch)``; default chosen by pooch
        from the URL (HTTPS). Tests pass one that copies local files.

    Returns
    -------
    pathlib.Path
        The folder holding the three verified tables.

    Raises
    ------
    DataUnavailableError
        A table is not cached and cannot be downloaded (e.g. offline); the message says how
        to get the tables.
    ValueError
        A downloaded file does not match its pinned SHA-256 (from pooch).
    """
    import pooch

    folder = Path(cache) if cache is not None else fico_cache()
    store = pooch.create(path=folder, base_url=base_url,
                         registry={name: f"sha256:{digest}" for name, digest in FICO_SHA256.items()})
    for name in FICO_SHA256:
        try:
            store.fetch(name, downloader=downloader)
        except OSError as error:  # requests' ConnectionError and Timeout are OSErrors
            raise DataUnavailableError(
                f"The FICO TransRisk tables are not in {folder} and could not be downloaded "
                f"from {base_url} ({type(error).__name__}); run once with internet access, "
                f"or put {', '.join(FICO_SHA256)} in a folder and set {FICO_ENV} to it."
            ) from error
    return folder
