"""Tests for scorelab.scoring: closed forms, a slow reference, properties and validation."""

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtr

from scorelab.scoring import (
    approval_rates,
    decayed_counts,
    displayed_start,
    mislabel_acts,
    reference_standard,
    score_against,
    DOMAINS,
    WEALTH_HALF,
    ActRecord,
    ScoringPolicy,
    draw_acts,
    own_score,
    running_scores,
)


def make_record(approved, disapproved):
    """An ActRecord from nested lists (rows = citizens, columns = DOMAINS)."""
    return ActRecord(pd.DataFrame(approved, columns=DOMAINS, dtype=float),
                     pd.DataFrame(disapproved, columns=DOMAINS, dtype=float))


def reference_own_score(record, policy, participants):
    """Slow, obvious per-citizen implementation of own_score, to check the fast one."""
    weights = policy.weights
    rates = []
    for citizen in record.index:
        total_weight = weighted = 0.0
        for domain in DOMAINS:
            a = record.approved.loc[citizen, domain]
            d = record.disapproved.loc[citizen, domain]
            weighted += weights[domain] * (a + policy.prior_strength / 2) / (
                a + d + policy.prior_strength)
            total_weight += weights[domain]
        rates.append(weighted / total_weight)
    span = policy.score_max - policy.score_min
    if policy.standard == "absolute":
        return [policy.score_min + span * r for r in rates]
    if policy.reference == "participants":
        reference = [r for r, joined in zip(rates, participants) if joined]
    else:
        reference = rates
    mean = sum(reference) / len(reference)
    sd = math.sqrt(sum((r - mean) ** 2 for r in reference) / len(reference))
    sd = max(sd, policy.standard_spread_floor)
    return [policy.score_min + span * 0.5 * (1 + math.erf((r - mean) / sd / math.sqrt(2)))
            for r in rates]


@pytest.fixture
def citizens():
    n = 4000
    return pd.DataFrame(
        {"disposition": np.full(n, 0.3), "wealth": np.full(n, 1.0)},
        index=pd.RangeIndex(n, name="citizen"),
    )


# --- closed forms ------------------------------------------------------------------------

def test_two_citizens_absolute_standard_closed_form():
    # citizen 0: 18 approved, 0 disapproved per domain -> r = 19/20 = 0.95
    # citizen 1: 8 approved, 10 disapproved            -> r = 9/20 = 0.45
    record = make_record([[18] * 4, [8] * 4], [[0] * 4, [10] * 4])
    scores = own_score(record, ScoringPolicy(standard="absolute"))
    np.testing.assert_allclose(scores, [350 + 600 * 0.95, 350 + 600 * 0.45])
    assert scores.name == "own_score"
    assert scores.index.equals(record.index)


def test_two_citizens_relative_standard_closed_form():
    # r = (0.95, 0.45): mean 0.7, population sd 0.25, so z = +1 and -1
    record = make_record([[18] * 4, [8] * 4], [[0] * 4, [10] * 4])
    scores = own_score(record, ScoringPolicy())
    np.testing.assert_allclose(scores, [350 + 600 * ndtr(1.0), 350 + 600 * ndtr(-1.0)])


def test_domain_weights_and_prior_strength_closed_form():
    # finance: 3 approved of 3; speech: 0 of 3; other domains weight 0.
    record = make_record([[3, 7, 0, 7]], [[0, 0, 3, 0]])
    policy = ScoringPolicy(domain_weights={"finance": 3.0, "speech": 1.0},
                           prior_strength=4.0, standard="absolute", score_min=0,
                           score_max=1)
    # finance (3 + 2) / (3 + 4) = 5/7, speech (0 + 2) / (3 + 4) = 2/7
    expected = 0.75 * 5 / 7 + 0.25 * 2 / 7
    assert record.approval_rate(policy).iloc[0] == pytest.approx(expected)
    assert own_score(record, policy).iloc[0] == pytest.approx(expected)


