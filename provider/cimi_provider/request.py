"""One request's context, built once at the HTTP edge (``http/app.py``) and handed to the service.

It carries what the edge learnt about the request: the principal and what it may see and change
(``tenancy.Access``), the base URI its ids are relative to, the negotiated format, the parsed
query and the route ``Target``. The service works with relative ids: ``relative`` turns an href a
consumer gave into one; renderers (``service/result.py``, ``service/views.py``) make ids absolute
again with ``base``.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import BadRequest


@dataclass(frozen=True)
class RequestContext:
    base: str  # the absolute URI of /cimi/ as this request reached it
    principal: object = None  # http.auth.Principal, None without authentication
    access: object = None  # tenancy.Access
    format: str = "json"
    query: object = None  # query.QueryParams
    target: object = None  # http.routes.Target

    def relative(self, href: str) -> str:
        """The provider-relative id an href names, or 400 if it is not one of ours."""
        base = self.base
        if href.startswith(base):
            rid = href[len(base):]
        else:
            parts = urlsplit(href)
            base_path = urlsplit(base).path
            if parts.scheme or parts.netloc:
                if parts.path.startswith(base_path) and parts.netloc == urlsplit(base).netloc:
                    rid = parts.path[len(base_path):]
                else:
                    raise BadRequest(f"'{href}' is not a resource of this provider")
            elif href.startswith(base_path):
                rid = href[len(base_path):]
            else:
                rid = href
        return rid.split("?", 1)[0].split("#", 1)[0].strip("/")
