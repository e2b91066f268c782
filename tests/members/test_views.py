"""The member pages: scoped lists and records, forms that call the services, refusals next to their field."""

import datetime as dt

import pytest
from django.urls import reverse

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.members import services as m
from coso.members.models import Member, Membership, MemberView, Status, Transfer
from tests.members.test_services import admit

D = dt.date


@pytest.fixture
def cadre(tree, client):
    user = User.objects.create_user("cadre", password="mat-khau-dai-123", full_name="Nguyễn Văn An")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    client.force_login(user)
    return user


def _body(r) -> str:
    return r.content.decode()


def test_list_in_vietnamese_order_and_accent_insensitive_search(tree, cadre, client):
    admit(tree["C1"], name="Trần Văn Bình")
    admit(tree["C1"], name="Nguyễn Thị Ánh")
    admit(tree["C2"], name="Lê Văn An")
    admit(tree["C4"], name="Phạm Văn Ấn")  # commune X2: out of scope
    body = _body(client.get(reverse("members:list")))
    assert body.index("Lê Văn An") < body.index("Nguyễn Thị Ánh") < body.index("Trần Văn Bình")
    assert "Phạm Văn Ấn" not in body
    body = _body(client.get(reverse("members:list"), {"q": "nguyen thi anh"}))
    assert "Nguyễn Thị Ánh" in body and "Trần Văn Bình" not in body
    body = _body(client.get(reverse("members:list"), {"under": "C2"}))
    assert "Lê Văn An" in body and "Trần Văn Bình" not in body
    body = _body(client.get(reverse("members:list"), {"status": "official"}))
    assert "Lê Văn An" not in body


def test_record_view_is_logged_and_shown(tree, cadre, client):
    a = admit(tree["C1"])
    r = client.get(reverse("members:detail", args=[a.pk]))
    body = _body(r)
    assert r.status_code == 200 and "Nguyễn Văn An" in body and "Chi bộ thôn Đông" in body
    assert MemberView.objects.filter(member=a, user=cadre).count() == 1
    assert "Lượt xem hồ sơ (1)" in body and "Nguyễn Văn An" in body.split('id="views"')[1]
    body = _body(client.get(reverse("members:detail", args=[a.pk])))
    assert "Lượt xem hồ sơ (2)" in body and MemberView.objects.filter(member=a).count() == 2
    r = client.get(reverse("members:history", args=[a.pk]))
    assert "Kết nạp" in _body(r)


def _admit_form(**over):
    from coso.members.models import Ethnicity, Religion

    data = {
        "full_name": "Hoàng Văn Chiến",
        "birth_date": "10/05/1990",
        "gender": "M",
        "ethnicity": Ethnicity.objects.get(name="Kinh").pk,
        "religion": Religion.objects.get(name="Không").pk,
        "cell": "C1",
        "admission_decided_on": "20/02/2020",
        "joined_on": "01/03/2020",
        "decision_number": "12-QĐ/ĐU",
        "theory_level": "",
    }
    data.update(over)
    return data


def test_admit_with_a_bad_date_shows_the_error_next_to_the_field(tree, cadre, client):
    r = client.post(reverse("members:admit"), _admit_form(joined_on="31/02/2020"))
    body = _body(r)
    assert r.status_code == 200 and "Ngày không hợp lệ" in body and 'value="Hoàng Văn Chiến"' in body
    assert (
        'class="invalid-feedback d-block">Ngày không hợp lệ'
        in body.split("field-joined_on")[1].split("field-")[0]
    )
    # a refusal of the service: under 18 at the review, with the rule and its source next to the birth date
    r = client.post(reverse("members:admit"), _admit_form(birth_date="10/05/2005"))
    section = _body(r).split("field-birth_date")[1].split("field-")[0]
    assert "MEM.ADMISSION_AGE" in section and "Điều lệ Đảng" in section
    assert Member.objects.count() == 0
    r = client.post(reverse("members:admit"), _admit_form())
    assert r.status_code == 302
    assert Member.objects.get().status == Status.PROBATIONARY


def test_admit_into_another_commune_is_refused(tree, cadre, client):
    r = client.post(reverse("members:admit"), _admit_form(cell="C4"))
    assert r.status_code == 200 and "phạm vi" in _body(r)
    assert Member.objects.count() == 0


