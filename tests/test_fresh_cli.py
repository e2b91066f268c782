"""`coso` on a fresh checkout: the embedded database is created on first use, and the JSON report is clean."""

import json
import os
import subprocess
import sys
from pathlib import Path

from coso.orgs.importer import template_bytes


def run(args, var):
    env = {**os.environ, "COSO_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "coso.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_import_then_report_on_a_fresh_database(db, tmp_path: Path):
    book = tmp_path / "mau.xlsx"
    book.write_bytes(template_bytes())
    r = run(["import", "orgs", str(book)], tmp_path / "var")
    assert r.returncode == 0, r.stdout + r.stderr
    from openpyxl import load_workbook

    first = load_workbook(book).active.cell(row=2, column=1).value
    r = run(["report", "structure", "--org", str(first), "--as-of", "2030-01-01", "--json"], tmp_path / "var")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["org"] == str(first).upper() and "grassroots_total" in data and "cells_total" in data
