"""The demo province: built through the services, consistent, and with the history the README promises."""

import datetime as dt

from coso.accounts import demo as accounts_demo
from coso.accounts.models import User
from coso.orgs import demo
from coso.orgs import queries as q
from coso.orgs.models import Organization
from tests.orgs.invariants import check_tree

D = dt.date


def test_demo_history(db):
    assert demo.load(log=lambda _msg: None)
    assert not demo.load(log=lambda _msg: None)  # a second run does nothing
    assert accounts_demo.load(log=lambda _msg: None)  # the demo accounts, on the demo province
    assert not accounts_demo.load(log=lambda _msg: None)
    check_tree()
    admin = User.objects.get(username="admin")
    province = Organization.objects.get(code="SL")
    before = q.structure(admin, province, D(2019, 3, 31))
    after = q.structure(admin, province, D(2019, 4, 1))
    assert before.by_category["Chi bộ trực thuộc"]["Cơ quan"] == 96  # one agency cell per commune
    assert "Cơ quan" not in after.by_category["Chi bộ trực thuộc"]  # all dissolved on 1 April 2019 (seed 003)
    assert before.by_kind["Đảng bộ huyện"] == 8
    now = q.structure(admin, province, D(2025, 7, 1))
    assert "Đảng bộ huyện" not in now.by_kind
    assert now.by_kind["Đảng bộ xã"] + now.by_kind["Đảng bộ phường"] == 32
    assert now.cells_total == q.structure(admin, province, D(2025, 6, 30)).cells_total
    # the commune-level account sees its commune only
    local = User.objects.get(username="bantochuc.anlac")
    assert q.roots(local, D(2026, 1, 1)).count() == 1
    assert q.orgs(local).count() < q.orgs(User.objects.get(username="tentinh")).count()
