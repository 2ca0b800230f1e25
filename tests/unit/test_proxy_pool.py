"""A portal's proxy pool: the healthiest first, sticky sessions, rotation and cool-down."""

from __future__ import annotations

import pytest

from infra.clock import FakeClock
from infra.politeness.errors import ProxiesCooling
from infra.politeness.policy import PortalPolicy
from infra.politeness.proxy_pool import ProxyPool

A, B = "http://a.proxy:3128", "http://user:secret@b.proxy:3128"
POLICY = PortalPolicy(proxies=(A, B), proxy_cooldown_s=600, proxy_failures_to_cool=2)


def test_a_portal_without_proxies_goes_direct() -> None:
    assert ProxyPool(FakeClock()).choose("greenhouse", PortalPolicy(), "cand-1") is None


def test_a_session_sticks_to_its_proxy_while_others_go_to_the_fastest() -> None:
    pool = ProxyPool(FakeClock())
    assert pool.choose("linkedin", POLICY, "ada") == A
    pool.report_success("linkedin", A, latency_s=2.0)
    pool.report_success("linkedin", B, latency_s=0.1)
    assert pool.choose("linkedin", POLICY, "ada") == A  # sticky, though B is faster now
    assert pool.choose("linkedin", POLICY, "grace") == B


def test_a_block_rotates_the_session_and_cools_the_proxy_down_until_its_time() -> None:
    clock = FakeClock()
    pool = ProxyPool(clock)
    assert pool.choose("linkedin", POLICY, "ada") == A
    pool.report_block("linkedin", A, POLICY)
    assert pool.choose("linkedin", POLICY, "ada") == B
    assert pool.health("linkedin", A).blocks == 1
    pool.report_block("linkedin", B, POLICY)
    with pytest.raises(ProxiesCooling) as cooling:
        pool.choose("linkedin", POLICY, "ada")
    assert cooling.value.retry_in_s == pytest.approx(600)
    clock.advance(601)
    # Both rested; the one blocked less recently is no better, so the order decides.
    assert pool.choose("linkedin", POLICY, "ada") in {A, B}


def test_a_block_on_one_portal_leaves_the_proxy_to_other_portals() -> None:
    pool = ProxyPool(FakeClock())
    pool.report_block("linkedin", A, POLICY)
    assert pool.choose("indeed", POLICY) == A
    assert pool.choose("linkedin", POLICY) == B


def test_failures_in_a_row_cool_a_proxy_and_a_success_forgives_them() -> None:
    clock = FakeClock()
    pool = ProxyPool(clock)
    pool.report_failure("indeed", A, POLICY)
    pool.report_success("indeed", A, latency_s=0.2)
    pool.report_failure("indeed", A, POLICY)
    assert not pool.health("indeed", A).cooling(clock.now())  # one failure since the success
    pool.report_failure("indeed", A, POLICY)
    assert pool.health("indeed", A).cooling(clock.now())
    assert pool.choose("indeed", POLICY, "ada") == B


def test_only_http_proxy_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="proxies"):
        PortalPolicy(proxies=("socks5://a.proxy:1080",))
