from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from kb_service.deps import SettingsDep
from kb_service.errors import Forbidden

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response, include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics in text format, for the client hosts in the metrics_allow setting."""
    host = request.client.host if request.client else ""
    if host not in settings.metrics_allow:
        raise Forbidden(f"/metrics is not served to {host or 'this client'}; see the metrics_allow setting")
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)
