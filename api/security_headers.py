"""Response headers that keep a browser from misusing what we send.

Every response: no MIME sniffing, no Referer (URLs hold ids of vulnerable people's records),
no framing. API answers carry personal data, so browsers must not cache them unless a route
says otherwise. The web app's pages get a Content-Security-Policy that only allows our own
scripts and connections to our own origin; the API docs (/api/docs, which load Swagger UI from
a CDN) are left without it. Hashed build assets may be cached for good.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# React sets style through the DOM (allowed); 'unsafe-inline' for styles only covers the chart
# library's style attributes. Scripts stay strictly 'self'.
WEB_APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _EVERYWHERE.items():
                    headers.setdefault(name, value)
                if _is_api(path):
                    if not path.startswith("/api/docs"):
                        headers.setdefault("Cache-Control", "no-store")
                elif path.startswith("/assets/"):
                    headers.setdefault("Cache-Control", "public, max-age=31536000, immutable")
                elif path not in ("/health", "/ready"):
                    headers.setdefault("Content-Security-Policy", WEB_APP_CSP)
                    headers.setdefault("Cache-Control", "no-cache")
            await send(message)

        await self.app(scope, receive, send_with_headers)
