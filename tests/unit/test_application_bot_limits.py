"""The candidate's limits: blacklist, daily cap, per-portal daily cap."""

from __future__ import annotations

from services.application_bot.limits import Limits, refusal

LIMITS = Limits(daily_cap=10, portal_daily_caps={"linkedin": 3},
                blacklist=frozenset({"Globex Corporation", "initrode"}))


def check(company: str = "Acme", board: str = "acme", portal: str = "greenhouse",
          total: int = 0, on_portal: int = 0) -> str | None:
    found = refusal(LIMITS, company=company, board=board, portal=portal, today_total=total,
                    today_on_portal=on_portal)
    return None if found is None else found.reason


def test_within_every_limit_nothing_is_refused() -> None:
    assert check(total=9, on_portal=2, portal="linkedin") is None
    assert refusal(Limits(), company="x", board="y", portal="linkedin", today_total=10_000,
                   today_on_portal=10_000) is None


def test_a_blacklisted_company_or_board_is_refused_for_good() -> None:
    found = refusal(LIMITS, company="  globex   corporation ", board="g", portal="greenhouse",
                    today_total=0, today_on_portal=0)
    assert found is not None and not found.retryable
    assert check(company="", board="Initrode") == "the candidate has blacklisted 'Initrode'"


def test_the_daily_caps_refuse_until_another_day() -> None:
    assert check(total=10) == "daily cap of 10 applications reached"
    assert check(portal="linkedin", on_portal=3) == (
        "daily cap of 3 applications on linkedin reached")
    assert check(portal="greenhouse", on_portal=3) is None
    found = refusal(LIMITS, company="a", board="b", portal="linkedin", today_total=1,
                    today_on_portal=3)
    assert found is not None and found.retryable
