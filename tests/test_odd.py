"""The ODD model description stays in step with the code it describes."""

import dataclasses
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scorelab import dynamics
from scorelab._odd import documented_defaults, parameter_table, parameter_tables
from scorelab.dynamics import GameConfig
from scorelab.scoring import ScoringPolicy

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_committed_parameter_tables_equal_a_fresh_generation():
    committed = (DOCS / "odd-parameters.md").read_text()
    assert committed == parameter_tables(), (
        "docs/odd-parameters.md is out of date: run python tools/odd_tables.py")


def test_the_tool_checks_and_writes_the_same_tables():
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "odd_tables.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("cls", [GameConfig, ScoringPolicy])
def test_one_row_per_field_with_the_codes_default(cls):
    table = parameter_table(cls)
    rows = [line for line in table.splitlines()[2:]]
    fields = dataclasses.fields(cls)
    assert [re.match(r"\| `(\w+)` \|", row)[1] for row in rows] == [f.name for f in fields]
    instance = cls()
    for row, field in zip(rows, fields):
        value = getattr(instance, field.name)
        if isinstance(value, float) and not isinstance(value, bool):
            assert row.split(" | ")[1] == f"{value:g}", field.name


@pytest.mark.parametrize("cls", [GameConfig, ScoringPolicy])
def test_docstring_defaults_agree_with_the_code(cls):
    stated = documented_defaults(cls)
    assert len(stated) >= 4  # the check reads something
    instance = cls()
    wrong = {name: (number, getattr(instance, name)) for name, number in stated.items()
             if getattr(instance, name) != number}
    assert not wrong, f"docstring default differs from the code: {wrong}"


def test_an_undocumented_field_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Config:
        """A config.

        Parameters
        ----------
        rate : float, default 0.5
            A rate in ``[0, 1]`` with a | in it.
        """

        rate: float = 0.5
        hidden: int = 3

    with pytest.raises(ValueError, match=r"undocumented \['hidden'\], not fields \[\]"):
        parameter_table(Config)
    Config.__doc__ = Config.__doc__.replace("    Parameters", "    Notes")
    with pytest.raises(ValueError, match="has no Parameters section"):
        parameter_table(Config)


def test_markup_becomes_markdown():
    @dataclasses.dataclass(frozen=True)
    class Config:
        """A config.

        Parameters
        ----------
        rate, other : float, default 0.5
            See :func:`~scorelab.propagate` and ``x | y``.

        Returns
        -------
        nothing
        """

        rate: float = 0.5
        other: float = 0.25

    rows = parameter_table(Config).splitlines()[2:]
    assert rows == [
        "| `rate` | 0.5 | float | See `scorelab.propagate` and `x \\| y`. |",
        "| `other` | 0.25 | float | See `scorelab.propagate` and `x \\| y`. |",
    ]


def test_odd_page_has_every_element_and_includes_the_tables():
    page = (DOCS / "odd.md").read_text()
    headings = re.findall(r"^## (.+)$", page, re.M)
    assert headings[:7] == [
        "1. Purpose and patterns",
        "2. Entities, state variables and scales",
        "3. Process overview and scheduling",
        "4. Design concepts",
        "5. Initialisation",
        "6. Input data",
        "7. Submodels",
    ]
    assert "```{include} odd-parameters.md" in page
    for concept in ("Basic principles", "Emergence", "Adaptation", "Objectives", "Learning",
                    "prediction", "Sensing", "Interaction", "Stochasticity", "Collectives",
                    "Observation"):
        assert f"**{concept}" in page or f"**{concept}**" in page, concept


def test_odd_schedule_is_the_order_simulate_runs_the_stages():
    source = inspect.getsource(dynamics.simulate)
    loop = source[source.index("for step in"):]
    stages = [s for s in re.findall(r"state\.(\w+)\(", loop)
              if s not in ("measure", "snapshot", "society")]
    page = (DOCS / "odd.md").read_text()
    schedule = page[page.index("## 3. Process overview"):page.index("## 4. Design concepts")]
    listed = re.findall(r"^\d\. `(\w+)`", schedule, re.M)
    assert listed == stages, "docs/odd.md section 3 lists the stages out of simulate's order"
    submodels = page[page.index("## 7. Submodels"):]
    titled = [t.lower() for t in re.findall(r"\*\*7\.\d (\w+)\.\*\*", submodels)]
    assert titled == stages


@pytest.mark.parametrize("cls", [GameConfig, ScoringPolicy])
def test_every_parameter_appears_in_the_text(cls):
    # The generated table lists every field; the text must also say where each one acts
    # (GameConfig.policy is the ScoringPolicy itself, described field by field).
    page = (DOCS / "odd.md").read_text()
    missing = [f.name for f in dataclasses.fields(cls)
               if f.name != "policy" and not re.search(rf"\b{f.name}\b", page)]
    assert not missing, f"docs/odd.md never mentions {missing}"
