"""The OpenAPI 3.1 description of the read-only API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from functools import lru_cache

ERROR = {"$ref": "#/components/responses/Error"}
META = {"generated_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"},
        "tz": {"type": "string"}, "day_start": {"type": "string", "format": "date-time"},
        "sl_variant": {"type": "string", "enum": ["default", "asterisk", "asterisk2"]}}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
NUM = {"type": ["number", "null"]}
QUEUE = {"type": "object", "description": "Live numbers, today's counts and KPIs, the 15/30/60-minute windows and "
         "today's 15-minute intervals of one line (docs/snapshot.md, queues.<name>; no caller lists).",
         "properties": {"waiting": {"type": "integer"}, "longest_wait_s": {"type": "number"},
                        "offered": {"type": "integer"}, "answered": {"type": "integer"},
                        "abandoned": {"type": "integer"}, "service_level": NUM, "asa_s": NUM, "aht_s": NUM,
                        "abandon_rate": NUM, "agents": COUNTS, "windows": {"type": "object"},
                        "intervals": {"type": "array", "items": {"type": "object"}}}}
SCHEMAS = {
    "Queues": {"type": "object", "properties": {**META, "queues": {"type": "object",
                                                                    "additionalProperties": QUEUE}}},
    "Channels": {"type": "object", "properties": {**META, "channels": {"type": "object", "additionalProperties": {
        "type": "object", "properties": {"waiting": {"type": "integer"}, "waiting_breached": {"type": "integer"},
                                         "oldest_wait_s": {"type": "number"}, "created": {"type": "integer"},
                                         "responded": {"type": "integer"}, "service_level": NUM,
                                         "target_s": {"type": "integer"}}}}}},
    "Services": {"type": "object", "properties": {**META, "services": {"type": "array", "items": {
        "type": "object", "properties": {"code": {"type": "string"}, "status": {
            "type": "string", "enum": ["up", "degraded", "down", "unknown"]}, "latency_ms": NUM}}}}},
    "Alerts": {"type": "object", "properties": {**META, "alerts": {"type": "array", "items": {
        "type": "object", "properties": {"key": {"type": "string"}, "rule": {"type": "string"},
                                         "scope": {"type": "string"},
                                         "severity": {"type": "string", "enum": ["warning", "critical"]},
                                         "state": {"type": "string"}, "params": {"type": "object"}}}}}},
    "Agents": {"type": "object", "properties": {**META, "agents": {"type": "object", "properties": {
        "by_state": COUNTS, "by_team": {"type": "object", "additionalProperties": COUNTS},
        "by_queue": {"type": "object", "additionalProperties": COUNTS}}}}},
    "Status": {"type": "object", "properties": {**META, "age_s": NUM, "sources": {"type": "object"}}},
    "SlaReport": {"type": "object", "description": "As `python app.py report sla --format json` prints it: raw "
                  "numbers (fractions, seconds, counts, epochs).",
                  "properties": {"start": {"type": "number"}, "end": {"type": "number"}, "tz": {"type": "string"},
                                 "granularity": {"type": "string"}, "params": {"type": "object"},
                                 "rows": {"type": "array", "items": {"type": "object"}},
                                 "totals": {"type": "array", "items": {"type": "object"}}}},
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
}
OPERATIONAL = {"queues": ("Queues", "Every line: live numbers, today's figures, rolling windows."),
               "channels": ("Channels", "Digital channels: waiting, first-response service level."),
               "services": ("Services", "Portal services' status."),
               "alerts": ("Alerts", "Active alerts."),
               "agents": ("Agents", "Operators counted by state, team and line (no operator named)."),
               "status": ("Status", "The snapshot's age and the sources' health.")}
SLA_PARAMS = [
    {"name": "period", "in": "query", "schema": {"type": "string", "enum": [
        "today", "yesterday", "this_week", "last_week", "this_month", "last_month", "custom"]},
     "description": "A named period in HOTLINE_TZ (default last_month; custom when from is given)."},
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "First local day."},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Last local day."},
    {"name": "by", "in": "query", "schema": {"type": "string", "enum": ["interval", "hour", "day", "week", "month"]}},
    {"name": "queue", "in": "query", "schema": {"type": "string"}, "description": "One line (default: all)."},
    {"name": "threshold", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 3600},
     "description": "T in seconds: service level recomputed for it."},
]


def _get(schema: str, summary: str, scope: str, params: list | None = None) -> dict:
    op = {"summary": summary, "security": [{"bearer": []}], "x-scope": scope,
          "responses": {"200": {"description": "OK", "content": {"application/json": {
              "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
              "400": ERROR, "401": ERROR, "403": ERROR, "429": ERROR, "503": ERROR}}
    if params:
        op["parameters"] = params
    return {"get": op}


@lru_cache(maxsize=1)
def document() -> dict:
    paths = {f"/api/v1/{name}": _get(schema, text, "operational") for name, (schema, text) in OPERATIONAL.items()}
    paths["/api/v1/reports/sla"] = _get("SlaReport", "The SLA report's figures for a period.", "reports", SLA_PARAMS)
    paths["/api/v1/openapi.json"] = {"get": {"summary": "This document.", "security": [], "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hotline dashboard API", "version": "1.0.0",
                 "description": "Read-only figures of the state-services hotline. Tokens are created by an "
                                "administrator (scopes operational, reports). No personal data."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {"Error": {"description": "Refused: the message says why.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }
