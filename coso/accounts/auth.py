"""API authentication and throttling: tokens that expire, request rates per user and per address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from coso.core.dates import format_date
from coso.core.throttling import RatesFromSettings

from . import twofactor
from .models import TokenIssue


def token_expires(created: dt.datetime) -> dt.datetime:
    """When a token made at `created` stops working (COSO_TOKEN_DAYS after, default 90)."""
    return created + dt.timedelta(days=settings.COSO_TOKEN_DAYS)


class TokenExpired(exceptions.AuthenticationFailed):
    """A 401 whose message says when the token expired and how to get a new one."""


class TokenNeedsTwoFactor(exceptions.AuthenticationFailed):
    """A 401 for a token made with the password alone by an account that signs in with two factors."""


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`, refused once COSO_TOKEN_DAYS have passed since the token was made."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        expires = token_expires(token.created)
        if timezone.now() >= expires:
            raise TokenExpired(
                f"Token đã hết hạn ngày {format_date(timezone.localdate(expires))} (token dùng được "
                f"{settings.COSO_TOKEN_DAYS} ngày). Hãy tạo token mới ở trang Tài khoản hoặc bằng lệnh "
                "`coso token TÊN_ĐĂNG_NHẬP` trên máy chủ."
            )
        if twofactor.required_for(user):
            issue = TokenIssue.objects.filter(token=token).first()
            if issue is None or issue.how == TokenIssue.How.PASSWORD:
                raise TokenNeedsTwoFactor(
                    "Tài khoản này đăng nhập bằng xác thực hai lớp, nên chỉ dùng được token tạo sau khi đăng nhập "
                    "có mã xác thực. Hãy đăng nhập (mật khẩu và mã trên ứng dụng xác thực) rồi tạo token mới ở "
                    "trang Tài khoản, hoặc nhờ quản trị chạy lệnh `coso token TÊN_ĐĂNG_NHẬP` trên máy chủ."
                )
        return user, token


class UserThrottle(RatesFromSettings, UserRateThrottle):
    scope = "user"


class AnonThrottle(RatesFromSettings, AnonRateThrottle):
    scope = "anon"
