"""`coso backup` / `coso restore` round trip, on the suite's database kind: SQLite in a file of its own, or a
throwaway PostgreSQL database beside the suite's. Every table — history included — has the same row count and
content hash after the restore as when the backup was taken, and what was written after the backup is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from tests.deploy.test_serve import production_env

SEED = """
import datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from coso.orgs import services as s
from coso.orgs.models import OrgKind
kind = OrgKind.objects.get(name="Đảng bộ tỉnh")
s.establish(None, s.NewOrg(code="{code}", name="Đảng bộ tỉnh {code}", kind=kind, parent=None), on=dt.date(2020, 1, 1),
    decision=s.DecisionInput(number="{code}-QĐ", signed_on=dt.date(2020, 1, 1), issuer="Trung ương",
    file=SimpleUploadedFile("qd-{code}.pdf", b"%PDF {code}")))
"""

DIGESTS = "from coso.core.backup import table_digests; import json; print(json.dumps(table_digests()))"


def coso(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "coso.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture
def env(tmp_path):
    """Production settings on a database of this test's own, of the suite's kind."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield production_env(tmp_path, COSO_SSL_REDIRECT="0")
        return
    config = dj_database_url.parse(url)
    name = f"coso_backup_{uuid.uuid4().hex[:10]}"
    admin = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield production_env(tmp_path, COSO_SSL_REDIRECT="0", DATABASE_URL=url.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def digests(env: dict[str, str]) -> dict:
    import json

    return json.loads(coso(env, "shell", "--no-imports", "-c", DIGESTS).stdout)


def test_backup_then_restore_gives_back_every_table_and_upload(env, tmp_path):
    coso(env, "migrate", "--noinput", "-v0")
    coso(env, "shell", "--no-imports", "-c", SEED.format(code="A1"))
    before = digests(env)
    assert before["orgs_organization"]["rows"] == 1 and before["orgs_historicalorganization"]["rows"] >= 1
    media = Path(env["COSO_VAR_DIR"]) / "media"
    uploads = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())
    assert len(uploads) == 1

    file = tmp_path / "sao-luu" / "coso.tar.gz"
    out = coso(env, "backup", str(file)).stdout
    assert "Đã sao lưu" in out and file.exists()

    # written after the backup: another organization, another upload
    coso(env, "shell", "--no-imports", "-c", SEED.format(code="B2"))
    assert digests(env)["orgs_organization"]["rows"] == 2

    out = coso(env, "restore", str(file), "--yes").stdout
    assert "mọi bảng khớp" in out
    assert digests(env) == before
    assert sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file()) == uploads


def test_restore_refuses_a_file_that_is_not_a_backup(env, tmp_path):
    coso(env, "migrate", "--noinput", "-v0")
    bogus = tmp_path / "khong-phai.tar.gz"
    bogus.write_bytes(b"not a backup")
    r = subprocess.run(
        [sys.executable, "-m", "coso.cli", "restore", str(bogus), "--yes"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "không phải tệp sao lưu" in r.stderr and "Traceback" not in r.stderr
