"""Member registry services: every rule at its boundary, and nothing written on a refusal."""

import datetime as dt

import pytest

from coso.core.dates import months_between
from coso.core.errors import DomainError
from coso.members import services as m
from coso.members.models import Ethnicity, Member, Membership, MemberStatus, Religion, Status, Transfer

D = dt.date


def ident(name="Nguyễn Văn An", birth=D(1990, 5, 10), cid="", gender="M"):
    return m.Identity(
        full_name=name,
        birth_date=birth,
        gender=gender,
        ethnicity=Ethnicity.objects.get(name="Kinh"),
        religion=Religion.objects.get(name="Không"),
        citizen_id=cid,
    )


def admit(cell, name="Nguyễn Văn An", joined=D(2020, 3, 1), birth=D(1990, 5, 10), cid="", **kw):
    return m.admit(
        None,
        ident(name, birth, cid),
        cell=cell,
        admission_decided_on=joined - dt.timedelta(days=10),
        joined_on=joined,
        decision_number="12-QĐ/ĐU",
        **kw,
    )


def home_on(member, on):
    row = member.memberships.filter(kind="official", valid_from__lte=on).exclude(valid_to__lte=on).first()
    return row.org.code if row else None


def test_admit_then_recognise_at_twelve_months(tree):
    a = admit(tree["C1"])
    assert a.status == Status.PROBATIONARY and home_on(a, D(2020, 3, 1)) == "C1"
    with pytest.raises(DomainError) as e:
        m.recognise(None, a, on=D(2021, 2, 28))
    assert e.value.rule.code == "MEM.PROBATION" and "01/03/2021" in e.value.message
    m.recognise(None, a, on=D(2021, 3, 1))
    a.refresh_from_db()
    assert a.status == Status.OFFICIAL and a.recognised_on == D(2021, 3, 1)
    assert MemberStatus.objects.get(member=a, valid_from=D(2020, 3, 1)).valid_to == D(2021, 3, 1)


def test_admission_age_boundaries(tree):
    review = D(2020, 2, 20)
    with pytest.raises(DomainError) as e:  # 17 years 11 months
        admit(tree["C1"], birth=D(2002, 3, 20), joined=D(2020, 3, 1))
    assert e.value.rule.code == "MEM.ADMISSION_AGE"
    admit(tree["C1"], name="Trần Thị Bình", birth=D(2002, 2, 20), joined=D(2020, 3, 1))  # exactly 18
    assert months_between(D(2002, 2, 20), review) == 216
    with pytest.raises(DomainError) as e:  # over 60 without the approval
        admit(tree["C1"], name="Lê Văn Cường", birth=D(1959, 1, 1), joined=D(2020, 3, 1))
    assert "văn bản đồng ý" in e.value.message
    admit(
        tree["C1"],
        name="Lê Văn Cường",
        birth=D(1959, 1, 1),
        joined=D(2020, 3, 1),
        over_60_approval="Công văn 45-CV/TU ngày 02/01/2020",
    )


def test_citizen_id_checked_and_unique(tree):
    with pytest.raises(DomainError) as e:
        admit(tree["C1"], cid="12345")
    assert e.value.rule.code == "MEM.CITIZEN_ID"
    admit(tree["C1"], cid="001090012345")
    with pytest.raises(DomainError):
        admit(tree["C2"], name="Người Khác", cid="001090012345")
    assert Member.objects.count() == 1


def test_future_dates_refused(tree):
    future = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(DomainError) as e:
        admit(tree["C1"], joined=future)
    assert e.value.rule.code == "MEM.PAST"


def test_only_cells_take_members(tree):
    with pytest.raises(DomainError) as e:
        admit(tree["X1"])
    assert e.value.rule.code == "MEM.CELL"
    with pytest.raises(DomainError):  # C1 was established in 2001
        admit(tree["C1"], joined=D(2000, 6, 1), birth=D(1970, 1, 1))


def test_official_transfer_moves_on_arrival_and_keeps_the_past(tree):
    a = admit(tree["C1"])
    t = m.issue_transfer(
        None,
        a,
        m.TransferInput(kind="official", left_on=D(2022, 5, 2), to_org=tree["C4"], letter_number="GGT-01"),
    )
    assert t.present_by == D(2022, 6, 1) and t.paperwork_due > D(2022, 7, 20)
    assert home_on(a, D(2022, 5, 10)) == "C1"  # counted at home until the receiving cell confirms
    m.confirm_arrival(None, t, on=D(2022, 5, 15))
    a.refresh_from_db()
    assert home_on(a, D(2022, 5, 14)) == "C1" and home_on(a, D(2022, 5, 15)) == "C4"
    assert a.home_org.code == "C4"


def test_transfer_to_a_non_cell_is_refused(tree):
    a = admit(tree["C1"])
    with pytest.raises(DomainError) as e:
        m.issue_transfer(None, a, m.TransferInput(kind="official", left_on=D(2022, 5, 2), to_org=tree["X2"]))
    assert e.value.rule.code == "MEM.CELL"
    assert not Transfer.objects.exists()


