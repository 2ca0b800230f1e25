"""The browser rules on their own: which unsafe requests count as another origin's, and which
headers a response gains."""

from __future__ import annotations

from infra.browser_policy import cross_origin_refusal, same_origin, security_headers


def ask(method: str, **headers: str) -> str | None:
    given = {name.replace("_", "-"): value for name, value in headers.items()}
    return cross_origin_refusal(method, given.get)


def test_unsafe_requests_must_come_from_our_own_origin() -> None:
    assert ask("GET", origin="http://evil.example", cookie="a=b") is None
    assert ask("POST", host="jams.example.com", origin="https://jams.example.com",
               cookie="a=b") is None
    assert ask("POST", host="jams.example.com", sec_fetch_site="same-origin",
               cookie="a=b") is None
    assert ask("POST", host="jams.example.com", origin="https://jams.example.com:8443")
    assert ask("PUT", host="jams.example.com", origin="https://a.jams.example.com")
    assert ask("PATCH", host="jams.example.com", origin="null")
    assert ask("DELETE", host="jams.example.com", sec_fetch_site="same-site")
    # The Origin names our host but the browser says the page is another (scheme) origin.
    assert ask("POST", host="jams.example.com", origin="http://jams.example.com",
               sec_fetch_site="same-site")
    assert ask("POST", cookie="jams_access=x")  # a browser would have said where it was from
    assert ask("POST") is None  # not a browser: no cookie to abuse


def test_an_origin_is_ours_when_scheme_host_and_port_match_where_it_was_sent() -> None:
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert same_origin("https://jams.example.com", "jams.example.com:443")
    assert not same_origin("http://127.0.0.1:8001", "127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1", "127.0.0.1:8000")
    assert not same_origin("null", "127.0.0.1:8000")
    assert not same_origin("javascript://127.0.0.1:8000", "127.0.0.1:8000")
    assert not same_origin("http://[::1", "127.0.0.1:8000")


def test_a_response_gains_the_headers_it_lacks_and_keeps_its_own() -> None:
    json = dict(security_headers([(b"content-type", b"application/json")]))
    assert json[b"cache-control"] == b"no-store"
    assert b"frame-ancestors 'none'" in json[b"content-security-policy"]
    assert b"strict-transport-security" not in json
    page = dict(security_headers([(b"content-type", b"text/html; charset=utf-8"),
                                  (b"content-security-policy", b"default-src 'self'")],
                                 hsts_max_age_s=600))
    assert page[b"content-security-policy"] == b"default-src 'self'"
    assert b"cache-control" not in page  # a page says itself how it may be cached
    assert page[b"strict-transport-security"] == b"max-age=600"
    problem = dict(security_headers([(b"content-type", b"application/problem+json"),
                                     (b"cache-control", b"max-age=60")]))
    assert problem[b"cache-control"] == b"max-age=60"
