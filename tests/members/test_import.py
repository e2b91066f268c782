"""The Excel import of members: what a valid file writes, every kind of error, all-or-nothing, the command line."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from simple_history.utils import get_history_model_for_model

from coso.accounts.models import RoleGrant
from coso.core.errors import DomainError
from coso.core.excel import table_bytes
from coso.members import importer, services
from coso.members.importer import COLUMNS, import_members, template_bytes
from coso.members.models import (
    Ethnicity,
    Member,
    MemberProfile,
    Membership,
    MemberStatus,
    Occupation,
    Qualification,
    Religion,
    Status,
)

D = dt.date

HEADERS = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Tôn giáo",
    "Số CCCD",
    "Số thẻ đảng viên",
    "Ngày quyết định kết nạp",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Trình độ giáo dục phổ thông",
    "Trình độ chuyên môn",
    "Lý luận chính trị",
    "Nghề nghiệp",
    "Mã chi bộ",
    "Sinh hoạt từ ngày",
]


def row(**changes: Any) -> list[Any]:
    """A valid row (an official member of C1), with some cells changed by column header."""
    values: dict[str, Any] = {
        "Họ và tên": "Nguyễn Văn An",
        "Ngày sinh": "12/05/1980",
        "Giới tính": "Nam",
        "Dân tộc": "Kinh",
        "Tôn giáo": "Không",
        "Số CCCD": "001080012345",
        "Số thẻ đảng viên": "01012345",
        "Ngày quyết định kết nạp": "20/02/2005",
        "Ngày vào Đảng": "03/03/2005",
        "Ngày chính thức": "03/03/2006",
        "Trình độ giáo dục phổ thông": "12/12",
        "Trình độ chuyên môn": "Đại học",
        "Lý luận chính trị": "Trung cấp",
        "Nghề nghiệp": "Cán bộ, công chức",
        "Mã chi bộ": "C1",
        "Sinh hoạt từ ngày": "01/07/2015",
    }
    values.update(changes)
    if "Số thẻ đảng viên" not in changes and isinstance(values["Số CCCD"], str):
        values["Số thẻ đảng viên"] = "01" + values["Số CCCD"][-6:]  # card numbers are distinct too
    return [values[h] for h in HEADERS]


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> io.BytesIO:
    buf = io.BytesIO(table_bytes("Đảng viên", headers or HEADERS, rows))
    buf.name = "dang-vien.xlsx"
    return buf


def errors_of(rows: list[list[Any]], actor: Any = None) -> list[tuple[int, str, str, str]]:
    count = Member.objects.count()
    result = import_members(xlsx(rows), actor)
    assert result.created == 0 and Member.objects.count() == count
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


def columns_of(errors: list[tuple[int, str, str, str]]) -> list[tuple[int, str]]:
    return [(r, c) for r, c, _, _ in errors]


def test_columns_are_the_contract():
    assert COLUMNS == HEADERS


def test_valid_file_creates_members_statuses_memberships_and_profiles(tree):
    rows = [
        row(),
        row(
            **{
                "Họ và tên": "Lò Thị Bình",
                "Ngày sinh": dt.datetime(1998, 11, 2),  # a real Excel date
                "Giới tính": "nữ",
                "Dân tộc": "thái",
                "Số CCCD": "014198001234",
                "Số thẻ đảng viên": "",
                "Ngày quyết định kết nạp": "10/01/2024",
                "Ngày vào Đảng": D(2024, 2, 3),
                "Ngày chính thức": "",
                "Trình độ giáo dục phổ thông": "9/12",
                "Trình độ chuyên môn": "",
                "Lý luận chính trị": "",
                "Nghề nghiệp": "",
                "Mã chi bộ": "c4",
                "Sinh hoạt từ ngày": "03/02/2024",
            }
        ),
    ]
    seen: list[tuple[int, int]] = []
    result = import_members(xlsx(rows), None, progress=lambda done, total: seen.append((done, total)))
    assert result.ok and result.created == 2, result.errors
    assert seen[-1] == (4, 4)  # two rows read, two written
    an = Member.objects.get(citizen_id="001080012345")
    assert an.full_name == "Nguyễn Văn An" and an.search_key == "nguyen van an"
    assert an.status == Status.OFFICIAL and an.recognised_on == D(2006, 3, 3)
    assert an.home_org == tree["C1"] and an.gender == "M" and an.card_number == "01012345"
    statuses = list(MemberStatus.objects.filter(member=an).values_list("status", "valid_from", "valid_to"))
    assert statuses == [
        (Status.PROBATIONARY, D(2005, 3, 3), D(2006, 3, 3)),
        (Status.OFFICIAL, D(2006, 3, 3), None),
    ]
    assert list(
        Membership.objects.filter(member=an).values_list("org__code", "kind", "valid_from", "valid_to")
    ) == [("C1", "official", D(2015, 7, 1), None)]
    profile = MemberProfile.objects.get(member=an)
    assert (profile.valid_from, profile.education, profile.theory_level) == (
        D(2015, 7, 1),
        "12/12",
        "trung_cap",
    )
    assert profile.qualification.name == "Đại học" and profile.occupation.name == "Cán bộ, công chức"

    binh = Member.objects.get(citizen_id="014198001234")
    assert binh.status == Status.PROBATIONARY and binh.recognised_on is None and binh.home_org == tree["C4"]
    assert binh.gender == "F" and binh.ethnicity.name == "Thái" and binh.birth_date == D(1998, 11, 2)
    assert list(MemberStatus.objects.filter(member=binh).values_list("status", "valid_from", "valid_to")) == [
        (Status.PROBATIONARY, D(2024, 2, 3), None)
    ]
    profile = MemberProfile.objects.get(member=binh)
    assert profile.qualification is None and profile.occupation is None and profile.education == "9/12"
    # history rows for every write, with the file named in the reason
    for model in (Member, MemberStatus, Membership, MemberProfile):
        history = get_history_model_for_model(model).objects.all()
        assert history.count() == model.objects.count()
        assert {h.history_change_reason for h in history} == {"Nhập từ Excel: dang-vien.xlsx"}


def test_history_records_the_actor(tree, django_user_model):
    user = django_user_model.objects.create_user("bt", password="x")
    RoleGrant.objects.create(user=user, role="org_commission", org=tree["X1"])
    result = import_members(xlsx([row()]), user)
    assert result.ok, result.errors
    history = get_history_model_for_model(Member).objects.get()
    assert history.history_user == user


def test_several_errors_write_nothing_and_each_is_listed(tree):
    rows = [
        row(),  # line 2: valid
        row(**{"Số CCCD": "12345", "Giới tính": "Không rõ"}),  # line 3
        row(**{"Số CCCD": "001080012346", "Ngày sinh": "31/02/1980", "Dân tộc": "Kinh Bắc"}),  # line 4
        row(**{"Số CCCD": "001080012347", "Lý luận chính trị": "Thạc sĩ", "Mã chi bộ": "C9"}),  # line 5
        row(**{"Số CCCD": "001080012348", "Ngày chính thức": "01/01/2006"}),  # line 6: before probation ends
        row(**{"Số CCCD": "001080012349", "Trình độ giáo dục phổ thông": "12/9", "Họ và tên": ""}),  # line 7
        row(**{"Số CCCD": "001080012350", "Ngày vào Đảng": "01/02/2005"}),  # line 8: before the decision
        row(**{"Số CCCD": "001080012351", "Sinh hoạt từ ngày": "01/01/2005"}),  # line 9: before joining
        row(**{"Số CCCD": "001080012352", "Tôn giáo": "Đạo lạ", "Ngày sinh": ""}),  # line 10
    ]
    errors = errors_of(rows)
    assert columns_of(errors) == [
        (3, "Giới tính"),
        (3, "Số CCCD"),
        (4, "Ngày sinh"),
        (4, "Dân tộc"),
        (5, "Lý luận chính trị"),
        (5, "Mã chi bộ"),
        (6, "Ngày chính thức"),
        (7, "Họ và tên"),
        (7, "Trình độ giáo dục phổ thông"),
        (8, "Ngày vào Đảng"),
        (9, "Sinh hoạt từ ngày"),
        (10, "Ngày sinh"),
        (10, "Tôn giáo"),
    ]
    by_place = {(r, c): (v, m) for r, c, v, m in errors}
    assert by_place[(3, "Số CCCD")][0] == "12345" and "12 chữ số" in by_place[(3, "Số CCCD")][1]
    assert by_place[(4, "Ngày sinh")][0] == "31/02/1980" and "dd/mm/yyyy" in by_place[(4, "Ngày sinh")][1]
    assert by_place[(5, "Mã chi bộ")][0] == "C9" and "Không tìm thấy chi bộ" in by_place[(5, "Mã chi bộ")][1]
    assert "03/03/2006" in by_place[(6, "Ngày chính thức")][1]
    assert "MEM.PROBATION" in by_place[(6, "Ngày chính thức")][1]
    assert (10, "Ngày sinh") in by_place and (10, "Tôn giáo") in by_place
    assert len(errors) == 13
    assert Member.objects.count() == 0 and MemberStatus.objects.count() == 0


def test_error_text_names_row_column_and_value(tree):
    result = import_members(xlsx([row(), row(**{"Số CCCD": "001080012346", "Giới tính": "X"})]), None)
    assert [str(e) for e in result.errors] == [
        "Dòng 3, cột “Giới tính”, giá trị “X”: Giới tính không hợp lệ; hãy ghi “Nam” hoặc “Nữ”."
    ]


def test_unknown_qualification_and_occupation_are_added(tree):
    rows = [
        row(**{"Trình độ chuyên môn": "Kỹ sư nông nghiệp", "Nghề nghiệp": "Hướng dẫn viên du lịch"}),
        row(
            **{
                "Số CCCD": "001080012346",
                "Trình độ chuyên môn": "kỹ sư  NÔNG nghiệp",  # the same value, other case and spacing
                "Nghề nghiệp": "nông dân",  # an existing value, other case
            }
        ),
    ]
    dry = import_members(xlsx(rows), None, dry_run=True)
    assert dry.ok and list(dry.plan.new_qualifications.values()) == ["Kỹ sư nông nghiệp"]
    assert not Qualification.objects.filter(name="Kỹ sư nông nghiệp").exists()
    result = import_members(xlsx(rows), None)
    assert result.ok and result.created == 2, result.errors
    assert result.qualifications_added == ["Kỹ sư nông nghiệp"]
    assert result.occupations_added == ["Hướng dẫn viên du lịch"]
    added = Qualification.objects.get(name="Kỹ sư nông nghiệp")
    assert MemberProfile.objects.filter(qualification=added).count() == 2
    assert Occupation.objects.filter(name__iexact="nông dân").count() == 1
    assert get_history_model_for_model(Qualification).objects.filter(name="Kỹ sư nông nghiệp").count() == 1


def test_duplicate_citizen_id_in_the_file_and_in_the_database(tree):
    errors = errors_of([row(), row(**{"Họ và tên": "Trần Văn Ba", "Số thẻ đảng viên": ""})])
    assert columns_of(errors) == [(3, "Số CCCD")]
    assert "trùng với dòng 2" in errors[0][3]

    assert import_members(xlsx([row()]), None).created == 1
    errors = errors_of(
        [row(**{"Số CCCD": "001080099999"}), row(**{"Họ và tên": "Trần Văn Ba", "Số thẻ đảng viên": ""})]
    )
    assert columns_of(errors) == [(3, "Số CCCD")]
    assert "đã có trong hệ thống" in errors[0][3] and "Nguyễn Văn An" in errors[0][3]
    assert Member.objects.count() == 1


def test_citizen_id_typed_as_a_number_keeps_its_leading_zeros(tree):
    result = import_members(xlsx([row(**{"Số CCCD": 1080012345})]), None)
    assert result.ok, result.errors
    assert Member.objects.get().citizen_id == "001080012345"


def test_cell_must_be_a_cell_existing_on_the_date_and_in_scope(tree, django_user_model):
    errors = errors_of(
        [
            row(**{"Mã chi bộ": "X1"}),  # a commune committee, not a cell
            row(
                **{
                    "Số CCCD": "001080012346",
                    "Ngày quyết định kết nạp": "01/02/2000",
                    "Ngày vào Đảng": "01/03/2000",
                    "Ngày chính thức": "01/03/2001",
                    "Mã chi bộ": "C2",  # established 01/01/2001
                    "Sinh hoạt từ ngày": "01/03/2000",
                }
            ),
        ]
    )
    assert columns_of(errors) == [(2, "Mã chi bộ"), (3, "Mã chi bộ")]
    assert "không phải chi bộ" in errors[0][3] and "MEM.CELL" in errors[0][3]
    assert "không tồn tại vào ngày 01/03/2000" in errors[1][3]

    user = django_user_model.objects.create_user("bt", password="x")
    RoleGrant.objects.create(user=user, role="org_commission", org=tree["X1"])
    errors = errors_of([row(), row(**{"Số CCCD": "001080012346", "Mã chi bộ": "C4"})], user)
    assert columns_of(errors) == [(3, "Mã chi bộ")] and "ngoài phạm vi" in errors[0][3]
    viewer = django_user_model.objects.create_user("xem", password="x")
    RoleGrant.objects.create(user=viewer, role="viewer", org=tree["T"])
    assert columns_of(errors_of([row()], viewer)) == [(2, "Mã chi bộ")]


def test_admission_age_by_months_and_over_sixty(tree):
    errors = errors_of(
        [
            row(**{"Ngày sinh": "21/02/1987"}),  # 17 years 11 months on 20/02/2005
            row(**{"Số CCCD": "001080012346", "Ngày sinh": "19/01/1945"}),  # 60 years 1 month
        ]
    )
    assert columns_of(errors) == [(2, "Ngày sinh"), (3, "Ngày sinh")]
    assert "MEM.ADMISSION_AGE" in errors[0][3] and "chưa đủ 18 tuổi" in errors[0][3]
    assert "biểu mẫu kết nạp" in errors[1][3]
    result = import_members(
        xlsx(
            [
                row(**{"Ngày sinh": "20/02/1987"}),  # exactly 18
                row(**{"Số CCCD": "001080012346", "Ngày sinh": "20/02/1945"}),  # exactly 60
            ]
        ),
        None,
    )
    assert result.ok and result.created == 2, result.errors


def test_probation_boundary_matches_the_service_rule(tree):
    end, rule = services.probation_end(D(2005, 3, 3))
    assert end == D(2006, 3, 3) and rule.code == "MEM.PROBATION"
    assert columns_of(errors_of([row(**{"Ngày chính thức": "02/03/2006"})])) == [(2, "Ngày chính thức")]
    assert import_members(xlsx([row(**{"Ngày chính thức": "03/03/2006"})]), None).ok


def test_future_dates_and_excel_turned_education_into_a_date(tree):
    future = (dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    errors = errors_of(
        [
            row(**{"Sinh hoạt từ ngày": future}),
            row(**{"Số CCCD": "001080012346", "Trình độ giáo dục phổ thông": dt.datetime(2025, 12, 12)}),
        ]
    )
    assert columns_of(errors) == [(2, "Sinh hoạt từ ngày"), (3, "Trình độ giáo dục phổ thông")]
    assert "ở tương lai" in errors[0][3] and "Văn bản (Text)" in errors[1][3]


def test_missing_required_column(tree):
    headers = [h for h in HEADERS if h != "Mã chi bộ"]
    result = import_members(xlsx([row()[:-2] + row()[-1:]], headers), None)
    assert [(e.row, e.column) for e in result.errors] == [(1, "Mã chi bộ")]
    assert Member.objects.count() == 0


def test_not_an_xlsx_file(tree):
    bad = io.BytesIO(b"not a zip")
    bad.name = "x.xlsx"
    result = import_members(bad, None)
    assert len(result.errors) == 1 and result.errors[0].row == 0


def test_validate_then_apply_with_plain_rows(tree):
    plan = importer.validate([dict(zip(HEADERS, row(), strict=True))], None)
    assert plan.ok and plan.official == 1 and plan.by_cell() == {"C1": 1}
    result = importer.apply(plan, None, "tay.xlsx")
    assert result.created == 1
    assert {h.history_change_reason for h in get_history_model_for_model(Member).objects.all()} == {
        "Nhập từ Excel: tay.xlsx"
    }


def test_template_headers_examples_and_guide(db):
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    sheet, guide = wb.worksheets
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 3
    assert guide.title == "Hướng dẫn"
    text = "\n".join(str(c.value) for r in guide.iter_rows() for c in r if c.value)
    for value in ("Kinh", "Ơ Đu", "Công giáo", "Cử nhân", "12/12", "Đại học", "Nông dân"):
        assert value in text


def test_template_examples_only_fail_on_the_example_cell_code(tree):
    result = import_members(io.BytesIO(template_bytes()), None, dry_run=True)
    assert {(e.column, e.value) for e in result.errors} == {("Mã chi bộ", "VD-C01")}


def test_many_rows_without_a_query_per_row(tree, django_assert_max_num_queries):
    rows = [
        row(**{"Số CCCD": f"0010800{i:05d}", "Mã chi bộ": ("C1", "C2", "C3", "C4")[i % 4]})
        for i in range(300)
    ]
    data = xlsx(rows)
    with django_assert_max_num_queries(60):
        result = import_members(data, None)
    assert result.created == 300
    assert Membership.objects.filter(org=tree["C4"]).count() == 75


def write(tmp_path: Any, rows: list[list[Any]]) -> str:
    path = tmp_path / "dang-vien.xlsx"
    path.write_bytes(table_bytes("Đảng viên", HEADERS, rows))
    return str(path)


def test_cli_dry_run_writes_nothing_then_imports(tree, tmp_path):
    path = write(
        tmp_path, [row(), row(**{"Số CCCD": "001080012346", "Ngày chính thức": "", "Nghề nghiệp": "Thợ mộc"})]
    )
    out = io.StringIO()
    call_command("import", "members", path, "--dry-run", stdout=out)
    assert "chạy thử, chưa ghi gì" in out.getvalue() and "1 chính thức, 1 dự bị" in out.getvalue()
    assert "Sẽ thêm nghề nghiệp: Thợ mộc" in out.getvalue()
    assert Member.objects.count() == 0 and not Occupation.objects.filter(name="Thợ mộc").exists()
    out = io.StringIO()
    call_command("import", "members", path, stdout=out)
    assert "Đã nhập 2 đảng viên" in out.getvalue()
    assert Member.objects.count() == 2


def test_cli_prints_every_error_and_fails(tree, tmp_path):
    path = write(tmp_path, [row(**{"Giới tính": "?"}), row(**{"Mã chi bộ": "X1", "Số thẻ đảng viên": ""})])
    err = io.StringIO()
    with pytest.raises(CommandError, match="có 3 lỗi; chưa ghi gì"):
        call_command("import", "members", path, stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Dòng 2, cột “Giới tính”, giá trị “?”: ")
    assert lines[1].startswith("Dòng 3, cột “Số CCCD”")
    assert lines[2].startswith("Dòng 3, cột “Mã chi bộ”, giá trị “X1”: ")
    assert Member.objects.count() == 0
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import", "members", str(tmp_path / "khong-co.xlsx"))


def test_apply_refuses_a_plan_with_errors_or_a_citizen_id_taken_since_validate(tree):
    bad = importer.validate([dict(zip(HEADERS, row(**{"Giới tính": "?"}), strict=True))], None)
    with pytest.raises(DomainError, match="còn 1 lỗi"):
        importer.apply(bad, None)
    plan = importer.validate([dict(zip(HEADERS, row(**{"Nghề nghiệp": "Thợ rèn"}), strict=True))], None)
    assert plan.ok
    services.admit(
        None,
        services.Identity(
            full_name="Người khác",
            birth_date=D(1990, 1, 1),
            gender="M",
            ethnicity=Ethnicity.objects.get(name="Kinh"),
            religion=Religion.objects.get(name="Không"),
            citizen_id="001080012345",
        ),
        cell=tree["C2"],
        admission_decided_on=D(2020, 1, 1),
        joined_on=D(2020, 1, 10),
    )
    with pytest.raises(DomainError, match="chưa ghi gì"):
        importer.apply(plan, None, "x.xlsx")
    assert Member.objects.count() == 1 and not Occupation.objects.filter(name="Thợ rèn").exists()
