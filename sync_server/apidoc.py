"""The OpenAPI description (development only: `serve --dev-api-docs`), completed by hand where the endpoints read
their own bodies: push and reconcile verify the signature over the raw bytes before parsing, so FastAPI cannot see
their body models; the signed-request headers are declared too, so a fuzzer varies them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from waypoint_core.protocol import (
    HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME, ErrorBody, PushBatch, ReconcileRequest,
)

ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorBody} for status in (400, 401, 403, 409, 413, 422, 429)}
BODIES: dict[tuple[str, str], type[BaseModel]] = {("/v2/push", "post"): PushBatch,
                                                  ("/v2/reconcile", "post"): ReconcileRequest}
SIGNED_HEADERS = [{"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                  for name in (HEADER_DEVICE, HEADER_TIME, HEADER_SIGNATURE)]


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for (path, method), model in BODIES.items():
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in model_schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components[model.__name__] = model_schema
            schema["paths"][path][method]["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
        for path, operations in schema["paths"].items():
            if path == "/v2/enrol" or not (path.startswith("/v2/") or path == "/health"):
                continue
            for operation in operations.values():
                operation.setdefault("parameters", []).extend(SIGNED_HEADERS)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
