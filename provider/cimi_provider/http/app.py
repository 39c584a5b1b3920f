"""The HTTP application: one generic dispatcher over the catalogue, under ``/cimi/``.

Paths are the resources' relative ids, so routing is a lookup: ``cloudEntryPoint``; a collection
(``machines``, ``machines/<id>/disks``); a resource (``machines/<id>``); an action
(``machines/<id>/start``). Every error becomes a Job-shaped body (4.2.2) with its HTTP status;
an unexpected exception is logged and answered with a generic 500, never with its text.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response

from .. import tenancy
from ..catalogue import NS, TOP_LEVEL, TYPES
from ..errors import BadRequest, CimiError, Forbidden, NotFound, PayloadTooLarge, error_job
from ..query import QueryError, parse_query, select_attributes
from ..request import RequestContext
from ..serialization import (BodyTooLarge, NotAcceptable, SerializationError,
                             UnsupportedMediaType, negotiate, parse_body, render)
from ..service.core import COMMON_WRITABLE, Result
from ..service.validate import check_fields
from ..audit import events as audit_events
from ..audit.events import MUTATING
from .access_log import AccessLogFile, AccessLogMiddleware, note_user
from .auth import Authenticator
from . import routes
from .host_check import HostCheckMiddleware
from .render_cache import Rendered, RenderCache

log = logging.getLogger("cimi_provider.http")
PREFIX = "/cimi/"


@dataclass
class HttpSettings:
    max_body_bytes: int = 1024 * 1024
    render_cache_entries: int = 256  # 0 disables the render cache
    namespace: str = NS  # of the answers' resourceURIs: NS_V1 with --compat cimi1


def client_host(request: Request) -> str | None:
    return request.client.host if request.client else None


def base_uri(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


class Dispatcher:
    def __init__(self, provider, views, auth: Authenticator, settings: HttpSettings, audit=None):
        self.p = provider
        self.views = views
        self.auth = auth
        self.settings = settings
        self.cache = RenderCache(settings.render_cache_entries)
        self.audit = audit  # an audit.recorder.ApiAudit, or None

    async def body(self, request: Request) -> dict:
        """The request body, size-limited as it streams in, parsed (JSON or XML) into typed
        values."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    raise PayloadTooLarge(f"request body is larger than {limit} bytes")
            except ValueError:
                raise BadRequest("invalid Content-Length") from None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"request body is larger than {limit} bytes")
            chunks.append(chunk)
        doc = parse_body(b"".join(chunks), request.headers.get("content-type"), limit)
        if not isinstance(doc, dict):
            raise BadRequest("the request body must be an object")
        return doc

    def resolve(self, request: Request) -> routes.Target:
        """The request's target, resolved once (dispatch and the audit trail share it)."""
        path = request.url.path
        rel = path[len(PREFIX):].strip("/") if path.startswith(PREFIX) else path.strip("/")
        return routes.resolve(request.method, rel, self.p.store.row, self.views.metadata)

    async def route(self, request: Request, req: RequestContext) -> Result:
        """Run the endpoint ``req.target`` routes to; the answer with absolute ids."""
        target = req.target
        if target.kind == "unknown" or (
                target.row is not None and not req.access.sees(target.row)):
            raise NotFound(f"no resource at {PREFIX}{target.path}")
        rule = routes.RULES.get((target.kind, "GET" if request.method == "HEAD" else request.method))
        if rule is None:
            raise routes.not_allowed(target)
        if rule.changes:
            self.p.check_change(target.row)
        if not rule.when(target):
            raise routes.not_allowed(target)
        result = await getattr(self, "ep_" + rule.endpoint)(request, req)
        return result.finish(req.base)

    # endpoints (routes.ROUTES names them); answers carry relative ids ------------------------
    async def ep_read_cep(self, request, req: RequestContext) -> Result:
        return Result(200, select_attributes(self.views.cep(req.base), req.query.select))

    async def ep_update_cep(self, request, req: RequestContext) -> Result:
        if not req.access.changes_all:
            raise Forbidden("only an admin may change the cloud entry point")
        fields = check_fields(await self.body(request), TYPES["CloudEntryPoint"].attr_map, "",
                              mode="update")
        job = self.views.update_cep(fields, req.query.select, req.base)
        return Result(200, self.views.cep(req.base), {"CIMI-Job-URI": job})

    async def ep_list(self, request, req: RequestContext) -> Result:
        return Result(200, self.views.collection(req.target.path, req.base, req.query))

    async def ep_read(self, request, req: RequestContext) -> Result:
        return Result(200, self.views.resource(req.target.path, req.base, req.query))

    async def ep_create(self, request, req: RequestContext) -> Result:
        return await self.p.create(TOP_LEVEL[req.target.path], await self.body(request), req)

    async def ep_insert(self, request, req: RequestContext) -> Result:
        target = req.target
        attr = target.path.rsplit("/", 1)[1]
        return await self.p.lifecycle(target.type_name).insert(target.id, attr,
                                                               await self.body(request), req)

    async def ep_update(self, request, req: RequestContext) -> Result:
        select = sorted(req.query.select) if req.query.select else None
        return self.p.update(req.target.path, await self.body(request), select, req)

    async def ep_delete(self, request, req: RequestContext) -> Result:
        return await self.p.delete(req.target.path, req)

    async def ep_action(self, request, req: RequestContext) -> Result:
        target = req.target
        return await self.p.action(target.id, target.op, await self.body(request), req)

    def shown_row(self, req: RequestContext):
        """The one stored row a GET answer shows when nothing else decides its bytes: a
        resource read as stored (no $expand or $select) whose view derives from no other row."""
        target, q = req.target, req.query
        if target.kind != "resource" or target.row is None or q.expand or q.select:
            return None
        return None if self.p.lifecycle(target.row.type).derived else target.row

    def cache_key(self, request: Request, access: tenancy.Access):
        """What decides a GET answer's bytes (see render_cache.py), or None if not cacheable.
        What a principal may see decides it too: one principal never gets another's page."""
        if request.method not in ("GET", "HEAD") or not self.cache.enabled:
            return None
        scope, headers = request.scope, request.headers
        return (access, scope["scheme"], headers.get("host"), scope.get("root_path", ""),
                scope["path"], scope["query_string"], headers.get("accept"))

    async def __call__(self, request: Request) -> Response:
        fmt = "json"
        key = generation = principal = target = shown_row = None
        audited = self.audit is not None and request.method in MUTATING
        if audited:  # resolved before the request runs: a DELETE removes its target
            event_time = self.audit.now()
            target, subject = self.audit_subject(request)
        try:
            if self.auth.enabled:
                principal = await self.auth.authenticate(request.headers.get("authorization"),
                                                         client_host(request))
                note_user(request.scope, principal.name)
                self.auth.authorize(principal, request.method)
            access = self.auth.access(principal)
            tenancy.current.set(access)  # this request's task, and the Jobs it starts
            key = self.cache_key(request, access)
            if key is not None:
                generation = self.p.store.generation
                hit = self.cache.get(key, generation, self.p.store.row)
                if hit is not None:
                    return self.send(request, 200, dict(hit.headers), hit.body, hit.media_type)
            params = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
            q = parse_query(params)
            fmt = negotiate(request.headers.get("accept"), q.format)
            path = request.url.path
            if not path.startswith(PREFIX) and path != PREFIX.rstrip("/"):
                raise NotFound(f"no resource at {path}; the CIMI API is under {PREFIX}")
            req = RequestContext(base_uri(request), principal, access, fmt, q,
                                 target or self.resolve(request))
            result = await self.route(request, req)
            if request.method in MUTATING:
                await self.p.store.durable()  # what is acknowledged is on disk (store.py)
            elif key is not None:
                shown_row = self.shown_row(req)
        except CimiError as exc:
            result = Result(exc.status, error_job(exc.status, exc.message), exc.headers)
        except QueryError as exc:
            result = Result(400, error_job(400, str(exc)))
        except NotAcceptable as exc:
            result = Result(406, error_job(406, str(exc)))
        except UnsupportedMediaType as exc:
            result = Result(415, error_job(415, str(exc)))
        except BodyTooLarge as exc:
            result = Result(413, error_job(413, str(exc)))
        except SerializationError as exc:
            result = Result(400, error_job(400, f"malformed request body: {exc}"))
        except Exception:  # noqa: BLE001 - detail goes to the log only
            log.exception("internal error on %s %s", request.method, request.url.path)
            result = Result(500, error_job(500, "internal error in the provider"))
        if audited:
            try:
                self.audit_result(request, subject, event_time, principal, result)
            except Exception:  # noqa: BLE001 - the trail's own failures are logged by ApiAudit
                log.exception("audit: cannot record %s %s", request.method, request.url.path)
        if result.body is None or result.status != 200 or key is None:
            return self.response(request, result, fmt, self.settings.namespace)
        body, ctype = render(result.body, fmt, self.settings.namespace)
        if self.p.store.generation == generation:  # no write committed while rendering
            self.cache.put(key, generation, Rendered(body, ctype, tuple(result.headers.items()),
                                                     shown_row))
        return self.send(request, 200, dict(result.headers), body, ctype)

    def audit_subject(self, request: Request):
        """(the request's target, its audit subject); (None, the bare path) if it cannot be
        resolved (the dispatcher then tries again and answers the error)."""
        try:
            target = self.resolve(request)
            return target, audit_events.subject(target, request.method)
        except Exception:  # noqa: BLE001 - still one event, on the bare path
            log.exception("audit: cannot resolve the target of %s %s", request.method,
                          request.url.path)
            return None, audit_events.Subject(None, audit_events.text(
                request.url.path.strip("/"), 512), audit_events.METHOD_ACTIONS[request.method])

    def audit_result(self, request: Request, subject, event_time: str, principal, result: Result):
        """Record one CADF event for this mutating request (before the answer is sent)."""
        base = base_uri(request)
        if subject.creates and result.status < 400:
            subject.cimi_id = audit_events.created_id(result, base) or subject.cimi_id
            row = self.p.store.row(subject.cimi_id)
            subject.name = row.doc.get("name") if row is not None else None
        if principal is not None:
            user = principal.name
        else:
            user = audit_events.UNAUTHENTICATED if self.auth.enabled else audit_events.ANONYMOUS
        client = client_host(request)
        job = audit_events.job_of(result, base)
        if subject.type_name is not None:
            # the absolute id the client sees, so these events and the collection's audit callback
            # (whose target is the id a module returned) name the same resource alike
            subject.cimi_id = base + subject.cimi_id
        event = self.audit.event(subject, user, client, request.headers.get("user-agent"),
                                 request.method, request.url.path, result.status,
                                 event_time, job)
        self.audit.record(event, job, self.p.store, subject)

    @staticmethod
    def send(request: Request, status: int, headers: dict, body: bytes, ctype: str) -> Response:
        if request.headers.get("cimi-specification-version"):
            headers["CIMI-Specification-Version"] = "2.0.0"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(b"", status, headers, media_type=ctype)
        return Response(body, status, headers, media_type=ctype)

    @staticmethod
    def response(request: Request, result: Result, fmt: str, namespace: str = NS) -> Response:
        if result.body is None:
            headers = dict(result.headers)
            if request.headers.get("cimi-specification-version"):
                headers["CIMI-Specification-Version"] = "2.0.0"
            return Response(b"", result.status, headers)
        body, ctype = render(result.body, fmt, namespace)
        return Dispatcher.send(request, result.status, dict(result.headers), body, ctype)


