"""The OpenAPI schema (/api/v1/openapi.json) as the API answers: drf-spectacular's AutoSchema with three
corrections, so that a client generated from the schema, or schemathesis (`make fuzz`), finds exactly what each
operation returns.

- Only a GET answers a page (`{"count", "next", "previous", "results"}`); a PUT or POST that returns a list (the
  agenda after replacing it) returns the list itself, and takes no `page` parameters.
- Times are "HH:MM" or "HH:MM:SS" in local time, as the API writes and reads them: a pattern, not the
  format "time" (which in JSON Schema requires a UTC offset the API never writes).
- Every optional query parameter may be sent empty (`?as_of=`), which means the same as leaving it out (as each
  parameter's description says: today, no filter, the first page); and every operation may be refused before it
  reaches Coso with 414 (an address longer than the server reads) or 431 (headers too large), answered by the
  web server in HTML.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
TOO_LARGE = {
    "414": "Địa chỉ (URL) quá dài: máy chủ web từ chối trước khi tới ứng dụng.",
    "431": "Tiêu đề yêu cầu quá lớn: máy chủ web từ chối trước khi tới ứng dụng.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_paginator(self) -> Any:
        if self.method != "GET":
            return None
        return super()._get_paginator()


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": TIME_PATTERN, "example": "19:30"}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS' POSTPROCESSING_HOOKS (after drf-spectacular's enum hook)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code, text in TOO_LARGE.items():
                responses.setdefault(
                    code, {"description": text, "content": {"text/html": {"schema": {"type": "string"}}}}
                )
    return result
