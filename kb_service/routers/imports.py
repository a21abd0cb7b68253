from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kb_service.deps import EditorKB, IndexDep, SessionDep, SettingsDep
from kb_service.errors import PayloadTooLarge
from kb_service.services import export, imports

router = APIRouter(prefix="/v1/kbs/{kb}", tags=["import and export"])


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"upload '{upload.filename}' is over the limit of {limit} bytes")
    return content


@router.post("/imports")
async def import_file(
    access: EditorKB,
    session: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX, JSON/JSONL, MD, HTML, DOCX or ZIP")],
    dry_run: bool = False,
    partial: bool = False,
    status: Literal["draft", "published"] | None = Query(
        None, description="status for new articles whose file gives none (default draft)"
    ),
) -> dict[str, Any]:
    content = await read_limited(file, settings.max_upload_bytes)
    return await run_in_threadpool(
        imports.run_import,
        session,
        access.kb,
        file.filename or "upload",
        content,
        access.principal,
        settings,
        index,
        dry_run=dry_run,
        partial=partial,
        default_status=status,
    )


@router.get("/export")
def export_kb(access: EditorKB, session: SessionDep, format: Literal["jsonl", "xlsx"] = "jsonl") -> Response:
    data = export.export_kb(session, access.kb, format)
    filename = f"{access.kb.slug}.{format}"
    return Response(
        data,
        media_type=export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
