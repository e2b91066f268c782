"""The statistics page, its Excel file, the structure checks and the summary on an organization's page."""

import datetime as dt

from django.urls import reverse

from coso.accounts.models import User
from coso.accounts.services import grant_role
from tests.members.test_services import admit

D = dt.date


def test_statistics_structure_checks_and_summary(tree, client):
    user = User.objects.create_user("btc", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["T"])
    client.force_login(user)
    for i in range(2):
        admit(tree["C1"], name=f"Nguyễn Văn {chr(65 + i)}", birth=D(1980, 1, 1 + i))
    r = client.get(reverse("members:statistics", args=["X1"]), {"as_of": "01/06/2020"})
    body = r.content.decode()
    assert r.status_code == 200 and 'id="members-total">2<' in body and 'id="members-probationary">2<' in body
    assert (
        client.get(reverse("members:statistics", args=["X1"]), {"as_of": "01/01/2020"})
        .content.decode()
        .count('id="members-total">0<')
        == 1
    )
    r = client.get(reverse("members:statistics", args=["X1"]), {"format": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get(reverse("members:structure_checks", args=["X1"]))
    assert "ORG.MEMBER_COUNTS" in r.content.decode() and "Chi bộ thôn Đông" in r.content.decode()
    r = client.get(reverse("members:org_summary", args=["C1"]))
    assert "2</strong> đảng viên" in r.content.decode() and "Cảnh báo" in r.content.decode()