def test_recognise_before_twelve_months_is_refused_with_the_rule(tree, cadre, client):
    a = admit(tree["C1"], joined=D(2020, 3, 1))
    url = reverse("members:recognise", args=[a.pk])
    r = client.post(url, {"on": "28/02/2021", "version": a.version})
    body = _body(r)
    assert r.status_code == 200 and "MEM.PROBATION" in body and "01/03/2021" in body
    a.refresh_from_db()
    assert a.status == Status.PROBATIONARY
    r = client.post(url, {"on": "01/03/2021", "version": a.version, "decision_number": "5-QĐ/ĐU"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.OFFICIAL and a.recognised_on == D(2021, 3, 1)


def test_other_operations_through_the_forms(tree, cadre, client):
    a = admit(tree["C1"], joined=D(2020, 3, 1))
    a.refresh_from_db()
    r = client.post(
        reverse("members:flag", args=[a.pk]),
        {"kind": "exempt", "action": "set", "on": "01/01/2022", "version": a.version},
    )
    assert r.status_code == 302 and a.flags.get().valid_to is None
    a.refresh_from_db()
    r = client.post(
        reverse("members:flag", args=[a.pk]),
        {"kind": "exempt", "action": "end", "on": "01/06/2022", "version": a.version},
    )
    assert r.status_code == 302 and a.flags.get().valid_to == D(2022, 6, 1)
    a.refresh_from_db()
    r = client.post(
        reverse("members:discipline", args=[a.pk]),
        {
            "form": "cach_chuc",
            "violation_on": "01/01/2021",
            "decided_on": "01/02/2021",
            "deciding_body": "Chi bộ",
            "version": a.version,
        },
    )
    assert r.status_code == 200 and "MEM.DISCIPLINE_FORM" in _body(r)  # a probationary member
    a.refresh_from_db()
    r = client.post(
        reverse("members:profile", args=[a.pk]),
        {"on": "01/01/2023", "education": "12/12", "version": a.version},
    )
    assert r.status_code == 302 and a.profiles.filter(education="12/12").exists()
    a.refresh_from_db()
    r = client.post(
        reverse("members:exit", args=[a.pk]), {"status": "deceased", "on": "01/01/2024", "version": a.version}
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.DECEASED


def test_transfer_end_to_end(tree, cadre, client):
    a = admit(tree["C1"], name="Đỗ Thị Hoa", joined=D(2020, 3, 1))
    a.refresh_from_db()
    r = client.post(
        reverse("members:transfer", args=[a.pk]),
        {
            "kind": "official",
            "left_on": "01/06/2023",
            "to_org": "C2",
            "letter_number": "45",
            "dues_paid_to": "01/05/2023",
            "version": a.version,
        },
    )
    assert r.status_code == 302, _body(r)
    t = Transfer.objects.get(member=a)
    assert t.present_by == D(2023, 7, 1)
    r = client.get(reverse("members:detail", args=[a.pk]))
    assert reverse("members:transfer_letter", args=[t.pk]) in _body(r)
    assert reverse("members:confirm_arrival", args=[t.pk]) in _body(r)
    r = client.get(reverse("members:transfer_letter", args=[t.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r.content[:2] == b"PK"
    r = client.get(reverse("members:due"))
    assert "Đỗ Thị Hoa" in _body(r)  # the letter was not presented in time
    r = client.post(reverse("members:confirm_arrival", args=[t.pk]), {"on": "15/05/2023"})
    assert r.status_code == 200 and "Ngày đến phải từ ngày chuyển đi" in _body(r)
    r = client.post(reverse("members:confirm_arrival", args=[t.pk]), {"on": "10/06/2023"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.home_org == tree["C2"]
    assert Membership.objects.get(member=a, org=tree["C1"]).valid_to == D(2023, 6, 10)


def test_bulk_move_of_a_cell(tree, cadre, client):
    members = [admit(tree["C3"], name=n) for n in ("Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường")]
    url = reverse("members:bulk_move", args=["C3"])
    r = client.get(url, {"on": "01/01/2024"})
    body = _body(r)
    assert r.status_code == 200 and "Trần Thị Bình" in body and "Chi bộ thôn Tây" in body
    assert "Chi bộ thôn Bắc" not in body  # another commune's cell is not offered
    first = members[0].pk
    post = {
        "on": "01/01/2024",
        "reason": "Giải thể chi bộ cơ quan",
        "decision_number": "9-QĐ/ĐU",
        "all_to": str(tree["C1"].pk),
        f"to-{first}": str(tree["C2"].pk),
        "save": "1",
    }
    r = client.post(url, {**post, f"to-{members[1].pk}-code": "C4"})  # out of scope: nothing is written
    assert r.status_code == 200 and "phạm vi" in _body(r)
    assert Membership.objects.filter(org=tree["C3"], valid_to__isnull=True).count() == 3
    r = client.post(url, post)
    assert r.status_code == 302
    homes = {x.full_name: x.home_org.code for x in Member.objects.all()}
    assert homes == {"Lê Văn An": "C2", "Trần Thị Bình": "C1", "Phạm Văn Cường": "C1"}


def test_another_commune_gets_404_on_every_member_url(tree, cadre, client):
    b = admit(tree["C4"], name="Phạm Văn Ấn", joined=D(2020, 3, 1))
    t = m.issue_transfer(
        None,
        b,
        m.TransferInput(
            kind="temporary", left_on=D(2023, 1, 1), return_due=D(2023, 7, 1), to_outside="Hà Nội"
        ),
    )
    before = (
        Member.objects.count(),
        Membership.objects.count(),
        Transfer.objects.count(),
        MemberView.objects.count(),
    )
    urls = [
        reverse(name, args=[b.pk])
        for name in ("detail", "history", "recognise", "flag", "exit", "discipline", "profile", "transfer")
        for name in [f"members:{name}"]
    ]
    urls += [
        reverse(f"members:{name}", args=[t.pk])
        for name in ("transfer_letter", "confirm_arrival", "confirm_return")
    ]
    urls.append(reverse("members:bulk_move", args=["C4"]))
    for url in urls:
        assert client.get(url).status_code == 404, url
        payload = {"on": "01/01/2024", "status": "deceased", "kind": "exempt", "action": "set", "save": "1"}
        assert client.post(url, payload).status_code == 404, url
    assert "Phạm Văn Ấn" not in _body(client.get(reverse("members:list"), {"q": "pham van an"}))
    assert "Phạm Văn Ấn" not in _body(client.get(reverse("members:due")))
    after = (
        Member.objects.count(),
        Membership.objects.count(),
        Transfer.objects.count(),
        MemberView.objects.count(),
    )
    assert after == before


def test_the_receiving_commune_confirms_arrival(tree, client):
    a = admit(tree["C1"], name="Đỗ Thị Hoa", joined=D(2020, 3, 1))
    t = m.issue_transfer(None, a, m.TransferInput(kind="official", left_on=D(2024, 1, 10), to_org=tree["C4"]))
    receiver = User.objects.create_user("b.x2", password="mat-khau-dai-123")
    grant_role(None, user=receiver, role="org_commission", org=tree["X2"])
    client.force_login(receiver)
    assert client.get(reverse("members:detail", args=[a.pk])).status_code == 404  # not theirs yet
    body = _body(client.get(reverse("members:due")))
    assert "Đỗ Thị Hoa" in body and reverse("members:confirm_arrival", args=[t.pk]) in body
    r = client.post(reverse("members:confirm_arrival", args=[t.pk]), {"on": "20/01/2024"})
    assert r.status_code == 302 and r["Location"] == reverse("members:detail", args=[a.pk])
    a.refresh_from_db()
    assert a.home_org == tree["C4"]
    assert client.get(reverse("members:detail", args=[a.pk])).status_code == 200


def test_import_page_errors_then_confirm(tree, client):
    import io

    from openpyxl import Workbook

    from coso.accounts.models import User as U
    from coso.members.importer import COLUMNS
    from coso.members.models import Member as M

    admin = U.objects.create_superuser("root-import", password="x")
    client.force_login(admin)

    def book(rows):
        wb = Workbook()
        ws = wb.active
        ws.append(list(COLUMNS))
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        buf.name = "dang-vien.xlsx"
        return buf

    good = [
        "Nguyễn Văn An",
        "10/05/1980",
        "Nam",
        "Kinh",
        "Không",
        "001080000001",
        "",
        "01/02/2010",
        "15/02/2010",
        "15/02/2011",
        "12/12",
        "Đại học",
        "Trung cấp",
        "Nông dân",
        "C1",
        "15/02/2010",
    ]
    bad = list(good)
    bad[2] = "Khác"
    # the check and the write run as background jobs (run at once under the tests); each page follows its job
    r = client.post(reverse("members:import"), {"file": book([bad])}, follow=True)
    assert 'id="import-errors"' in r.content.decode() and not M.objects.exists()
    r = client.post(reverse("members:import"), {"file": book([good])}, follow=True)
    assert "hợp lệ" in r.content.decode() and not M.objects.exists()
    r = client.post(r.redirect_chain[-1][0], {"confirm": "1"}, follow=True)
    assert "Đã nhập 1 đảng viên" in r.content.decode() and M.objects.get().full_name == "Nguyễn Văn An"


def test_a_stale_profile_edit_is_refused_and_replaces_nothing(tree, cadre, client):
    """Two cadres open the same profile page; the second to save is told the record changed and nothing of
    theirs is written: the first one's new row stays whole (not cut to zero length)."""
    from django.test import Client

    a = admit(tree["C1"], joined=D(2020, 3, 1))
    a.refresh_from_db()
    url = reverse("members:profile", args=[a.pk])
    other = Client()
    other.force_login(cadre)
    loaded = a.version  # both pages were opened on this version
    first = client.post(url, {"on": "01/01/2023", "education": "12/12", "version": loaded})
    assert first.status_code == 302
    second = other.post(url, {"on": "01/01/2023", "education": "10/12", "version": loaded})
    assert second.status_code == 200
    assert "vừa được người khác thay đổi" in _body(second)
    rows = list(a.profiles.order_by("valid_from", "id"))
    assert [r.education for r in rows if r.valid_to is None] == ["12/12"]
    assert not [r for r in rows if r.valid_to is not None and r.valid_to <= r.valid_from]
    # a post without the version the page carries is refused too
    missing = other.post(url, {"on": "01/02/2023", "education": "10/12"})
    assert missing.status_code == 200 and "tải lại trang" in _body(missing)
    assert a.profiles.filter(education="10/12").count() == 0