def test_no_acts_scores_the_middle_of_the_scale():
    record = make_record([[0] * 4] * 3, [[0] * 4] * 3)
    np.testing.assert_allclose(record.approval_rate(ScoringPolicy()), 0.5)
    np.testing.assert_allclose(own_score(record, ScoringPolicy()), 650.0)
    np.testing.assert_allclose(own_score(record, ScoringPolicy(standard="absolute")), 650.0)


def test_spread_floor_keeps_a_uniform_reference_finite():
    # Everyone but citizen 2 is identical: the reference sd is 0, floored at 0.05.
    record = make_record([[10] * 4, [10] * 4, [0] * 4], [[0] * 4, [0] * 4, [10] * 4])
    participants = np.array([True, True, False])
    scores = own_score(record, ScoringPolicy(), participants=participants)
    rate = record.approval_rate(ScoringPolicy())
    z = (rate.iloc[2] - rate.iloc[0]) / 0.05
    np.testing.assert_allclose(scores, [650.0, 650.0, 350 + 600 * ndtr(z)])
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("standard", ["relative", "absolute"])
@pytest.mark.parametrize("reference", ["participants", "all"])
def test_vectorised_matches_slow_reference(standard, reference):
    rng = np.random.default_rng(3)
    n = 25
    approved = rng.uniform(0, 12, size=(n, 4))
    disapproved = rng.uniform(0, 12, size=(n, 4))
    record = make_record(approved, disapproved)
    participants = rng.random(n) < 0.4
    policy = ScoringPolicy(domain_weights={"finance": 2, "consumption": 1, "social": 0.5},
                           standard=standard, reference=reference, prior_strength=1.5)
    fast = own_score(record, policy, participants=participants)
    np.testing.assert_allclose(fast, reference_own_score(record, policy, participants))


def test_absolute_standard_stays_within_the_scale():
    record = make_record([[1e9] * 4, [0] * 4], [[0] * 4, [1e9] * 4])
    policy = ScoringPolicy(standard="absolute")
    scores = own_score(record, policy)
    assert (scores > policy.score_min).all() and (scores < policy.score_max).all()
    np.testing.assert_allclose(scores, [policy.score_max, policy.score_min], atol=1e-5)


# --- properties ----------------------------------------------------------------------------

counts = st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(min_value=1, max_value=6),
    standard=st.sampled_from(["relative", "absolute"]),
    reference=st.sampled_from(["participants", "all"]),
    extra=st.floats(min_value=0, max_value=30, allow_nan=False),
)
def test_more_approved_acts_never_lower_own_score(data, n, standard, reference, extra):
    approved = data.draw(st.lists(st.lists(counts, min_size=4, max_size=4),
                                  min_size=n, max_size=n))
    disapproved = data.draw(st.lists(st.lists(counts, min_size=4, max_size=4),
                                     min_size=n, max_size=n))
    participants = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    participants[0] = True  # a non-empty reference
    citizen = data.draw(st.integers(min_value=0, max_value=n - 1))
    domain = data.draw(st.integers(min_value=0, max_value=3))
    policy = ScoringPolicy(standard=standard, reference=reference)

    before = own_score(make_record(approved, disapproved), policy, participants=participants)
    approved[citizen][domain] += extra
    after = own_score(make_record(approved, disapproved), policy, participants=participants)
    assert after.iloc[citizen] >= before.iloc[citizen] - 1e-9


def test_stricter_standard_lowers_everyone_elses_score():
    rng = np.random.default_rng(11)
    citizens = pd.DataFrame({"disposition": rng.uniform(0, 1, 300), "wealth": 1.0})
    record = draw_acts(citizens, rng=rng)
    rate = record.approval_rate(ScoringPolicy())
    conformists = (rate >= rate.quantile(0.8)).to_numpy()

    strict = own_score(record, ScoringPolicy(reference="participants"),
                       participants=conformists)
    everyone = own_score(record, ScoringPolicy(reference="all"), participants=conformists)
    assert (strict[~conformists] < everyone[~conformists]).all()


