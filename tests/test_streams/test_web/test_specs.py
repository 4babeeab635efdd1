"""The API descriptions: `/openapi.json` (OpenAPI 3.1) and `docs/asyncapi.yaml` (AsyncAPI 3),
each validated against its specification and against the app it describes; the probes and the
problem+json errors."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from schemas.events import EnrichedEntry, Quote
from streams.core.metrics import Metrics
from streams.web.app import build_app
from streams.web.asyncapi import document
from streams.web.openapi import OPERATIONS
from tests.conftest import ROOT
from tests.test_streams.test_web.serving import replayed, serving

ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


class TestOpenApi:
    async def test_served_document_is_valid_and_complete(self, tmp_path: Path) -> None:
        """`/openapi.json` is a valid OpenAPI 3.1 document, lists every API route the app has,
        and what the app answers validates against the documented schemas."""
        async with serving(tmp_path) as (url, session), aiohttp.ClientSession() as http:
            await replayed(session)
            async with http.get(f"{url}/openapi.json") as resp:
                assert resp.status == 200
                spec = await resp.json()
            validate(spec)
            app = build_app(session.web_context())
            served = {
                (r.method.lower(), r.resource.canonical)
                for r in app.router.routes()
                if r.resource is not None
                and r.method != "HEAD"
                and r.resource.canonical.startswith(("/api/", "/feeds/", "/healthz", "/readyz"))
            }
            documented = {(op.method, op.path) for op in OPERATIONS}
            assert served == documented
            assert {(m, p) for p, ops in spec["paths"].items() for m in ops} == documented
            for path in ("/api/quotes", "/api/blogs", "/api/speakers", "/api/alerts"):
                async with http.get(url + path) as resp:
                    assert resp.status == 200, path
                    body = await resp.json()
                schema = spec["paths"][path]["get"]["responses"]["200"]["content"][
                    "application/json"
                ]["schema"]
                target = {**_resolve(spec, schema["$ref"]), "components": spec["components"]}
                jsonschema.Draft202012Validator(target).validate(body)
            assert len(body["alerts"]) == 0 or "delivery" in body["alerts"][0]
            async with http.get(url + "/api/entries", params={"limit": "1"}) as resp:
                eid = (await resp.json())["entries"][0]["entry_id"]
            async with http.get(f"{url}/api/entries/{eid}") as resp:
                entry = await resp.json()
            schema = spec["paths"]["/api/entries/{eid}"]["get"]["responses"]["200"]["content"][
                "application/json"
            ]["schema"]
            target = {**_resolve(spec, schema["$ref"]), "components": spec["components"]}
            jsonschema.Draft202012Validator(target).validate(entry)

    async def test_errors_are_problem_json(self, tmp_path: Path) -> None:
        """A bad filter answers `application/problem+json` with status, title, detail and the
        position, and the message says the position once."""
        async with serving(tmp_path) as (url, _), aiohttp.ClientSession() as http:
            params = {"filter": "speaker:okafor (rent"}
            async with http.get(f"{url}/api/filters/check", params=params) as resp:
                assert resp.status == 400
                assert resp.content_type == "application/problem+json"
                problem = await resp.json(content_type=None)
            assert problem["status"] == 400 and problem["title"] == "Bad Request"
            assert problem["position"] == 15
            assert problem["detail"].count("position") == 1
            async with http.get(f"{url}/api/entries/nope") as resp:
                assert resp.status == 404
                assert resp.content_type == "application/problem+json"


class TestProbes:
    async def test_serve_probes(self, tmp_path: Path) -> None:
        """`/healthz` answers while the process runs; `/readyz` too once it can serve."""
        async with serving(tmp_path) as (url, _), aiohttp.ClientSession() as http:
            for path in ("/healthz", "/readyz"):
                async with http.get(url + path) as resp:
                    assert resp.status == 200
                    assert (await resp.json())["status"] == "ok"

    def test_metrics_port_probes(self) -> None:
        """The metrics port answers `/healthz` at once, `/readyz` 503 until ready, then 200,
        and still `/metrics`."""
        import urllib.error
        import urllib.request

        metrics = Metrics()
        port = metrics.serve(0)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/healthz", timeout=5) as resp:
            assert resp.status == 200
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(base + "/readyz", timeout=5)
        assert failed.value.code == 503
        assert failed.value.headers["Content-Type"] == "application/problem+json"
        metrics.ready = True
        with urllib.request.urlopen(base + "/readyz", timeout=5) as resp:
            assert resp.status == 200
        with urllib.request.urlopen(base + "/metrics", timeout=5) as resp:
            assert b"liveblog_records_in" in resp.read()


class TestAsyncApi:
    def test_file_is_current(self) -> None:
        """docs/asyncapi.yaml is what `python -m streams.web.asyncapi` writes today."""
        assert yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8")) == document()

    def test_valid_asyncapi_3(self) -> None:
        """The document validates against the AsyncAPI 3.0 object model (unknown fields and
        wrong values are refused), every `$ref` resolves and every payload is a valid JSON
        Schema."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the package's own field names
            from asyncapi3.models.asyncapi import AsyncAPI3

        doc = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
        AsyncAPI3.model_validate(doc)
        refs = _refs(doc)
        assert len(refs) > 40
        for ref in refs:
            _resolve(doc, ref)
        for name, schema in doc["components"]["schemas"].items():
            jsonschema.Draft202012Validator.check_schema(schema)
            assert name.isidentifier()

    def test_describes_every_topic_and_feed(self) -> None:
        """Each Kafka topic and each SSE and WebSocket feed of the app has a channel, and the
        payloads carry the event models' fields."""
        doc = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
        addresses = {c["address"] for c in doc["channels"].values()}
        for suffix in ("raw-entries", "entries", "quotes", "speakers", "alerts", "dead-letters"):
            assert "{prefix}." + suffix in addresses
        for path in ("/feeds/quotes", "/feeds/entries", "/feeds/alerts", "/ws/quotes"):
            assert path in addresses
        schemas = doc["components"]["schemas"]
        assert set(schemas["Quote"]["properties"]) == set(Quote.model_fields)
        assert set(schemas["EnrichedEntry"]["properties"]) == set(EnrichedEntry.model_fields)

    async def test_feed_payloads_validate(self, tmp_path: Path) -> None:
        """A quote event of the SSE feed validates against the documented payload."""
        doc = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
        async with serving(tmp_path) as (url, session), aiohttp.ClientSession() as http:
            await replayed(session)
            params = {"backlog": "1"}
            async with http.get(f"{url}/feeds/quotes", params=params) as resp:
                async for raw in resp.content:
                    line = raw.decode()
                    if line.startswith("data: "):
                        break
            import json

            data = json.loads(line[6:])
        schema = {**doc["components"]["schemas"]["QuoteOut"], "components": doc["components"]}
        jsonschema.Draft202012Validator(schema).validate(data)
