"""The `kb` command: serve, import, export, backup / restore, index, keys (eval and bench: `cli_measure`)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from kb_service import cli_measure

app = typer.Typer(help="kbsearch: knowledge-base search for customer service", no_args_is_help=True)
keys_app = typer.Typer(help="API keys", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="data folder (default $KB_DATA_DIR or ./var)")
]
KbOption = Annotated[str, typer.Option("--kb", help="knowledge base slug")]
EXPORT_FORMATS = ("jsonl", "xlsx")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _settings(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from kb_service.settings import Settings, get_settings

    if data_dir is not None:
        os.environ["KB_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
    settings: Settings = get_settings()
    return settings


def _engine(settings):  # type: ignore[no-untyped-def]
    from kb_service.db import make_engine
    from kb_service.services.bootstrap import bootstrap

    engine = make_engine(settings.resolved_database_url())
    # A first start prints the new admin key; keep stdout for the command's own output (a key, JSON
    # counts, an export), which scripts capture.
    with contextlib.redirect_stdout(sys.stderr):
        bootstrap(engine, settings)
    return engine


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Run the HTTP service (embedded defaults: SQLite and snapshots under the data dir, sample KB)."""
    import uvicorn

    from kb_service.app import create_app
    from kb_service.logging_setup import configure_logging
    from kb_service.memory import limit_malloc_arenas

    limit_malloc_arenas()  # before any request thread exists
    settings = _settings(data_dir)
    configure_logging(settings.log_format)
    # JSON: our middleware writes the one request line, so uvicorn's access log is off.
    json_logs = settings.log_format == "json"
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="info",
        log_config=None,
        access_log=not json_logs,
    )


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kb: KbOption = "default",
    dry_run: bool = False,
    partial: bool = False,
    publish: Annotated[bool, typer.Option(help="publish new articles that name no status")] = False,
    data_dir: DataDir = None,
) -> None:
    """Import a CSV / XLSX / JSON(L) / Markdown / HTML / DOCX / ZIP file into a knowledge base."""
    import json

    from sqlmodel import Session

    from kb_service.errors import ApiError
    from kb_service.services import imports, kbs
    from kb_service.services.bootstrap import SYSTEM
    from kb_service.services.listener import NoIndex

    settings = _settings(data_dir)
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            target = kbs.get_kb(session, kb)
            result = imports.run_import(
                session,
                target,
                file.name,
                file.read_bytes(),
                SYSTEM,
                settings,
                NoIndex(),
                dry_run=dry_run,
                partial=partial,
                default_status="published" if publish else None,
            )
        except ApiError as exc:
            typer.echo(
                json.dumps({"error": exc.message, "details": exc.details}, ensure_ascii=False, indent=2)
            )
            raise typer.Exit(1) from exc
    result.pop("items", None)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command()
def export(
    kb: KbOption = "default",
    format: Annotated[str, typer.Option()] = "jsonl",
    output: Annotated[Path | None, typer.Option("-o")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a knowledge base (jsonl or xlsx) to a file or stdout."""
    from sqlmodel import Session

    from kb_service.errors import ApiError
    from kb_service.services import export as export_service
    from kb_service.services import kbs

    if format not in EXPORT_FORMATS:
        raise typer.BadParameter(
            f"'{format}' is not one of: {', '.join(EXPORT_FORMATS)}", param_hint="--format"
        )
    settings = _settings(data_dir)
    with Session(_engine(settings)) as session:
        try:
            data = export_service.export_kb(session, kbs.get_kb(session, kb), format)
        except ApiError as exc:
            raise _fail(exc.message) from exc
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@app.command()
def backup(
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="backup file to write")],
    kb: KbOption = "default",
    data_dir: DataDir = None,
) -> None:
    """Back up a knowledge base (articles with every version, dictionary, settings, keys) to a file."""
    import json

    from sqlmodel import Session

    from kb_service.errors import ApiError
    from kb_service.services import backup as backup_service
    from kb_service.services import kbs

    settings = _settings(data_dir)
    with Session(_engine(settings)) as session:
        try:
            header = backup_service.write_backup(session, kbs.get_kb(session, kb), out)
        except ApiError as exc:
            raise _fail(exc.message) from exc
        except OSError as exc:
            raise _fail(f"cannot write {out}: {exc.strerror or exc}") from exc
    typer.echo(json.dumps({"file": str(out), **header}, ensure_ascii=False))


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kb: Annotated[str | None, typer.Option("--kb", help="restore under this slug (default: its own)")] = None,
    replace: Annotated[bool, typer.Option(help="overwrite an existing KB of that slug")] = False,
    keys: Annotated[bool, typer.Option(help="restore the API keys that could use the KB")] = True,
    data_dir: DataDir = None,
) -> None:
    """Restore a `kb backup` file in one transaction (a damaged file is refused, nothing written)."""
    import json

    from sqlmodel import Session

    from kb_service.errors import ApiError
    from kb_service.services import backup as backup_service

    settings = _settings(data_dir)
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            summary = backup_service.restore(session, file, slug=kb, replace=replace, keys=keys)
        except ApiError as exc:
            raise _fail(exc.message) from exc
    # the next start builds this KB's index from the restored articles, not an older snapshot
    summary["index_dropped"] = backup_service.forget_index(settings.data_dir, summary["kb"])
    typer.echo(json.dumps(summary, ensure_ascii=False))


app.command("eval")(cli_measure.eval_dataset)
app.command()(cli_measure.bench)
index_app = typer.Typer(help="search indexes", no_args_is_help=True)
app.add_typer(index_app, name="index")


@index_app.command("build")
def index_build(kb: KbOption = "default", data_dir: DataDir = None) -> None:
    """Full build of a KB's index into a new snapshot (embeddings cached by text hash), with progress."""
    import json

    from tqdm import tqdm

    from kb_service.indexing import IndexManager

    settings = _settings(data_dir)
    manager = IndexManager(_engine(settings), settings)
    with tqdm(desc=f"embedding {kb}", unit="chunk") as bar:

        def progress(done: int) -> None:
            bar.update(max(0, done - bar.n))

        summary = manager.build_now(kb, progress)
    manager.close()
    typer.echo(json.dumps(summary, ensure_ascii=False))


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, editor, agent or bot")],
    name: Annotated[str | None, typer.Option()] = None,
    kb: Annotated[list[str] | None, typer.Option("--kb", help="limit to these KBs")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an API key and print it (shown once)."""
    from pydantic import ValidationError
    from sqlmodel import Session

    from kb_service.auth import Actor
    from kb_service.errors import ApiError
    from kb_service.schemas.keys import KeyCreate
    from kb_service.services import keys

    try:
        spec = KeyCreate(role=role, name=name, kbs=kb or None)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise typer.BadParameter("; ".join(e["msg"] for e in exc.errors()), param_hint="--role") from exc
    settings = _settings(data_dir)
    with Session(_engine(settings)) as session:
        try:
            row, token = keys.create_key(session, spec, Actor("cli"))
        except ApiError as exc:
            raise _fail(exc.message) from exc
    typer.echo(token)


if __name__ == "__main__":
    app()
