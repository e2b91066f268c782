"""Demo accounts, on the demo province the organizations' demo step built (`coso.orgs.demo`): the system
administrator, the province's organization commission, one commune's and the province's inspection commission.
The README prints their user names and passwords."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from coso.orgs.demo import PROVINCE
from coso.orgs.models import Organization

from .models import User
from .services import grant_role

PASSWORD = "coso-demo-2025"  # noqa: S105 - printed demo password for a local demo database
ADMIN_PASSWORD = "coso-admin-2025"  # noqa: S105


def _user(username: str, full_name: str, title: str, password: str, superuser: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, full_name=full_name, title=title, is_superuser=superuser, is_staff=superuser
        )
        user.set_password(password)
        user.save()
    return user


@transaction.atomic
def load(log: Callable[[str], None] = print) -> bool:
    """The demo accounts and their grants; does nothing when they are there already or the province is not."""
    province = Organization.objects.filter(code=PROVINCE).first()
    if province is None or User.objects.filter(username="tentinh").exists():
        return False
    _user("admin", "Quản trị hệ thống", "Quản trị", ADMIN_PASSWORD, superuser=True)
    cadre = _user("tentinh", "Nguyễn Thị Hoa", "Chuyên viên Ban Tổ chức Tỉnh ủy", PASSWORD)
    grant_role(None, user=cadre, role="org_commission", org=province)
    commune = Organization.objects.filter(code__startswith=f"{PROVINCE}-X0").order_by("code").first()
    local = _user("bantochuc.anlac", "Trần Văn Bình", "Ủy viên Ban Tổ chức Đảng ủy xã", PASSWORD)
    grant_role(None, user=local, role="org_commission", org=commune)
    viewer = _user("kiemtra", "Lê Minh Tâm", "Ủy ban Kiểm tra Tỉnh ủy", PASSWORD)
    grant_role(None, user=viewer, role="inspection", org=province)
    log("  tài khoản mẫu: admin, tentinh, bantochuc.anlac, kiemtra")
    return True