def test_non_participants_are_still_scored():
    record = make_record([[5] * 4, [1] * 4], [[1] * 4, [5] * 4])
    scores = own_score(record, ScoringPolicy(), participants=[True, False])
    assert scores.notna().all()
    assert scores.iloc[0] == pytest.approx(650.0)  # the lone participant is the standard
    assert scores.iloc[1] < 650.0


def test_participants_series_is_aligned_on_the_index():
    record = make_record([[5] * 4, [1] * 4, [3] * 4], [[1] * 4, [5] * 4, [3] * 4])
    mask = np.array([True, False, True])
    shuffled = pd.Series(mask, index=record.index)[[2, 0, 1]]
    pd.testing.assert_series_equal(
        own_score(record, ScoringPolicy(), participants=shuffled),
        own_score(record, ScoringPolicy(), participants=mask),
    )


# --- the running record ------------------------------------------------------------------

def test_decay_of_a_constant_record_converges_to_new_over_one_minus_memory():
    new = make_record([[2, 0, 1, 4]], [[1, 3, 0, 0]])
    memory = 0.8
    running = new
    for step in range(1, 120):
        running = running.decayed(new, memory)
        if step == 3:  # closed form R_t = N (1 - m^(t+1)) / (1 - m)
            factor = (1 - memory**4) / (1 - memory)
            np.testing.assert_allclose(running.approved, new.approved * factor)
    np.testing.assert_allclose(running.approved, new.approved / (1 - memory))
    np.testing.assert_allclose(running.disapproved, new.disapproved / (1 - memory))


def test_memory_zero_keeps_only_the_newest_acts():
    old = make_record([[9] * 4], [[0] * 4])
    new = make_record([[1, 2, 3, 4]], [[4, 3, 2, 1]])
    latest = old.decayed(new, memory=0.0)
    pd.testing.assert_frame_equal(latest.approved, new.approved)
    pd.testing.assert_frame_equal(latest.disapproved, new.disapproved)


def test_running_scores_match_own_score_of_the_decayed_record():
    rng = np.random.default_rng(5)
    citizens = pd.DataFrame({"disposition": rng.uniform(0, 1, 50), "wealth": 2.0})
    records = [draw_acts(citizens, n_acts=5, rng=rng) for _ in range(4)]
    policy = ScoringPolicy(memory=0.6)
    scores = running_scores(records, policy)
    assert list(scores.columns) == [0, 1, 2, 3]
    assert scores.index.equals(citizens.index)

    running = records[0]
    for new in records[1:]:
        running = running.decayed(new, 0.6)
    np.testing.assert_allclose(scores[3], own_score(running, policy))
    np.testing.assert_allclose(scores[0], own_score(records[0], policy))


def test_running_scores_of_a_constant_record_converge():
    new = make_record([[3] * 4, [1] * 4], [[1] * 4, [3] * 4])
    policy = ScoringPolicy(standard="absolute", memory=0.5)
    scores = running_scores([new] * 60, policy)
    limit = ActRecord(new.approved / 0.5, new.disapproved / 0.5)
    np.testing.assert_allclose(scores[59], own_score(limit, policy))


def test_running_scores_accept_participants_per_step():
    record = make_record([[5] * 4, [1] * 4, [3] * 4], [[1] * 4, [5] * 4, [3] * 4])
    rollout = np.array([[True, True], [False, True], [False, True]])  # mandatory at step 1
    policy = ScoringPolicy(memory=0.0)
    scores = running_scores([record, record], policy, participants=rollout)
    np.testing.assert_allclose(scores[0], own_score(record, policy, participants=rollout[:, 0]))
    np.testing.assert_allclose(scores[1], own_score(record, policy, participants=rollout[:, 1]))
    assert scores.loc[1, 0] < scores.loc[1, 1]  # the early joiner's standard is stricter


