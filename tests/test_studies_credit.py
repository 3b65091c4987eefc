"""Credit study (notebook 06): the findings register and the reproduction checks."""

import numpy as np
import pandas as pd
import pytest

from scorelab.experiments import sweep
from scorelab.findings import validate_findings
from scorelab.lending import RULES, CreditPopulation, LoanTerms, compare_rules
from scorelab.studies.credit import (FINDINGS, RESTS_ON, association_errors, findings,
                                     reproduction_checks)

SCORES = np.linspace(300.0, 850.0, 12)
POPULATION = CreditPopulation(
    pd.DataFrame({"White": np.linspace(0.02, 0.15, 12), "Black": np.linspace(0.15, 0.02, 12)},
                 index=SCORES).div([np.linspace(0.02, 0.15, 12).sum(),
                                    np.linspace(0.15, 0.02, 12).sum()]),
    pd.DataFrame({"White": np.linspace(0.3, 0.99, 12), "Black": np.linspace(0.25, 0.98, 12)},
                 index=SCORES),
    pd.Series({"White": 4, "Black": 1}),
)


def errors_at(alpha, n_replicates=3):
    return sweep(association_errors, {"rule": list(RULES), "alpha": [alpha]},
                 n_replicates=n_replicates, rng=11,
                 fixed=dict(n_borrowers=400, n_rounds=3, population=POPULATION))


@pytest.fixture(scope="module")
def errors():
    return errors_at(0.4)


def test_register_is_valid_stable_and_paired(errors):
    register = findings(errors, alpha=0.4, n_borrowers=400, seed=11)
    validate_findings(register)
    assert register["id"].tolist() == list(FINDINGS)
    assert set(RESTS_ON) == set(FINDINGS)
    assert (register["notebook"] == "06-credit-delayed-impact").all()
    assert (register["replicates"] == 3).all() and (register["null"] == 0).all()
    # resolved means the interval excludes 0, and the estimate is the mean paired difference
    assert (register["resolved"] == ((register.ci_low > 0) | (register.ci_high < 0))).all()
    runs = errors[(errors.rule == "max_profit") & (errors.group == "Black")]
    row = register.set_index("id").loc["credit.max-profit-refuses-more-black-repayers"]
    assert row["estimate"] == pytest.approx(runs["refused_repayers_difference"].mean())
    gap = errors[errors.rule == "equal_opportunity"].drop_duplicates("replicate")
    assert register.set_index("id").loc["credit.equal-opportunity-gap-change", "estimate"] \
        == pytest.approx(gap["gap_difference"].mean())
    # the same sweep gives the same register
    again = findings(errors, alpha=0.4, n_borrowers=400, seed=11)
    pd.testing.assert_frame_equal(register, again)


def test_without_association_nothing_is_resolved():
    # the counterfactual against itself: every paired difference is exactly 0
    register = findings(errors_at(0.0, n_replicates=2), alpha=0.0, n_borrowers=400, seed=11)
    assert (register["estimate"] == 0).all()
    assert not register["resolved"].any()


def test_findings_rejects_a_missing_alpha_or_rule(errors):
    with pytest.raises(ValueError, match="alpha = 0.2"):
        findings(errors, alpha=0.2, n_borrowers=400, seed=11)
    with pytest.raises(ValueError, match="demographic_parity"):
        findings(errors[errors.rule != "demographic_parity"], alpha=0.4, n_borrowers=400,
                 seed=11)


def test_reproduction_checks_can_fail():
    one_step = compare_rules(POPULATION)
    checks = reproduction_checks(one_step)
    assert len(checks) == 5 and all(isinstance(v, bool) for v in checks.values())
    # a lender that loses nothing on a default lends to everyone under every rule, and a
    # default costs the borrower nothing: no rule harms anyone, so the harm check fails
    lenient = compare_rules(POPULATION, terms=LoanTerms(loss=-0.01, default_change=0.0))
    assert not reproduction_checks(lenient)[
        "demographic parity harms the Black group (delta mu < 0)"]
