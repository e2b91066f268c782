"""Rules of cell meetings, each named with its source.

Thresholds are dated rule sets (`coso.core.models.RuleSet`, seeded by migration meetings 0002) read with
`coso.core.rules.rule_in_force` on the date they judge:

- MEET.REGULAR: a regular meeting every month (`per_month`), the yearly bar of seed 000 (`min_per_year`, "trên 11
  kỳ/năm"), and the alert on a cell without a regular meeting for more than `max_days_without_meeting` days.
- MEET.THEMATIC: at least `per_quarter` thematic meeting(s) a quarter.
- MEET.MEMBER_ALERTS: a member with `absence_months` distinct months of unexcused absence, or `unpaid_dues_months`
  months of unpaid dues, in the calendar year: grounds for the cell to consider removal (an alert, never an
  automatic action).

The integrity rules below guard the records themselves; every refusal is a `DomainError` naming one of them.
"""

from __future__ import annotations

from coso.core.errors import Rule

REGULAR = "MEET.REGULAR"
THEMATIC = "MEET.THEMATIC"
MEMBER_ALERTS = "MEET.MEMBER_ALERTS"

ORG_EXISTS = Rule(
    "MEET.ORG_EXISTS",
    "Chỉ ghi cuộc sinh hoạt của tổ chức đảng đang tồn tại vào ngày họp (từ ngày thành lập, trước ngày giải thể)",
    "Điều lệ Đảng, Điều 24; quyết định thành lập / giải thể của cấp có thẩm quyền",
)
KIND = Rule(
    "MEET.KIND",
    "Loại sinh hoạt phù hợp với tổ chức: chi bộ sinh hoạt chi bộ; đảng bộ sinh hoạt toàn đảng bộ",
    "Điều lệ Đảng, Điều 24; Hướng dẫn 12-HD/BTCTW (18/01/2018) về nâng cao chất lượng sinh hoạt chi bộ",
)
ATTENDEE = Rule(
    "MEET.ATTENDEE",
    "Chỉ điểm danh đảng viên sinh hoạt tại chi bộ (chính thức hoặc tạm thời) vào ngày họp, hoặc cán bộ được "
    "cấp ủy phân công dự",
    "Điều lệ Đảng, Điều 24; Hướng dẫn 12-HD/BTCTW (2018)",
)
STATE = Rule(
    "MEET.STATE",
    "Thao tác phù hợp với tình trạng của cuộc sinh hoạt (dự kiến, đã họp, đã hủy)",
    "Nguyên tắc dữ liệu của Coso",
)
PAST = Rule("MEET.PAST", "Việc đã xảy ra không thể ghi ngày ở tương lai", "Nguyên tắc dữ liệu của Coso")
RHYTHM = Rule(
    "MEET.RHYTHM",
    "Chi bộ định ngày sinh hoạt thường kỳ hằng tháng (ngày 1-31), ghi theo thứ tự thời gian",
    "Điều lệ Đảng, Điều 24 (chi bộ sinh hoạt thường kỳ mỗi tháng một lần)",
)
MINUTES_LOCKED = Rule(
    "MEET.MINUTES_LOCKED",
    "Biên bản đã thông qua không được sửa; chỉ đính chính có ghi lý do và căn cứ",
    "Hướng dẫn 12-HD/BTCTW (2018), biên bản thông qua trước khi bế mạc; nguyên tắc lưu lịch sử của Coso",
)
VOTES = Rule(
    "MEET.VOTES",
    "Số phiếu biểu quyết không vượt số đảng viên có mặt",
    "Điều lệ Đảng, Điều 10 (nghị quyết được quá nửa số đảng viên có mặt tán thành)",
)
DUES = Rule(
    "MEET.DUES",
    "Đảng phí đóng hằng tháng tại chi bộ nơi đảng viên sinh hoạt, mỗi tháng một lần",
    "Quyết định 342-QĐ/TW (28/12/2010); Quy định 01-QĐ/TW (2026) về chế độ đảng phí",
)
TASK = Rule(
    "MEET.TASK",
    "Nhiệm vụ của nghị quyết có thời hạn, được kiểm điểm ở các kỳ sinh hoạt sau của chính tổ chức đó",
    "Hướng dẫn 12-HD/BTCTW (2018): kiểm điểm việc thực hiện nghị quyết kỳ trước",
)
QUALITY = Rule(
    "MEET.QUALITY",
    "Chấm chất lượng sinh hoạt theo bộ tiêu chí có hiệu lực vào ngày họp (của cấp gần nhất, mặc định toàn quốc)",
    "Hướng dẫn 12-HD/BTCTW (2018), đánh giá chất lượng sinh hoạt chi bộ",
)
ASSIGN = Rule(
    "MEET.ASSIGN",
    "Cấp ủy phân công cấp ủy viên, cán bộ dự sinh hoạt ở chi bộ trực thuộc mình",
    "Hướng dẫn 12-HD/BTCTW (2018); bài 003 (Tân Yên, Bắc Giang)",
)
PROGRAMME = Rule(
    "MEET.PROGRAMME",
    "Đề án chọn chi bộ điểm trong phạm vi của cấp ủy triển khai, trong thời gian của đề án",
    "Đề án 16-ĐA/TU (03/01/2020) của Ban Thường vụ Tỉnh ủy Tuyên Quang (bài 004)",
)
