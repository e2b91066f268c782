"""The member list on a date (`?as_of=`): who was in a cell then, with the cell and status of that date; and
where the list lands after moving a whole cell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.members import services as m
from tests.members.test_services import admit

D = dt.date


@pytest.fixture
def cadre(tree, client):
    user = User.objects.create_user("cadre.list", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    client.force_login(user)
    return user


@pytest.fixture
def moved(tree):
    """Đỗ Thị Hoa: in C1 from 2020, transferred officially to C2, arriving 20/01/2024; Lê Văn Nam stays in C1."""
    hoa = admit(tree["C1"], name="Đỗ Thị Hoa", joined=D(2020, 3, 1))
    admit(tree["C1"], name="Lê Văn Nam", joined=D(2021, 5, 1))
    t = m.issue_transfer(
        None, hoa, m.TransferInput(kind="official", left_on=D(2024, 1, 10), to_org=tree["C2"])
    )
    m.confirm_arrival(None, t, on=D(2024, 1, 20))
    return hoa


def names(client, **query) -> str:
    r = client.get(reverse("members:list"), query)
    assert r.status_code == 200
    return r.content.decode().split("<tbody>")[1].split("</tbody>")[0]


def test_a_member_transferred_away_is_on_the_old_cells_list_at_an_earlier_date(cadre, client, moved):
    assert "Đỗ Thị Hoa" not in names(client, under="C1")  # today: in C2
    assert "Đỗ Thị Hoa" in names(client, under="C2")
    before = names(client, under="C1", as_of="01/06/2023")
    assert "Đỗ Thị Hoa" in before and "Lê Văn Nam" in before and "Chi bộ thôn Đông" in before
    assert "Đỗ Thị Hoa" not in names(client, under="C2", as_of="01/06/2023")
    # the ISO form works too, and a date before Lê Văn Nam joined leaves him out
    early = names(client, under="C1", as_of="2020-06-01")
    assert "Đỗ Thị Hoa" in early and "Lê Văn Nam" not in early
    # without a cell: everyone in the user's scope on that date, each in their cell of that date
    body = names(client, as_of="01/06/2023")
    row = body.split("Đỗ Thị Hoa")[1].split("</tr>")[0]
    assert "Chi bộ thôn Đông" in row and "Chi bộ thôn Tây" not in row
    row = names(client).split("Đỗ Thị Hoa")[1].split("</tr>")[0]
    assert "Chi bộ thôn Tây" in row  # today


def test_status_of_the_date_and_the_date_in_the_filter_form(cadre, client, tree):
    a = admit(tree["C1"], name="Trần Văn Bình", joined=D(2020, 3, 1))
    m.recognise(None, a, on=D(2021, 3, 1))
    page = client.get(reverse("members:list"), {"under": "C1", "as_of": "01/01/2021"}).content.decode()
    assert 'id="list-as-of"' in page and 'value="01/01/2021"' in page and "vào ngày 01/01/2021" in page
    row = page.split("Trần Văn Bình")[1].split("</tr>")[0]
    assert "Dự bị" in row  # probationary then, official today
    assert "Trần Văn Bình" in names(client, under="C1", as_of="01/01/2021", status="probationary")
    assert "Trần Văn Bình" not in names(client, under="C1", as_of="01/01/2021", status="official")
    assert "Trần Văn Bình" in names(client, under="C1", status="official")
    # an exit status on a date: who was in it then
    m.end_membership(None, a, status="deceased", on=D(2024, 2, 1))
    assert "Trần Văn Bình" in names(client, status="deceased", as_of="01/03/2024")
    assert "Trần Văn Bình" not in names(client, status="deceased", as_of="01/01/2024")
    assert "Trần Văn Bình" not in names(client, under="C1", as_of="01/03/2024")


def test_another_communes_members_stay_hidden_on_any_date(cadre, client, tree):
    admit(tree["C4"], name="Phạm Văn Ấn", joined=D(2020, 3, 1))
    for query in (
        {"as_of": "01/01/2022"},
        {"as_of": "01/01/2022", "under": "C4"},
        {"as_of": "01/01/2022", "q": "an"},
    ):
        assert "Phạm Văn Ấn" not in names(client, **query)


def test_a_bad_date_falls_back_to_today_with_a_message(cadre, client, moved):
    r = client.get(reverse("members:list"), {"under": "C2", "as_of": "31/02/2023"})
    body = r.content.decode()
    assert r.status_code == 200 and "không phải ngày hợp lệ" in body and "Đỗ Thị Hoa" in body


def test_bulk_move_lands_on_the_receiving_cell_or_the_parent(cadre, client, tree):
    a, b = (admit(tree["C3"], name=n) for n in ("Lê Văn An", "Trần Thị Bình"))
    url = reverse("members:bulk_move", args=["C3"])
    post = {"on": "01/01/2024", "reason": "Giải thể", "decision_number": "9-QĐ/ĐU", "save": "1"}
    r = client.post(url, {**post, "all_to": str(tree["C1"].pk)})
    assert r.status_code == 302 and r["Location"] == reverse("members:list") + "?under=C1"
    r = client.post(
        reverse("members:bulk_move", args=["C1"]),
        {**post, "on": "01/02/2024", f"to-{a.pk}": str(tree["C2"].pk), f"to-{b.pk}": str(tree["C3"].pk)},
    )
    assert r.status_code == 302 and r["Location"] == reverse("members:list") + "?under=X1"
