"""The organization pages: forms call the services, refusals show next to the field, nothing is written."""

import datetime as dt

import pytest
from django.urls import reverse

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.models import Job
from coso.orgs import queries as q
from coso.orgs.models import Organization, OrgKind, OrgPeriod

D = dt.date
DEC = {"decision_number": "12-QĐ/HU", "decision_date": "15/12/2019", "decision_issuer": "Huyện ủy"}


@pytest.fixture
def cadre(tree, client):
    user = User.objects.create_user("cadre", password="mat-khau-dai-123", full_name="Nguyễn Văn An")
    grant_role(None, user=user, role="org_commission", org=tree["T"])
    client.force_login(user)
    return user


def test_tree_list_detail_structure_history(tree, cadre, client):
    r = client.get(reverse("orgs:tree"))
    assert "Đảng bộ tỉnh Sông Lam" in r.content.decode()
    assert "Đảng bộ huyện Yên Phú" in r.content.decode()  # a lone root opens by itself
    r = client.get(reverse("orgs:children", args=["X1"]))
    assert "Chi bộ thôn Đông" in r.content.decode()
    r = client.get(reverse("orgs:list"), {"q": "chi bo thon dong"})
    assert "Chi bộ thôn Đông" in r.content.decode() and "Chi bộ thôn Tây" not in r.content.decode()
    r = client.get(reverse("orgs:list"), {"as_of": "01/06/2000"})
    assert "Chi bộ thôn Đông" not in r.content.decode()  # established 2001
    r = client.get(reverse("orgs:detail", args=["x1"]))
    assert r.status_code == 200 and "Đảng bộ xã An Lạc" in r.content.decode()
    r = client.get(reverse("orgs:structure", args=["T"]), {"as_of": "01/01/2010"})
    assert '<div class="fs-3 fw-bold" id="cells-total">4</div>' in r.content.decode()
    r = client.get(reverse("orgs:structure", args=["T"]), {"format": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get(reverse("orgs:history", args=["C1"]))
    assert "Thành lập" in r.content.decode()


def test_rename_through_the_form_keeps_the_past(tree, cadre, client):
    r = client.post(
        reverse("orgs:rename", args=["C1"]),
        {**DEC, "on": "01/01/2020", "name": "Chi bộ thôn Đông Hải", "version": tree["C1"].version},
    )
    assert r.status_code == 302
    assert q.period_on(tree["C1"], D(2019, 12, 31)).name == "Chi bộ thôn Đông"
    assert q.period_on(tree["C1"], D(2020, 1, 1)).name == "Chi bộ thôn Đông Hải"
    r = client.get(reverse("orgs:history", args=["C1"]))
    body = r.content.decode()
    assert "12-QĐ/HU" in body and "Nguyễn Văn An" in body and "Chi bộ thôn Đông Hải" in body


def test_stale_form_is_refused(tree, cadre, client):
    old_version = tree["C1"].version
    client.post(
        reverse("orgs:rename", args=["C1"]),
        {**DEC, "on": "01/01/2020", "name": "Tên A", "version": old_version},
    )
    r = client.post(
        reverse("orgs:rename", args=["C1"]),
        {**DEC, "on": "01/02/2020", "name": "Tên B", "version": old_version},
    )
    assert r.status_code == 200 and "vừa được người khác thay đổi" in r.content.decode()
    assert q.period_on(tree["C1"], D(2020, 3, 1)).name == "Tên A"


def test_bad_date_shows_next_to_the_field_and_writes_nothing(tree, cadre, client):
    n = OrgPeriod.objects.count()
    kind = OrgKind.objects.get(name="Chi bộ trực thuộc")
    r = client.post(
        reverse("orgs:establish"),
        {**DEC, "on": "31/02/2020", "code": "C9", "name": "Chi bộ mới", "kind": kind.pk, "parent": "X1"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "Ngày không hợp lệ" in body and 'value="Chi bộ mới"' in body
    r = client.post(
        reverse("orgs:establish"),
        {**DEC, "on": "01/01/2020", "code": "C9", "name": "Chi bộ mới", "kind": kind.pk, "parent": "H1"},
    )
    body = r.content.decode()
    assert "ORG.KIND_PARENT" in body and "Chi bộ trực thuộc" in body
    assert OrgPeriod.objects.count() == n


def test_dissolve_needs_a_destination_for_each_child(tree, cadre, client):
    url = reverse("orgs:dissolve", args=["X1"])
    r = client.post(url, {**DEC, "on": "01/01/2020", "version": tree["X1"].version})
    assert "chưa được chỉ định nơi chuyển đến" in r.content.decode()
    r = client.post(
        url,
        {
            **DEC,
            "on": "01/01/2020",
            "version": tree["X1"].version,
            f"child-{tree['C1'].pk}": "other",
            f"child-{tree['C1'].pk}-code": "X2",
            f"child-{tree['C2'].pk}": "other",
            f"child-{tree['C2'].pk}-code": "X2",
            f"child-{tree['C3'].pk}": "dissolve",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    admin = User.objects.create_superuser("root", password="x")
    assert q.structure(admin, tree["X2"], D(2020, 1, 1)).cells_total == 3


def test_merge_into_new_and_split_through_forms(tree, cadre, client):
    kind = OrgKind.objects.get(name="Chi bộ trực thuộc")
    r = client.post(
        reverse("orgs:merge"),
        {
            **DEC,
            "on": "01/01/2020",
            "sources": "C1, C2",
            "version-C1": tree["C1"].version,
            "version-C2": tree["C2"].version,
            "mode": "new",
            "new_code": "C12",
            "new_name": "Chi bộ thôn Đông Tây",
            "new_kind": kind.pk,
            "new_parent": "X1",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    admin = User.objects.create_superuser("root", password="x")
    assert q.structure(admin, tree["X1"], D(2020, 1, 1)).cells_total == 2
    gkind = OrgKind.objects.get(name="Đảng bộ cơ sở")
    data = {
        **DEC,
        "on": "01/01/2021",
        "version": q.get_org(admin, "X1").version,
        "parts-TOTAL_FORMS": "2",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "2",
        "parts-MAX_NUM_FORMS": "20",
        "parts-0-code": "X1A",
        "parts-0-name": "Đảng bộ xã An Lạc A",
        "parts-0-kind": gkind.pk,
        "parts-1-code": "X1B",
        "parts-1-name": "Đảng bộ xã An Lạc B",
        "parts-1-kind": gkind.pk,
    }
    r = client.post(reverse("orgs:split", args=["X1"]), data)
    assert "chưa được chỉ định nơi chuyển đến" in r.content.decode()
    c12 = q.get_org(admin, "C12")
    data.update({f"child-{c12.pk}": "part:0", f"child-{tree['C3'].pk}": "part:1"})
    r = client.post(reverse("orgs:split", args=["X1"]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert q.structure(admin, q.get_org(admin, "X1B"), D(2021, 1, 1)).cells_total == 1


def test_move_refuses_a_cycle(tree, cadre, client):
    r = client.post(
        reverse("orgs:move", args=["H1"]),
        {**DEC, "on": "01/01/2020", "parent": "C1", "version": tree["H1"].version},
    )
    body = r.content.decode()
    assert r.status_code == 200 and ("ORG.CYCLE" in body or "ORG.KIND_PARENT" in body)


def test_a_form_without_the_version_it_was_shown_with_is_refused(tree, cadre, client):
    """A page posted without its record's version (an old tab, a hand-made request) changes nothing."""
    r = client.post(reverse("orgs:rename", args=["C1"]), {**DEC, "on": "01/01/2020", "name": "Tên khác"})
    assert r.status_code == 200 and "thiếu phiên bản" in r.content.decode()
    assert q.period_on(tree["C1"], D(2020, 3, 1)).name == "Chi bộ thôn Đông"
    r = client.post(
        reverse("orgs:merge"),
        {
            **DEC,
            "on": "01/01/2020",
            "sources": "C1, C2",
            "version-C1": tree["C1"].version,
            "mode": "into",
            "into": "C3",
        },
    )
    assert r.status_code == 200 and "C2 chưa được hiện trên trang này" in r.content.decode()
    assert Organization.objects.get(code="C2").dissolved_on is None


def test_viewer_cannot_change(tree, client):
    user = User.objects.create_user("viewer", password="mat-khau-dai-123")
    grant_role(None, user=user, role="viewer", org=tree["T"])
    client.force_login(user)
    assert client.get(reverse("orgs:detail", args=["X1"])).status_code == 200
    assert client.get(reverse("orgs:rename", args=["X1"])).status_code == 404
    assert client.post(reverse("orgs:establish"), {}).status_code == 404


def test_vocabulary_only_for_the_system_administrator(tree, cadre, client):
    r = client.post(reverse("orgs:vocabulary"), {"which": "category", "name": "Hợp tác xã"})
    assert r.status_code == 404
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    r = client.post(reverse("orgs:vocabulary"), {"which": "category", "name": "Hợp tác xã", "active": "on"})
    assert r.status_code == 302
    r = client.post(reverse("orgs:vocabulary"), {"which": "category", "name": "hợp tác xã", "active": "on"})
    assert "Đã có" in r.content.decode()


def test_grants_page_creates_a_user_with_a_role(tree, cadre, client):
    r = client.post(
        reverse("accounts:grants"),
        {
            "u-username": "bithu.dong",
            "u-full_name": "Phạm Thị Lan",
            "u-password": "mat-khau-dai-456",
            "u-role": "cell_secretary",
            "u-org": "C1",
        },
    )
    assert r.status_code == 302
    user = User.objects.get(username="bithu.dong")
    assert list(q.orgs(user).values_list("code", flat=True)) == ["C1"]
    r = client.get(reverse("accounts:grants"))
    assert "Phạm Thị Lan" in r.content.decode()


def test_profile_issues_a_token(cadre, client):
    r = client.post(reverse("accounts:token"))
    assert r.status_code == 200 and 'id="token-value"' in r.content.decode()


def _xlsx(rows):
    import io

    from openpyxl import Workbook

    from coso.orgs.importer import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "to-chuc.xlsx"
    return buf


def test_import_page_lists_errors_then_imports_the_corrected_file(tree, client, settings, tmp_path):
    """The organizations import runs through the shared flow: a check job, its page with the errors or the
    preview, the confirmation, a write job and its result."""
    settings.VAR_DIR = tmp_path
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    r = client.get(reverse("orgs:import_template"))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = _xlsx(
        [
            ["C7", "Chi bộ thôn Nam", "Chi bộ trực thuộc", "Thôn, bản", "X9", "01/01/2005", "", "7-QĐ"],
            ["C8", "Chi bộ thôn Hạ", "Chi bộ trực thuộc", "Thôn, bản", "X1", "32/01/2005", "", "7-QĐ"],
        ]
    )
    n = OrgPeriod.objects.count()
    r = client.post(reverse("orgs:import"), {"file": bad})
    check = Job.objects.get(kind="orgs.import.check")
    assert r.status_code == 302 and r["Location"] == reverse("orgs:import_job", args=[check.pk])
    body = client.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in body and "có 2 lỗi — chưa ghi gì" in body
    assert "X9" in body and "32/01/2005" in body and "Xác nhận nhập" not in body
    assert OrgPeriod.objects.count() == n
    good = _xlsx(
        [
            ["C8", "Chi bộ thôn Hạ", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/02/2005", "", "7-QĐ"],
            ["C7", "Chi bộ thôn Nam", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2005", "", "7-QĐ"],
        ]
    )
    r = client.post(reverse("orgs:import"), {"file": good})
    check = Job.objects.filter(kind="orgs.import.check").latest("pk")
    body = client.get(r["Location"]).content.decode()
    assert "Tệp to-chuc.xlsx hợp lệ" in body and "Sẽ thêm <strong>2</strong> tổ chức" in body
    assert "Chi bộ trực thuộc: 2" in body and 'name="confirm"' in body and OrgPeriod.objects.count() == n
    r = client.post(reverse("orgs:import_job", args=[check.pk]), {"confirm": "1"})
    write = Job.objects.get(kind="orgs.import.write")
    assert r["Location"] == reverse("orgs:import_job", args=[write.pk])
    assert write.state == Job.State.DONE and write.message == "Đã nhập 2 tổ chức."
    body = client.get(r["Location"]).content.decode()
    assert "Đã nhập 2 tổ chức từ tệp to-chuc.xlsx." in body and reverse("orgs:list") in body
    assert q.structure(admin, tree["X1"], D(2005, 1, 31)).cells_total == 4
    assert q.structure(admin, tree["X1"], D(2005, 2, 1)).cells_total == 5