def test_add_sums_counts():
    one = make_record([[1, 2, 3, 4]], [[0, 1, 0, 1]])
    total = one + one
    np.testing.assert_allclose(total.approved, [[2, 4, 6, 8]])
    np.testing.assert_allclose(total.disapproved, [[0, 2, 0, 2]])


# --- drawing acts ------------------------------------------------------------------------

def test_draw_acts_matches_the_binomial_mean(citizens):
    n_acts = 20
    record = draw_acts(citizens, n_acts=n_acts, rng=1)
    n = len(citizens)
    p = {domain: 0.3 for domain in DOMAINS}
    p["finance"] = 0.3 * 1.0 / (1.0 + WEALTH_HALF)
    for domain in DOMAINS:
        sd_of_mean = math.sqrt(n_acts * p[domain] * (1 - p[domain]) / n)
        mean = record.approved[domain].mean()
        assert abs(mean - n_acts * p[domain]) < 5 * sd_of_mean, domain
    np.testing.assert_array_equal(record.approved + record.disapproved, n_acts)
    assert record.index.equals(citizens.index)
    assert tuple(record.approved.columns) == DOMAINS


def test_draw_acts_pressure_shifts_and_clips(citizens):
    n_acts = 20
    pushed = draw_acts(citizens, n_acts=n_acts, pressure=0.2, rng=2)
    sd_of_mean = math.sqrt(n_acts * 0.25 / len(citizens))
    assert abs(pushed.approved["speech"].mean() - n_acts * 0.5) < 5 * sd_of_mean

    certain = draw_acts(citizens, n_acts=n_acts, pressure=1.0, rng=2)
    np.testing.assert_array_equal(certain.approved["speech"], n_acts)
    never = draw_acts(citizens, n_acts=n_acts, pressure=-1.0, rng=2)
    np.testing.assert_array_equal(never.approved.to_numpy(), 0)


def test_draw_acts_pressure_series_is_aligned_on_the_index():
    citizens = pd.DataFrame({"disposition": [0.0, 0.0, 0.0], "wealth": [1e12] * 3})
    pressure = pd.Series([1.0, 0.0, 1.0], index=[2, 1, 0])
    record = draw_acts(citizens, n_acts=7, pressure=pressure, rng=0)
    np.testing.assert_allclose(record.approved["speech"], [7, 0, 7])


def test_draw_acts_poverty_makes_approved_finance_acts_rarer():
    citizens = pd.DataFrame({"disposition": [1.0, 1.0], "wealth": [WEALTH_HALF, 1e12]})
    record = draw_acts(citizens, n_acts=20000, rng=4)
    finance = record.approved["finance"] / 20000
    assert finance.iloc[0] == pytest.approx(0.5, abs=5 * math.sqrt(0.25 / 20000))
    assert finance.iloc[1] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(record.approved["speech"], 20000)


def test_same_seed_same_acts(citizens):
    first = draw_acts(citizens.head(50), rng=123)
    second = draw_acts(citizens.head(50), rng=123)
    other = draw_acts(citizens.head(50), rng=124)
    pd.testing.assert_frame_equal(first.approved, second.approved)
    pd.testing.assert_frame_equal(first.disapproved, second.disapproved)
    assert not first.approved.equals(other.approved)
    from_generator = draw_acts(citizens.head(50), rng=np.random.default_rng(123))
    pd.testing.assert_frame_equal(first.approved, from_generator.approved)


def test_draw_acts_does_not_mutate_citizens(citizens):
    before = citizens.copy()
    draw_acts(citizens, pressure=np.full(len(citizens), 0.1), rng=0)
    pd.testing.assert_frame_equal(citizens, before)


# --- the policy ----------------------------------------------------------------------------

