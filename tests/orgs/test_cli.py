"""`coso report structure` and `coso import orgs` through call_command and the real console script."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coso.core.dates import today
from coso.core.excel import table_bytes
from coso.orgs.importer import COLUMNS
from coso.orgs.models import Organization
from tests.orgs.test_import import DISTRICT

D = dt.date


def run(*args: str, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def write(tmp_path: Path, rows, name: str = "to-chuc.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(table_bytes("Tổ chức", COLUMNS, rows))
    return str(path)


def test_structure_json(tree):
    data = json.loads(run("report", "structure", "--org", "T", "--as-of", "2010-01-01", "--json"))
    assert data["org"] == "T" and data["as_of"] == "2010-01-01"
    assert data["grassroots_total"] == 3 and data["cells_total"] == 4
    assert data["by_kind"] == {
        "Đảng bộ huyện": 2,
        "Đảng bộ cơ sở": 2,
        "Chi bộ cơ sở": 1,
        "Chi bộ trực thuộc": 4,
    }
    assert data["org_name"] == "Đảng bộ tỉnh Sông Lam"


def test_structure_output_is_one_json_object_with_real_letters(tree):
    text = run("report", "structure", "--org", "x1", "--as-of", "01/01/2010", "--json")
    assert "Chi bộ trực thuộc" in text  # ensure_ascii=False
    assert json.loads(text)["org"] == "X1" and json.loads(text)["as_of"] == "2010-01-01"


def test_structure_accepts_keyword_options(tree):
    data = json.loads(run("report", "structure", org="T", as_of="2000-06-01", json=True))
    assert data["cells_total"] == 0 and data["grassroots_total"] == 2


def test_structure_defaults_to_today(tree):
    data = json.loads(run("report", "structure", "--org", "T", "--json"))
    assert data["as_of"] == today().isoformat()


def test_structure_table(tree):
    text = run("report", "structure", "--org", "T", "--as-of", "2010-01-01")
    assert "Cơ cấu tổ chức của Đảng bộ tỉnh Sông Lam (T) tính đến ngày 01/01/2010" in text
    assert "Tổ chức cơ sở đảng" in text and "Chi bộ trực thuộc – Thôn, bản" in text
    gone = run("report", "structure", "--org", "T", "--as-of", "1999-01-01")
    assert "không tồn tại vào ngày 01/01/1999" in gone


def test_structure_bad_code_or_date(tree):
    with pytest.raises(CommandError, match="Không tìm thấy tổ chức có mã “NOPE”"):
        run("report", "structure", "--org", "NOPE")
    with pytest.raises(CommandError, match="không phải ngày hợp lệ"):
        run("report", "structure", "--org", "T", "--as-of", "2010-13-45")
    with pytest.raises(CommandError):
        run("report", "structure")  # --org is required
    with pytest.raises(CommandError):
        run("report", "nosuchreport")


@pytest.mark.django_db
def test_import_cli(tmp_path):
    path = write(tmp_path, DISTRICT)
    out = run("import", "orgs", path, "--dry-run")
    assert "chạy thử" in out and "sẽ tạo 11 tổ chức" in out
    assert Organization.objects.count() == 0
    out = run("import", "orgs", path)
    assert "Đã nhập 11 tổ chức từ tệp to-chuc.xlsx" in out and "Chi bộ trực thuộc: 6" in out
    assert Organization.objects.count() == 11
    again = run("import", "orgs", path)
    assert "Đã nhập 0 tổ chức" in again and "Bỏ qua 11 tổ chức" in again


@pytest.mark.django_db
def test_import_cli_prints_every_error_and_fails(tmp_path):
    rows = [list(r) for r in DISTRICT]
    rows[1][2] = "Chi bộ lạ"
    rows[3][5] = "31/02/2000"
    path = write(tmp_path, rows)
    err = io.StringIO()
    with pytest.raises(CommandError, match="có 2 lỗi; chưa ghi gì"):
        call_command("import", "orgs", path, stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Dòng 3, cột “Loại”, giá trị “Chi bộ lạ”: ")
    assert lines[1].startswith("Dòng 5, cột “Ngày thành lập”, giá trị “31/02/2000”: ")
    assert Organization.objects.count() == 0


@pytest.mark.django_db
def test_import_cli_missing_or_broken_file(tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        run("import", "orgs", str(tmp_path / "khong-co.xlsx"))
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a zip")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "orgs", str(bad), stdout=io.StringIO(), stderr=err)
    assert "không phải tệp Excel .xlsx hợp lệ" in err.getvalue()


def _coso(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "coso"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coso.settings"}
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, timeout=120)


def test_console_script_help():
    done = _coso("report", "structure", "--help")
    assert done.returncode == 0, done.stderr
    assert "--org" in done.stdout and "--as-of" in done.stdout and "--json" in done.stdout
    done = _coso("import", "orgs", "--help")
    assert done.returncode == 0 and "--dry-run" in done.stdout
    done = _coso("report", "structure")
    assert done.returncode != 0 and "--org" in done.stderr