def build_app(dispatcher: Dispatcher, openapi_doc: dict | None, lifespan=None,
              access_log: AccessLogFile | None = None,
              allowed_hosts: frozenset | None = None) -> Starlette:
    """``allowed_hosts``: None accepts any Host header; a set (possibly empty) accepts loopback
    names and addresses and those names only (a provider without authentication)."""

    async def openapi(request: Request) -> Response:
        if dispatcher.auth.enabled:
            try:
                principal = await dispatcher.auth.authenticate(
                    request.headers.get("authorization"), client_host(request))
                note_user(request.scope, principal.name)
            except CimiError as exc:
                return Dispatcher.response(request, Result(exc.status, error_job(
                    exc.status, exc.message), exc.headers), "json")
        return Response(json.dumps(openapi_doc or {}).encode(), 200,
                        media_type="application/json")

    routes = [Route("/cimi/openapi.json", openapi, methods=["GET", "HEAD"])]
    # Inside Starlette's error middleware: a request that raises is logged with the 500 it gets.
    middleware = [Middleware(AccessLogMiddleware, sink=access_log)] if access_log is not None else []
    if allowed_hosts is not None:  # inside the access log: refused requests are logged too
        middleware.append(Middleware(HostCheckMiddleware, allowed=allowed_hosts))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    # Every other request, whatever its method or path (a path pattern would miss an id with a
    # newline in it and answer with Starlette's plain-text 404), goes to the dispatcher.
    app.router.default = request_response(dispatcher.__call__)
    app.state.dispatcher = dispatcher
    return app


__all__ = ["Dispatcher", "HttpSettings", "build_app", "NS", "COMMON_WRITABLE"]