def test_policy_defaults_and_forms():
    policy = ScoringPolicy()
    assert policy.weights == dict.fromkeys(DOMAINS, 1.0)
    np.testing.assert_allclose(policy.weight_vector, 0.25)
    assert hash(policy) == hash(ScoringPolicy())
    assert ScoringPolicy(domain_weights={"speech": 2.0, "finance": 1.0}).domain_weights == (
        ("finance", 1.0), ("consumption", 0.0), ("speech", 2.0), ("social", 0.0))


def test_policy_round_trips_through_json_and_replace():
    policy = ScoringPolicy(domain_weights={"speech": 2}, standard="absolute", memory=0.3)
    assert ScoringPolicy(**json.loads(json.dumps(policy.to_dict()))) == policy
    assert dataclasses.replace(policy, memory=0.5).weights == policy.weights


def test_policy_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ScoringPolicy().memory = 0.1


@pytest.mark.parametrize(
    ("fields", "error", "match"),
    [
        ({"domain_weights": {"finance": -1.0}}, ValueError, r"domain_weights\['finance'\].*-1"),
        ({"domain_weights": dict.fromkeys(DOMAINS, 0.0)}, ValueError, "at least one positive"),
        ({"domain_weights": {"gossip": 1.0}}, ValueError, "unknown domain 'gossip'"),
        ({"domain_weights": {"speech": float("nan")}}, ValueError, "finite"),
        ({"domain_weights": 3}, TypeError, "domain_weights must be a mapping"),
        ({"score_min": 950.0, "score_max": 950.0}, ValueError,
         "score_min must be < score_max.*950"),
        ({"score_min": 1000.0}, ValueError, "score_min = 1000"),
        ({"score_max": "950"}, TypeError, "score_max must be a real number"),
        ({"memory": 1.0}, ValueError, "memory must be < 1.0, got 1.0"),
        ({"memory": -0.1}, ValueError, "memory must be >= 0.0, got -0.1"),
        ({"alpha": 1.5}, ValueError, "alpha must be <= 1.0, got 1.5"),
        ({"alpha": -0.5}, ValueError, "alpha must be >= 0.0"),
        ({"prior_strength": 0.0}, ValueError, "prior_strength must be > 0.0, got 0.0"),
        ({"standard_spread_floor": 0.0}, ValueError, "standard_spread_floor must be > 0.0"),
        ({"standard": "strict"}, ValueError, "standard must be one of.*'strict'"),
        ({"reference": "joiners"}, ValueError, "reference must be one of.*'joiners'"),
    ],
)
def test_policy_rejects_bad_fields(fields, error, match):
    with pytest.raises(error, match=match):
        ScoringPolicy(**fields)


# --- validation of records and inputs ------------------------------------------------------

def test_record_rejects_nan_counts():
    with pytest.raises(ValueError, match="approved must be finite"):
        make_record([[np.nan, 0, 0, 0]], [[0] * 4])


def test_record_rejects_negative_counts():
    with pytest.raises(ValueError, match=r"disapproved must be non-negative.*-2.*'speech'"):
        make_record([[0] * 4], [[0, 0, -2, 0]])


def test_record_rejects_mismatched_tables():
    approved = pd.DataFrame([[1.0] * 4], columns=DOMAINS)
    with pytest.raises(ValueError, match="same citizen index"):
        ActRecord(approved, pd.DataFrame([[1.0] * 4], columns=DOMAINS, index=[7]))
    with pytest.raises(ValueError, match="exactly the columns"):
        ActRecord(approved, approved.drop(columns="speech"))
    with pytest.raises(TypeError, match="approved must be a pandas DataFrame"):
        ActRecord(approved.to_numpy(), approved)


def test_record_reorders_columns_and_copies_its_inputs():
    approved = pd.DataFrame([[1, 2, 3, 4]], columns=DOMAINS[::-1])
    record = ActRecord(approved, 0 * approved)
    assert tuple(record.approved.columns) == DOMAINS
    assert record.approved.loc[0, "social"] == 1.0
    approved.loc[0, "social"] = 99
    assert record.approved.loc[0, "social"] == 1.0


