"""The demo members: loaded through the importer and the services, with seed 003's bulk move on 01/04/2019."""

import datetime as dt

from coso.accounts import demo as accounts_demo
from coso.accounts.models import User
from coso.members import demo as members_demo
from coso.members import queries as mq
from coso.members.models import Member
from coso.orgs import demo as orgs_demo
from coso.orgs.models import Organization

D = dt.date


def test_demo_members(db):
    assert orgs_demo.load(log=lambda _m: None)
    assert accounts_demo.load(log=lambda _m: None)
    assert members_demo.load(log=lambda _m: None)
    assert not members_demo.load(log=lambda _m: None)
    admin = User.objects.get(username="admin")
    province = Organization.objects.get(code="SL")
    before = mq.statistics(admin, province, D(2019, 3, 31))
    after = mq.statistics(admin, province, D(2019, 4, 1))
    joined_that_day = Member.objects.filter(joined_on=D(2019, 4, 1)).count()
    assert (
        after.total == before.total + joined_that_day and before.total > 1000
    )  # the bulk move keeps everyone
    agency = Organization.objects.filter(code__endswith="-CQ").first()
    assert mq.statistics(admin, agency, D(2019, 3, 31)).total > 0
    assert not mq.members_under(admin, agency, D(2019, 4, 1)).exists()
    now = mq.statistics(admin, province, D(2026, 1, 1))
    assert now.official > now.probationary > 0
