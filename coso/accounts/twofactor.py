"""Two-factor sign-in (TOTP, django-otp) for the accounts that can see or change most: the system administrator
and the organization and inspection commissions. After the password, such an account gives the six-digit code
of an authenticator app on the cadre's phone, or one of ten single-use recovery codes printed when the app was
set up. Whether it is required is one setting, COSO_REQUIRE_2FA: on by default with production settings
(COSO_DEBUG=0), off for `make run`'s demo.

API tokens of these accounts work only when made after a two-factor sign-in, or by `coso token` on the server
(whose shell is trusted): `TokenIssue.how` says which."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coso.core import access
from coso.core.errors import DomainError
from coso.core.scope import active_grants

from .models import User

ROLES = frozenset({"sysadmin", "org_commission", "inspection"})
RECOVERY_CODES = 10
APP_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã khôi phục"


def required_for(user: Any) -> bool:
    """Whether `user` must sign in with a second factor: COSO_REQUIRE_2FA is on and the account is a superuser
    or holds a live grant of one of `ROLES`."""
    if not getattr(settings, "COSO_REQUIRE_2FA", False) or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_coso_needs_2fa", None)
    if cached is None:
        cached = bool(user.is_superuser) or any(role in ROLES for role, _path in active_grants(user))
        user._coso_needs_2fa = cached
    return cached


def app_device(user: User) -> TOTPDevice | None:
    """The confirmed authenticator app of `user`, if set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator app being set up (a new secret the first time; the same one until confirmed, so a page
    reloaded keeps showing the code already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as typed by hand into an app that cannot scan: base32 in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link of `device` as an SVG QR code in a data: URI (allowed by the pages' img-src)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5))


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _refuse_throttled(device: Any) -> None:
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        raise DomainError(
            "Đã nhập sai mã nhiều lần liên tiếp; hãy chờ ít phút rồi nhập mã mới trên ứng dụng.", field="code"
        )


def confirm_app(user: User, code: str, request: Any = None) -> list[str]:
    """Confirm the app being set up with a code it shows; gives the recovery codes (shown once). A wrong code
    counts against the device's throttle (kept: not inside the transaction that a refusal rolls back)."""
    device = pending_device(user)
    _refuse_throttled(device)
    if not device.verify_token(_normalised(code)):
        raise DomainError(
            "Mã chưa đúng. Hãy nhập sáu chữ số đang hiện trên ứng dụng xác thực (mã đổi sau mỗi 30 giây); nếu vẫn "
            "sai, hãy kiểm tra giờ trên điện thoại.",
            field="code",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # a new phone replaces the old one
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user, request=request, log=False)
        access.record(
            user, access.Kind.TWO_FACTOR, "Bật xác thực hai lớp (ứng dụng xác thực)", request=request
        )
    return codes


@transaction.atomic
def new_recovery_codes(user: User, *, request: Any = None, log: bool = True) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    if log:
        access.record(user, access.Kind.TWO_FACTOR, "Tạo mã khôi phục mới", request=request)
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user: User, code: str, request: Any = None) -> Any:
    """The device that accepts `code` (the app's six digits, or a recovery code, used up); refused otherwise.
    Not one transaction: a refusal keeps its count on the device's throttle and its line in the access log."""
    code = _normalised(code)
    app = app_device(user)
    if app is None:
        raise DomainError("Tài khoản chưa cài ứng dụng xác thực.", field="code")
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    device: Any = recovery if (len(code) == 8 and recovery is not None) else app
    _refuse_throttled(device)
    if device.verify_token(code):
        what = "Xác thực bằng mã khôi phục" if device is recovery else "Xác thực bằng ứng dụng"
        if device is recovery:
            what += f" (còn {recovery_codes_left(user)} mã)"
        access.record(user, access.Kind.TWO_FACTOR, what, request=request)
        return device
    access.record(user, access.Kind.TWO_FACTOR, "Nhập sai mã xác thực", request=request)
    raise DomainError(
        "Mã chưa đúng. Hãy nhập sáu chữ số đang hiện trên ứng dụng xác thực, hoặc một mã khôi phục (tám chữ số).",
        field="code",
    )


@transaction.atomic
def reset(user: User, *, by: str) -> None:
    """Forget `user`'s app and recovery codes (a lost phone): the next sign-in sets up a new app."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    access.record(
        None, access.Kind.TWO_FACTOR, f"Gỡ xác thực hai lớp của {user.get_username()} ({by})", username=by
    )