def test_decayed_rejects_bad_memory_and_other_citizens():
    one = make_record([[1] * 4], [[1] * 4])
    with pytest.raises(ValueError, match="memory must be < 1.0"):
        one.decayed(one, memory=1.0)
    with pytest.raises(ValueError, match="same citizens"):
        one.decayed(make_record([[1] * 4] * 2, [[1] * 4] * 2), memory=0.5)
    with pytest.raises(TypeError, match="new must be an ActRecord"):
        one.decayed(3, memory=0.5)


def test_own_score_rejects_an_empty_reference():
    record = make_record([[1] * 4] * 2, [[1] * 4] * 2)
    with pytest.raises(ValueError, match="reference population is empty"):
        own_score(record, ScoringPolicy(), participants=[False, False])
    # The absolute standard and a reference of all citizens need no participants.
    own_score(record, ScoringPolicy(standard="absolute"), participants=[False, False])
    own_score(record, ScoringPolicy(reference="all"), participants=[False, False])


def test_own_score_rejects_bad_participants_and_arguments():
    record = make_record([[1] * 4] * 2, [[1] * 4] * 2)
    with pytest.raises(TypeError, match="participants must be boolean, got dtype int64"):
        own_score(record, ScoringPolicy(), participants=np.array([1, 0]))
    with pytest.raises(ValueError, match=r"one entry per citizen \(2\), got shape \(3,\)"):
        own_score(record, ScoringPolicy(), participants=[True, False, True])
    with pytest.raises(TypeError, match="policy must be a ScoringPolicy"):
        own_score(record, {"memory": 0.5})
    with pytest.raises(TypeError, match="record must be an ActRecord"):
        own_score(record.approved, ScoringPolicy())


def test_running_scores_rejects_bad_records():
    record = make_record([[1] * 4], [[1] * 4])
    with pytest.raises(ValueError, match="non-empty sequence"):
        running_scores([], ScoringPolicy())
    with pytest.raises(TypeError, match=r"records\[1\] must be an ActRecord"):
        running_scores([record, "acts"], ScoringPolicy())
    with pytest.raises(ValueError, match=r"one column per step \(2\)"):
        running_scores([record, record], ScoringPolicy(), participants=np.ones((1, 3), bool))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_acts": -1}, ValueError, "n_acts must be >= 0, got -1"),
        ({"n_acts": 2.5}, TypeError, "n_acts must be an integer"),
        ({"pressure": [0.1]}, ValueError, r"pressure must have one value per citizen \(2\)"),
        ({"pressure": float("nan")}, ValueError, "pressure must be finite"),
    ],
)
def test_draw_acts_rejects_bad_options(kwargs, error, match):
    citizens = pd.DataFrame({"disposition": [0.5, 0.5], "wealth": [1.0, 1.0]})
    with pytest.raises(error, match=match):
        draw_acts(citizens, **kwargs)


def test_draw_acts_rejects_bad_citizens():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['wealth'\]"):
        draw_acts(pd.DataFrame({"disposition": [0.5]}))
    with pytest.raises(ValueError, match=r"disposition'\] must lie in \[0, 1\]"):
        draw_acts(pd.DataFrame({"disposition": [1.5], "wealth": [1.0]}))
    with pytest.raises(ValueError, match=r"wealth'\] must be > 0, got 0.0"):
        draw_acts(pd.DataFrame({"disposition": [0.5], "wealth": [0.0]}))
    with pytest.raises(TypeError, match="citizens must be a pandas DataFrame"):
        draw_acts(np.ones((2, 2)))


# -- the array kernels ---------------------------------------------------------------------


