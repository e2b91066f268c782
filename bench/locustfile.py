"""The locustfile of `make load` (run by `bench/load.py`, which starts the server and writes the targets file).

Two kinds of simulated cadre: the province's organization commission (`ProvinceCadre`, the demo's `tentinh`, scope
the whole province) and commune organization commissions (`CommuneCadre`, each simulated user one of the commune
accounts in turn, scope one commune). Each logs in ONCE through the real login page (GET /login/ for the CSRF
token, POST it with the password; a 302 away from the login page is a success), then opens the daily pages with a
think time between them. Requests are named "<side>: <page>" in Vietnamese ("tỉnh: hồ sơ đảng viên", "xã: ..."), never by the
concrete URL, so the statistics group per page and per side.

A page counts as failed unless it answers 200 itself: redirects are not followed, so a lost session (302 to
/login/) or a lockout is a failure, as is a 4xx/5xx or an answer that is not the page.

TLS: the server runs with production settings (DEBUG off: Secure cookies, HSTS, HTTPS redirect) on plain HTTP on
the loopback, and the client stands in for the TLS proxy of a real deployment: it sends `X-Forwarded-Proto: https`
(what `deploy/nginx-coso.conf` sends; gunicorn trusts it from 127.0.0.1 and Django's SECURE_PROXY_SSL_HEADER reads
it), an `Origin` of https://host:port for the CSRF check, and its cookie jar sends Secure cookies over that
loopback hop (`LoopbackTLSPolicy`).

Environment (set by bench/load.py): COSO_LOAD_TARGETS (the JSON file of accounts and the codes and ids each may
open), COSO_LOAD_TIMINGS (where every request's name, time and outcome are written at the end, for exact
percentiles), COSO_LOAD_WAIT ("MIN-MAX" seconds of think time, default 1-5).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any
from urllib.parse import quote

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

TARGETS: dict[str, Any] = {}
TIMINGS: list[tuple[str, float, bool]] = []
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _load_targets() -> dict[str, Any]:
    if not TARGETS:
        path = os.environ.get("COSO_LOAD_TARGETS", "")
        if not path:
            raise RuntimeError("COSO_LOAD_TARGETS is not set: run the load test through `make load`.")
        with open(path, encoding="utf-8") as f:
            TARGETS.update(json.load(f))
    return TARGETS


def _wait_range() -> tuple[float, float]:
    low, _, high = os.environ.get("COSO_LOAD_WAIT", "1-5").partition("-")
    return float(low), float(high or low)


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **_kwargs: Any) -> None:
    TIMINGS.append((name, response_time, exception is None))


@events.quitting.add_listener
def _dump(**_kwargs: Any) -> None:
    path = os.environ.get("COSO_LOAD_TIMINGS", "")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(TIMINGS, f)


class LoopbackTLSPolicy(DefaultCookiePolicy):
    """Send Secure cookies over the plain-HTTP loopback hop that stands in for TLS (see the module docstring)."""

    def return_ok_secure(self, cookie: Cookie, request: Any) -> bool:
        return True


class Cadre(FastHttpUser):
    abstract = True
    side = ""  # the accounts it takes (targets file)
    tag = ""  # the prefix of its request names
    wait_time = between(*_wait_range())
    _accounts: itertools.cycle[dict[str, Any]] | None = None

    def on_start(self) -> None:
        targets = _load_targets()
        cls = type(self)
        if cls._accounts is None:
            cls._accounts = itertools.cycle([a for a in targets["accounts"] if a["side"] == self.side])
        self.account = next(cls._accounts)
        self.origin = targets["origin"]
        self.client.cookiejar.set_policy(LoopbackTLSPolicy())
        self.headers = {"X-Forwarded-Proto": "https", "Origin": self.origin}
        self.login(targets["password"])

    # ------------------------------------------------------------------ requests

    def page(self, label: str, url: str, fragment: bool = False) -> None:
        headers = dict(self.headers)
        if fragment:
            headers["HX-Request"] = "true"
        with self.client.get(
            url,
            name=f"{self.tag}: {label}",
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                where = r.headers.get("Location", "") if r.headers else ""
                r.failure(f"{r.status_code} {where}".strip())
            elif not fragment and "</html>" not in (r.text or ""):
                r.failure("not a whole page")
            elif 'name="csrfmiddlewaretoken"' in (r.text or "") and 'name="password"' in (r.text or ""):
                r.failure("the login page")

    def login(self, password: str) -> None:
        username = self.account["username"]
        with self.client.get(
            "/login/", name=f"{self.tag}: trang đăng nhập", headers=self.headers, catch_response=True
        ) as r:
            found = CSRF_FIELD.search(r.text or "") if r.status_code == 200 else None
            if not found:
                r.failure(f"{r.status_code}: no CSRF token on the login page")
                raise StopUser()
        with self.client.post(
            "/login/",
            name=f"{self.tag}: đăng nhập",
            data={"username": username, "password": password, "csrfmiddlewaretoken": found.group(1)},
            headers={**self.headers, "Referer": f"{self.origin}/login/"},
            allow_redirects=False,
            catch_response=True,
        ) as r:
            where = r.headers.get("Location", "") if r.headers else ""
            if r.status_code != 302 or "/login/" in where:
                r.failure(f"login of {username} refused: {r.status_code} {where}".strip())
                raise StopUser()

    def pick(self, key: str) -> Any:
        return random.choice(self.account[key])

    # ------------------------------------------------------------------ the daily pages

    @task(2)
    def org_tree(self) -> None:
        self.page("cây tổ chức", "/orgs/")

    @task(2)
    def org_children(self) -> None:
        self.page("cây tổ chức: mở nhánh", f"/orgs/{self.pick('parents')}/children/", fragment=True)

    @task(3)
    def org_detail(self) -> None:
        self.page("chi tiết tổ chức", f"/orgs/{self.pick('orgs')}/")

    @task(2)
    def member_list(self) -> None:
        self.page("danh sách đảng viên", "/members/")

    @task(3)
    def member_search(self) -> None:
        self.page("tìm đảng viên", f"/members/?q={quote(self.pick('terms'))}")

    @task(4)
    def member_detail(self) -> None:
        self.page("hồ sơ đảng viên", f"/members/{self.pick('members')}/")

    @task(2)
    def meeting_calendar(self) -> None:
        self.page("lịch sinh hoạt chi bộ", f"/meetings/org/{self.pick('cells')}/")

    @task(3)
    def meeting_detail(self) -> None:
        self.page("cuộc sinh hoạt", f"/meetings/{self.pick('meetings')}/")

    @task(1)
    def compliance(self) -> None:
        self.page("tình hình sinh hoạt", f"/meetings/org/{self.account['root']}/compliance/")

    @task(1)
    def evaluation_period(self) -> None:
        if self.account["periods"]:
            self.page("đợt đánh giá, xếp loại", f"/evaluation/periods/{self.pick('periods')}/")

    @task(1)
    def statistics(self) -> None:
        self.page("thống kê đảng viên", f"/members/statistics/{self.account['root']}/")


class ProvinceCadre(Cadre):
    """The province's organization commission (scope: the whole province)."""

    side = "province"
    tag = "tỉnh"
    weight = 2


class CommuneCadre(Cadre):
    """A commune's organization commission (scope: one commune); the simulated users take the accounts in turn."""

    side = "commune"
    tag = "xã"
    weight = 3