def test_temporary_transfer_attends_at_host_counted_at_home(tree):
    a = admit(tree["C1"])
    t = m.issue_transfer(
        None,
        a,
        m.TransferInput(kind="temporary", left_on=D(2022, 1, 3), to_org=tree["C4"], return_due=D(2022, 9, 1)),
    )
    m.confirm_arrival(None, t, on=D(2022, 1, 10))
    assert home_on(a, D(2022, 3, 1)) == "C1"
    guest = Membership.objects.get(member=a, kind="temporary")
    assert guest.org.code == "C4" and guest.valid_to == D(2022, 9, 1)
    m.confirm_return(None, t, on=D(2022, 8, 1))
    guest.refresh_from_db()
    assert guest.valid_to == D(2022, 8, 1)


def test_transfer_out_of_the_system_is_not_an_exit(tree):
    a = admit(tree["C1"])
    m.recognise(None, a, on=D(2021, 3, 1))
    m.issue_transfer(
        None,
        a,
        m.TransferInput(kind="official", left_on=D(2023, 1, 5), to_outside="Đảng bộ Công ty X, tỉnh khác"),
    )
    a.refresh_from_db()
    assert (
        a.status == Status.OFFICIAL
        and home_on(a, D(2023, 1, 5)) is None
        and home_on(a, D(2023, 1, 4)) == "C1"
    )


def test_bulk_move_all_or_nothing(tree):
    people = [
        admit(tree["C3"], name=f"Đảng viên {i}", birth=D(1980, 1, i + 1), joined=D(2015, 1, 5))
        for i in range(5)
    ]
    mapping = {p.pk: tree["C1"] if i % 2 else tree["C2"] for i, p in enumerate(people)}
    partial = dict(list(mapping.items())[:4])
    with pytest.raises(DomainError):
        m.bulk_move(None, tree["C3"], partial, on=D(2019, 4, 1), reason="Giải thể chi bộ cơ quan")
    assert all(home_on(p, D(2019, 4, 1)) == "C3" for p in people)
    assert m.bulk_move(None, tree["C3"], mapping, on=D(2019, 4, 1), reason="Giải thể chi bộ cơ quan") == 5
    assert [home_on(p, D(2019, 4, 1)) for p in people] == ["C2", "C1", "C2", "C1", "C2"]
    assert all(home_on(p, D(2019, 3, 31)) == "C3" for p in people)
    assert Member.history.filter(history_change_reason="Giải thể chi bộ cơ quan").count() == 5


def test_bulk_move_history_says_who_and_before_after(tree):
    from coso.accounts.services import create_user, grant_role
    from coso.members.models import Membership

    actor = create_user(None, username="btc", password="x-Secret-123", full_name="Cán bộ Ban Tổ chức")
    grant_role(None, user=actor, role="org_commission", org=tree["T"])
    people = [admit(tree["C3"], name=f"Người {i}", joined=D(2015, 1, 5)) for i in range(3)]
    m.bulk_move(actor, tree["C3"], dict.fromkeys([p.pk for p in people], tree["C1"]), on=D(2019, 4, 1),
                reason="Giải thể", decision_number="12-QĐ/HU")  # fmt: skip
    reason = "Giải thể (Quyết định số 12-QĐ/HU)"
    for p in people:
        latest, before = Member.history.filter(id=p.pk).order_by("-history_id")[:2]
        assert (latest.history_user_id, latest.history_change_reason) == (actor.pk, reason)
        assert (before.home_org_id, latest.home_org_id) == (tree["C3"].pk, tree["C1"].pk)
        assert latest.version == before.version + 1
        rows = Membership.history.filter(member_id=p.pk, history_change_reason=reason)
        assert sorted((h.history_type, h.org_id, h.valid_from, h.valid_to) for h in rows) == [
            ("+", tree["C1"].pk, D(2019, 4, 1), None),
            ("~", tree["C3"].pk, D(2015, 1, 5), D(2019, 4, 1)),
        ]


def test_discipline_form_depends_on_status(tree):
    a = admit(tree["C1"])
    with pytest.raises(DomainError) as e:
        m.record_discipline(
            None,
            a,
            form="cach_chuc",
            violation_on=D(2020, 6, 1),
            decided_on=D(2020, 7, 1),
            deciding_body="Chi bộ",
        )
    assert e.value.rule.code == "MEM.DISCIPLINE_FORM"
    m.record_discipline(
        None,
        a,
        form="khien_trach",
        violation_on=D(2020, 6, 1),
        decided_on=D(2020, 7, 1),
        deciding_body="Chi bộ",
        self_found=True,
    )


def test_exit_closes_memberships(tree):
    a = admit(tree["C1"])
    m.set_flag(None, a, kind="exempt", on=D(2020, 6, 1))
    m.end_membership(None, a, status=Status.DECEASED, on=D(2021, 1, 9))
    a.refresh_from_db()
    assert a.status == Status.DECEASED and home_on(a, D(2021, 1, 9)) is None
    assert a.flags.get().valid_to == D(2021, 1, 9)
    with pytest.raises(DomainError):
        m.recognise(None, a, on=D(2021, 3, 1))