def test_array_kernels_agree_with_the_record_level_functions():
    rng = np.random.default_rng(11)
    approved = rng.integers(0, 20, size=(50, 4)).astype(float)
    disapproved = rng.integers(0, 20, size=(50, 4)).astype(float)
    record = ActRecord(pd.DataFrame(approved, columns=DOMAINS),
                       pd.DataFrame(disapproved, columns=DOMAINS))
    policy = ScoringPolicy()
    rate = approval_rates(approved, disapproved, policy)
    # equal up to rounding: a frame's column-major array sums its domains in another order
    np.testing.assert_allclose(rate, record.approval_rate(policy).to_numpy(), rtol=1e-15)
    joined = rng.random(50) < 0.5
    mean, spread = reference_standard(rate, policy, joined)
    assert mean == rate[joined].mean() and spread == max(rate[joined].std(), 0.05)
    np.testing.assert_allclose(score_against(rate, policy, mean, spread),
                               own_score(record, policy, participants=joined).to_numpy(),
                               rtol=1e-12)
    slow = reference_standard(rate, policy, joined, previous=(0.4, 0.3), inertia=0.75)
    assert slow == pytest.approx((0.75 * 0.4 + 0.25 * mean, 0.75 * 0.3 + 0.25 * spread))
    assert reference_standard(rate, policy, joined, previous=(np.nan, np.nan),
                              inertia=0.75) == (mean, spread)  # no standard yet to keep
    assert all(np.isnan(reference_standard(rate, ScoringPolicy(standard="absolute"), joined)))


def test_mislabel_appeal_and_warm_start_kernels():
    rng = np.random.default_rng(2)
    approved, disapproved = np.full((1000, 4), 10.0), np.zeros((1000, 4))
    shares = np.tile([0.0, 0.5, 1.0, 0.2], (1000, 1))
    moved_a, moved_d = mislabel_acts(approved, disapproved, shares, rng)
    np.testing.assert_array_equal(moved_a + moved_d, approved + disapproved)  # acts kept
    assert moved_d[:, 0].sum() == 0 and moved_a[:, 2].sum() == 0
    assert moved_d[:, 1].mean() == pytest.approx(5.0, abs=0.2)  # binomial(10, 0.5)
    np.testing.assert_array_equal(decayed_counts(np.array([4.0]), np.array([1.0]), 0.5,
                                                 appeal=0.25), [2.25])
    own, previous = np.array([700.0, 500.0, 600.0]), np.array([650.0, 480.0, np.nan])
    start = displayed_start(own, previous, np.array([640.0, 520.0, np.nan]), np.full(3, 0.4))
    common = 35.0  # mean change of the citizens scored both steps
    assert start.tolist() == pytest.approx([640 + common + 0.6 * (50 - common),
                                            520 + common + 0.6 * (20 - common), 600.0])


def test_association_weight_is_the_deprecated_name_of_alpha():
    with pytest.warns(DeprecationWarning, match="'association_weight' is deprecated.*'alpha'"):
        old = ScoringPolicy(association_weight=0.4)
    assert old == ScoringPolicy(alpha=0.4)
    with pytest.warns(DeprecationWarning, match="association_weight is deprecated"):
        assert old.association_weight == 0.4
    with pytest.warns(DeprecationWarning):
        changed = dataclasses.replace(old, association_weight=0.1, memory=0.5)
    assert (changed.alpha, changed.memory) == (0.1, 0.5)
    assert dataclasses.replace(old, alpha=0.2).alpha == 0.2
    with pytest.raises(TypeError, match="both 'alpha' and its deprecated name"):
        ScoringPolicy(alpha=0.2, association_weight=0.3)
    saved = ScoringPolicy(alpha=0.7).to_dict()
    assert "alpha" in saved and "association_weight" not in saved
    saved["association_weight"] = saved.pop("alpha")  # a dict saved before the rename
    with pytest.warns(DeprecationWarning):
        assert ScoringPolicy(**saved) == ScoringPolicy(alpha=0.7)
