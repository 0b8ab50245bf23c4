"""/api/v1/docs: the OpenAPI document as a plain HTML page, rendered on the server.

Swagger UI and ReDoc load their scripts from a CDN, which the security headers (and a
machine without internet) refuse; this page needs no script at all."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.responses import HTMLResponse

_PROBLEMS = {
    "unauthorized": "No token, or a token that is unknown, expired or revoked (401).",
    "forbidden": "The token's role or group scope does not allow this (403).",
    "not-found": "No such job, or it is outside the token's group (404).",
    "invalid-fields": "Fields to fix: one message per field under `errors` (422).",
    "request-entity-too-large": "The video is larger than the server's limit (413).",
    "idempotency-key-in-use": "The first request with this key still runs (409).",
}


def _schema_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_text(s) for s in schema["anyOf"])
    return str(schema.get("type", "object"))


def render(openapi: dict[str, Any]) -> HTMLResponse:
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape(openapi['info']['title'])}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
        "code{background:#eee;padding:0 .2rem}h3{margin-bottom:.2rem}</style></head><body>",
        f"<h1>{escape(openapi['info']['title'])} {escape(openapi['info']['version'])}</h1>",
        f"<p>{escape(openapi['info'].get('description', ''))}</p>",
        "<p>Machine-readable: <a href='/api/v1/openapi.json'>openapi.json</a>.</p>",
    ]
    for path, methods in openapi.get("paths", {}).items():
        for method, op in methods.items():
            out.append(f"<h3><code>{method.upper()} /api/v1{escape(path)}</code></h3>")
            out.append(f"<p>{escape(op.get('summary', ''))}</p>")
            params = op.get("parameters", [])
            if params:
                out.append("<ul>")
                for p in params:
                    out.append(
                        f"<li><code>{escape(p['name'])}</code> ({escape(p['in'])}, "
                        f"{escape(_schema_text(p.get('schema', {})))}) "
                        f"{escape(p.get('description', ''))}</li>"
                    )
                out.append("</ul>")
            codes = ", ".join(sorted(op.get("responses", {})))
            out.append(f"<p>Answers: {escape(codes)}</p>")
    out.append("<h2>Fields of an upload</h2><ul>")
    fields = openapi["components"]["schemas"]["UploadFields"]["properties"]
    for name, schema in fields.items():
        out.append(
            f"<li><code>{escape(name)}</code> ({escape(_schema_text(schema))}) "
            f"{escape(schema.get('description', ''))}</li>"
        )
    out.append("</ul><h2>Problems</h2><p>Errors are <code>application/problem+json</code>.</p>")
    for kind, text in _PROBLEMS.items():
        out.append(f"<p id='problem-{kind}'><code>{kind}</code>: {escape(text)}</p>")
    out.append("</body></html>")
    return HTMLResponse("".join(out))
