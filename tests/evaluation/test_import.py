"""The Excel import of historical results (exact headers, every error listed, all or nothing, dry run), the
command line, trends across schemes by rank, and seed 001's 2017 table reproduced through the import."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coso.core.excel import table_bytes
from coso.core.scope import SystemReader
from coso.evaluation import queries as q
from coso.evaluation.importer import COLUMNS, import_evaluations, template_bytes
from coso.evaluation.models import Evaluation, EvaluationPeriod
from coso.members import services as m
from coso.members.importer import import_members
from coso.members.models import MemberFlag
from tests.conftest import establish
from tests.members.test_import import HEADERS as MEMBER_HEADERS
from tests.members.test_import import row as member_row
from tests.members.test_services import admit

from .helpers import HEADERS, D, official, xlsx


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_columns_are_the_contract(db):
    assert COLUMNS == HEADERS
    assert template_bytes()[:2] == b"PK"


def test_every_error_listed_and_nothing_written(tree):
    official(tree["C1"], "Nguyễn Văn An")
    a = admit(tree["C1"], name="Có CCCD", cid="001090012345", joined=D(2015, 1, 5))
    rows = [
        [2017, "Tổ chức", "X1", "", "Hoàn thành xuất sắc nhiệm vụ"],  # not a 2017 level
        ["hai nghìn", "Đảng viên", "", "001090012345", "Đủ tư cách, hoàn thành tốt nhiệm vụ"],
        [2017, "Chi bộ", "C1", "", "Trong sạch vững mạnh"],
        [2017, "Đảng viên", "X1", "001090012345", "Đủ tư cách, hoàn thành tốt nhiệm vụ"],  # not a cell
        [2017, "Đảng viên", "", "12345", "Đủ tư cách, hoàn thành tốt nhiệm vụ"],
        [2017, "Tổ chức", "KHONGCO", "", "Trong sạch vững mạnh"],
        [2017, "Tổ chức", "C2", "001090012345", ""],
        [2019, "Tổ chức", "C3", "", "HTTNV"],
        [2019, "Tổ chức", "C3", "", "Hoàn thành tốt nhiệm vụ"],  # duplicate of the row above
    ]
    before = Evaluation.objects.count()
    result = import_evaluations(xlsx(rows), None)
    assert (
        result.created == 0 and Evaluation.objects.count() == before and not EvaluationPeriod.objects.exists()
    )
    found = [(e.row, e.column) for e in result.errors]
    assert found == [
        (2, "Xếp loại"),
        (3, "Năm"),
        (4, "Đối tượng"),
        (5, "Mã tổ chức"),
        (6, "Số CCCD"),
        (7, "Mã tổ chức"),
        (8, "Số CCCD"),
        (8, "Xếp loại"),
        (10, "Mã tổ chức"),
    ]
    assert (
        "Trong sạch vững mạnh" in result.errors[0].message and "Trùng với dòng 9" in result.errors[-1].message
    )
    assert a


def test_headers_exact(tree):
    result = import_evaluations(
        xlsx(
            [[2017, "Tổ chức", "X1", "", "Trong sạch vững mạnh"]],
            ["Năm", "Đối tượng", "Mã", "Số CCCD", "Xếp loại"],
        ),
        None,
    )
    assert [(e.row, e.column) for e in result.errors] == [(1, "Mã tổ chức")]


def test_dry_run_then_import_then_duplicate(tree, tmp_path):
    a = admit(tree["C1"], name="Có CCCD", cid="001090012345", joined=D(2015, 1, 5))
    m.recognise(None, a, on=D(2016, 1, 5))
    rows = [
        [2017, "Tổ chức", "X1", "", "Trong sạch vững mạnh"],
        [2017, "Đảng viên", "", "001090012345", "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ"],
    ]
    path = tmp_path / "kq.xlsx"
    path.write_bytes(table_bytes("Kết quả", HEADERS, rows))
    assert "sẽ nhập 2" in run("import", "evaluations", str(path), "--dry-run")
    assert not Evaluation.objects.exists()
    assert "Đã nhập 2" in run("import", "evaluations", str(path))
    member = Evaluation.objects.get(subject="member")
    assert (
        member.org.code == "C1" and member.level.code == "XS" and member.rank == 1
    )  # cell from the membership
    period = member.period
    assert (period.kind, period.state, period.org.code, period.scheme.code) == (
        "imported",
        "published",
        "X1",
        "TRUOC_2018",
    )
    assert member.history.first().history_change_reason.startswith("Nhập kết quả xếp loại")
    with pytest.raises(CommandError):
        run("import", "evaluations", str(path))
    assert Evaluation.objects.count() == 2


def test_trends_across_schemes_by_rank(tree):
    """Seed 000: a commune committee "không hoàn thành" in 2016, then "hoàn thành tốt" or better 2017-2020 (three
    years "xuất sắc")."""
    rows = [
        [2016, "Tổ chức", "X1", "", "Yếu kém"],
        [2017, "Tổ chức", "X1", "", "Trong sạch vững mạnh"],
        [2018, "Tổ chức", "X1", "", "Hoàn thành xuất sắc nhiệm vụ"],
        [2019, "Tổ chức", "X1", "", "Hoàn thành tốt nhiệm vụ"],
        [2020, "Tổ chức", "X1", "", "HTXSNV"],
    ]
    assert import_evaluations(xlsx(rows), None).ok
    years = q.trends(SystemReader(), tree["X1"], 2016, 2020)
    assert [(y.year, y.scheme, y.rank) for y in years] == [
        (2016, "TRUOC_2018", 4),
        (2017, "TRUOC_2018", 1),
        (2018, "BON_MUC", 1),
        (2019, "BON_MUC", 2),
        (2020, "BON_MUC", 1),
    ]
    assert years[0].level == "Yếu kém" and years[3].level == "Hoàn thành tốt nhiệm vụ"
    assert all(y.rank is not None and y.rank <= 2 for y in years[1:])
    weak = q.weak_units(SystemReader(), tree["H1"], 2016)
    assert [(w["org"], w["level"]) for w in weak] == [("X1", "Yếu kém")]
    assert q.weak_units(SystemReader(), tree["H1"], 2017) == []
    h1 = q.results(SystemReader(), tree["H1"], 2018)
    assert (
        h1.organizations["Hoàn thành xuất sắc nhiệm vụ"] == 1
        and h1.as_json()["organizations_by_rank"]["1"] == 1
    )


def test_report_lists_members_not_evaluated_with_reasons(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    m.set_flag(None, a, kind=MemberFlag.Kind.EXEMPT, on=D(2017, 3, 1))
    official(tree["C1"], "Trần Thị Bình")
    data = json.loads(run("report", "evaluation", "--org", "X1", "--year", "2017", "--json"))
    reasons = {r["name"]: r["reason"] for r in data["members_not_evaluated"]}
    assert "Miễn sinh hoạt" in reasons["Nguyễn Văn An"] and reasons["Trần Thị Bình"] == q.NO_RESULT
    assert "Kết quả xếp loại năm 2017" in run("report", "evaluation", "--org", "X1", "--year", "2017")


# ------------------------------------------------------------------------------------------- seed 001's table

GRASSROOTS = 59
ORG_LEVELS = (
    ["Trong sạch vững mạnh"] * 34
    + ["Hoàn thành tốt nhiệm vụ"] * 21
    + ["Hoàn thành nhiệm vụ"] * 3
    + ["Yếu kém"]
)
MEMBERS = {
    "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ": 355,
    "Đủ tư cách, hoàn thành tốt nhiệm vụ": 2860,
    "Đủ tư cách, hoàn thành nhiệm vụ": 252,
    "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ": 33,  # 33 / 3,500 = 0.94%
}


def test_seed_001_table_for_a_district_through_the_import(tree):
    district = establish("TG", "Đảng bộ huyện Tuần Giáo", "Đảng bộ huyện", tree["T"], on=D(2000, 1, 1))
    cells = [
        establish(f"TG{i:02d}", f"Chi bộ cơ sở số {i:02d}", "Chi bộ cơ sở", district, on=D(2000, 1, 1))
        for i in range(GRASSROOTS)
    ]
    total = sum(MEMBERS.values())
    people = []
    for i in range(total):
        cid = f"0110800{i:05d}"
        people.append(
            member_row(
                **{"Họ và tên": f"Đảng viên {i:04d}", "Số CCCD": cid, "Mã chi bộ": cells[i % GRASSROOTS].code}
            )
        )
    buf = io.BytesIO(table_bytes("Đảng viên", MEMBER_HEADERS, people))
    assert import_members(buf, None).created == total
    rows = [[2017, "Tổ chức", c.code, "", ORG_LEVELS[i]] for i, c in enumerate(cells)]
    levels = [name for name, n in MEMBERS.items() for _ in range(n)]
    rows += [[2017, "Đảng viên", "", f"0110800{i:05d}", levels[i]] for i in range(total)]
    assert import_evaluations(xlsx(rows), None).created == GRASSROOTS + total
    data = json.loads(run("report", "evaluation", "--org", "TG", "--year", "2017", "--json"))
    assert {"org", "year", "scheme", "organizations", "members", "members_not_evaluated"} <= set(data)
    assert (data["org"], data["year"], data["scheme"]) == ("TG", 2017, "TRUOC_2018")
    assert data["organizations_total"] == GRASSROOTS == sum(data["organizations"].values())
    assert data["organizations"]["Trong sạch vững mạnh"] == 34
    assert data["organizations"]["Hoàn thành tốt nhiệm vụ"] == 21
    assert data["members"] == MEMBERS
    assert data["members_percent"]["Vi phạm tư cách hoặc không hoàn thành nhiệm vụ"] == 0.94
    assert data["members_not_evaluated"] == []
    assert "bậc" in data["rank_note"]
