"""The anti-replay window alone (RFC 4303 section 3.4.3, appendix A), 32-bit and ESN."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyike.ipsec import EspConfigError, ReplayWindow

TWO_32 = 1 << 32


def deliver(window: ReplayWindow, seq_low: int) -> int | None:
    """What an SA does with an authentic packet: infer, pre-check, accept. None if dropped."""
    seq = window.infer(seq_low)
    if window.reason(seq) is not None:
        return None
    window.accept(seq)
    return seq


@pytest.mark.parametrize("size", [64, 1024])
def test_in_order_traffic_is_accepted_and_each_duplicate_dropped(size: int) -> None:
    window = ReplayWindow(size)
    for seq in range(1, 3 * size):
        assert deliver(window, seq) == seq
        assert deliver(window, seq) is None
    assert window.highest == 3 * size - 1


@pytest.mark.parametrize("size", [64, 1024])
def test_the_window_edge(size: int) -> None:
    window = ReplayWindow(size)
    top = 5 * size
    deliver(window, top)
    assert window.reason(top - size + 1) is None  # the oldest number still in the window
    assert "left of the window" in str(window.reason(top - size))
    assert deliver(window, top - size + 1) == top - size + 1
    assert window.received(top - size + 1) and not window.received(top - 1)


@pytest.mark.parametrize("size", [64, 1024])
def test_out_of_order_within_the_window(size: int) -> None:
    window = ReplayWindow(size)
    order = [10, 3, 7, 9, 1, 2, size + 5, 8, size + 4, 6]
    # All new, and each still inside the window when it arrives (6 is size - 1 behind).
    assert [deliver(window, seq) for seq in order] == order
    assert [deliver(window, seq) for seq in order] == [None] * len(order)
    assert deliver(window, 4) is None  # never seen, but now left of the window
    assert deliver(window, size + 3) == size + 3  # never seen, still inside


def test_a_jump_beyond_the_window_forgets_everything_before() -> None:
    window = ReplayWindow(64)
    for seq in range(1, 65):
        deliver(window, seq)
    deliver(window, 10_000)
    assert window.received(10_000) and not window.received(9_999)
    assert deliver(window, 9_999) == 9_999
    assert deliver(window, 10_000 - 64) is None


def test_sequence_number_zero_is_never_accepted() -> None:
    assert "out of range" in str(ReplayWindow(64).reason(0))
    assert ReplayWindow(0).reason(0) is not None


def test_a_disabled_window_accepts_duplicates_and_old_numbers() -> None:
    window = ReplayWindow(0)
    assert [deliver(window, s) for s in (5, 5, 1, 5)] == [5, 5, 1, 5]
    assert window.highest == 5 and not window.received(5)


@pytest.mark.parametrize("size", [-1, 1025, 4096])
def test_window_sizes_outside_what_ios_allows_are_refused(size: int) -> None:
    with pytest.raises(EspConfigError):
        ReplayWindow(size)


def test_32_bit_numbers_stop_at_2_32_minus_1() -> None:
    window = ReplayWindow(64)
    assert deliver(window, TWO_32 - 1) == TWO_32 - 1
    assert window.reason(TWO_32) is not None


# --- ESN: appendix A2.2 ----------------------------------------------------------------------


def esn_window(size: int, highest: int) -> ReplayWindow:
    window = ReplayWindow(size, esn=True)
    window.accept(highest)
    return window


def test_esn_case_a_window_inside_one_subspace() -> None:
    window = esn_window(64, 7 * TWO_32 + 1000)
    assert window.infer(1000 - 63) == 7 * TWO_32 + 937  # bottom of the window: same epoch
    assert window.infer(2000) == 7 * TWO_32 + 2000  # ahead: same epoch
    assert window.infer(1000 - 64) == 8 * TWO_32 + 936  # "below" the window: next epoch


def test_esn_case_b_window_straddles_two_subspaces() -> None:
    window = esn_window(64, 7 * TWO_32 + 10)
    assert window.infer(TWO_32 - 20) == 6 * TWO_32 + TWO_32 - 20  # in the window's older part
    assert window.infer(5) == 7 * TWO_32 + 5
    assert window.infer(100) == 7 * TWO_32 + 100


def test_esn_traffic_wraps_across_2_32() -> None:
    for size in (64, 1024):
        window = esn_window(size, TWO_32 - 3)
        lows = [(TWO_32 - 3 + i) % TWO_32 for i in range(1, 8)]
        assert [deliver(window, low) for low in lows] == [TWO_32 - 3 + i for i in range(1, 8)]
        # A late packet from before the wrap is still placed in the old epoch.
        assert deliver(window, TWO_32 - 4) == TWO_32 - 4
        assert deliver(window, TWO_32 - 4) is None


def test_esn_before_any_traffic_high_numbers_belong_to_no_epoch() -> None:
    window = ReplayWindow(64, esn=True)
    assert window.infer(TWO_32 - 1) < 0
    assert deliver(window, TWO_32 - 1) is None
    assert deliver(window, 1) == 1


def test_esn_stops_at_2_64_minus_1() -> None:
    window = esn_window(64, (1 << 64) - 2)
    assert deliver(window, TWO_32 - 1) == (1 << 64) - 1
    assert window.reason(window.infer(0)) is not None  # would be 2^64


def test_esn_with_replay_disabled_still_infers_the_nearest_epoch() -> None:
    window = esn_window(0, 3 * TWO_32 + 5)
    assert window.infer(TWO_32 - 1) == 3 * TWO_32 - 1
    assert window.infer(1 << 31) == 3 * TWO_32 + (1 << 31)


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    size=st.sampled_from([1, 2, 32, 64, 1024]),
    arrivals=st.lists(st.integers(min_value=0, max_value=2_100), max_size=200),
)
def test_the_window_agrees_with_a_set_of_everything_seen(size: int, arrivals: list[int]) -> None:
    window = ReplayWindow(size)
    seen: set[int] = set()
    for seq in arrivals:
        top = max(seen, default=0)
        expected = seq >= 1 and seq not in seen and seq > top - size
        assert (deliver(window, seq) is not None) == expected
        if expected:
            seen.add(seq)


@settings(max_examples=300, deadline=None)
@given(
    size=st.sampled_from([64, 1024]),
    start=st.integers(min_value=1, max_value=(1 << 64) - (1 << 40)),
    steps=st.lists(st.integers(min_value=-2_000, max_value=(1 << 32) - 2_000), max_size=50),
)
def test_esn_inference_recovers_every_number_the_rfc_says_it_can(
    size: int, start: int, steps: list[int]
) -> None:
    # Appendix A2.2 recovers any number from (highest - size + 1) to (highest + 2^32 - size).
    window = esn_window(size, start)
    for step in steps:
        true = window.highest + step
        if not window.highest - size < true <= window.highest + TWO_32 - size:
            continue
        assert window.infer(true % TWO_32) == true
        if window.reason(true) is None:
            window.accept(true)
