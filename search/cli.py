"""The ``news-search`` command: a thin layer of click over the library."""

from __future__ import annotations

import functools
import json
import os
import shlex
import shutil
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NoReturn

import click

from search.export import (
    BOOSTED_FIELDS, DEFAULT_INDEX_NAME, MAX_FILE_BYTES, ArticleTooLarge, NothingToExport, check_index_name,
    export_opensearch,
)
from search.facets import FACETS
from search.index import DamagedIndex, Generation, IndexBusy, IndexStore, SearchIndex
from search.indexing import ClusterUnavailable, EmptyRebuild, IndexReport, index_paths
from search.ingest.sources import HTML_SUFFIXES, JSONL_SUFFIXES, WARC_SUFFIXES
from search.query import MAX_PAGE, MAX_PER_PAGE, SORTS, QueryTooSlow, SearchError, parse_params
from search.settings import InvalidSetting, Settings
from search.terminal import result_lines


def index_option(command):
    """The shared ``--index DIR`` option, defaulting to the setting."""
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
        default=lambda: str(Settings.from_env().index_dir), show_default="index",
        help="Folder holding the index.",
    )(command)


def _local_paths(ctx, param, paths: tuple[str, ...]) -> tuple[Path, ...]:
    """The paths, each an existing file or folder; a URL gets its own message (object stores are
    not read: the documents are read on this machine and sent to a cluster's workers)."""
    exists = click.Path(exists=True, path_type=Path)
    for path in paths:
        if "://" in path:
            raise click.BadParameter(f"{path}: a URL is not read; give a file or folder on this machine "
                                     "(mount or copy the archive here)", ctx, param)
    return tuple(exists.convert(path, param, ctx) for path in paths)


def paths_argument(command):
    return click.argument("paths", nargs=-1, type=str, callback=_local_paths)(command)


def scheduler_option(command):
    return click.option(
        "--scheduler", metavar="tcp://HOST:8786", default=lambda: Settings.from_env().scheduler or None,
        help="A Dask scheduler whose workers extract the articles (NEWS_SEARCH_SCHEDULER); the index is "
             "written here. Default: worker processes on this machine.",
    )(command)


def _progress_bar():
    """A progress callback drawing a bar on a terminal, or None when output is not a terminal."""
    if not sys.stderr.isatty():
        return None, None
    bar = click.progressbar(length=1, label="Extracting", file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.length = total
        bar.update(done - bar.pos)

    return bar, update


EXIT_FAILED = 1
"""Some inputs could not be read (the rest is committed), a rebuild found no article, or an article is
too large for an export's bulk file."""
EXIT_USAGE = 2
"""Bad usage (click's own status for it), an index folder that holds no index to search or serve or
nothing to export, a search stopped at its time limit, or a cluster that cannot do the work (no
scheduler at the address, no workers, or the scheduler lost)."""
INPUT_SUFFIXES = HTML_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES
EXIT_BUSY = 3
"""Another indexing run is writing to the index."""
EXIT_DAMAGED = 4
"""The index cannot be read: ``reindex`` mends it."""
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_STOPPED = 128 + signal.SIGTERM


def _fail(message: str, status: int) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


def _no_index(index_dir: Path, remedy: str = "") -> NoReturn:
    folder = shlex.quote(str(index_dir))
    _fail(f"there is no index in {index_dir}: build one with 'news-search index PATH --index {folder}'{remedy}",
          EXIT_USAGE)


def _option_name(parameter: str | None) -> str | None:
    """The command line's name for a search parameter: QUERY for q, --per-page for per_page."""
    if parameter is None:
        return None
    return "QUERY" if parameter == "q" else "--" + parameter.replace("_", "-")


def _duration(seconds: float) -> str:
    """A run's length as people say it: 0.4 s, 12 s, 1 min 12 s, 2 h 5 min."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def _articles(count: int) -> str:
    return f"{count:,} article{'' if count == 1 else 's'}"


def _generation(generation: Generation | None) -> str:
    if generation is None:
        return "no index"
    articles = "damaged" if generation.articles is None else _articles(generation.articles)
    return f"{generation.name} ({articles})"


def _print_report(report: IndexReport, index_dir: Path) -> None:
    if report.removed:
        click.echo(f"Removed what an interrupted run had left: {', '.join(report.removed)}.")
    if report.inputs == 0:
        click.echo(f"No {', '.join(INPUT_SUFFIXES[:-1])} or {INPUT_SUFFIXES[-1]} files were found there.", err=True)
    rate = f" ({report.indexed / report.seconds:,.1f} articles/s)" if report.indexed and report.seconds else ""
    click.echo(f"Indexed {report.indexed:,}, unchanged {report.unchanged:,}, failed {len(report.failures):,} "
               f"in {_duration(report.seconds)}{rate} into {index_dir.resolve()}.")
    if report.built:
        click.echo(f"Switched from {_generation(report.replaced)} to {_generation(report.built)}.")
    if report.duplicates:
        click.echo(f"{len(report.duplicates)} duplicate(s) of an existing URL kept once (the longer text):")
        for duplicate in report.duplicates:
            click.echo(f"  kept {duplicate.kept}, left out {duplicate.dropped} ({duplicate.url or 'same id'})")
    for failure in report.failures:
        click.echo(f"  failed: {failure.origin}: {failure.reason}", err=True)
    for warning in report.warnings:
        click.echo(f"  warning: {warning.origin}: {warning.message}", err=True)


class _Stopped(KeyboardInterrupt):
    """A service stop (SIGTERM), handled as Ctrl-C is: the run's writer cancelled, a half-built
    index removed."""


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    def stop(signum, frame) -> NoReturn:
        raise _Stopped()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _index(paths: list[Path], settings: Settings, rebuild: bool = False) -> IndexReport:
    """An indexing run, with a progress bar on a terminal; a run that cannot go on ends the command
    with one line and its exit status."""
    bar, progress = _progress_bar()
    try:
        with _stopped_by_sigterm():
            return index_paths(paths, settings, rebuild=rebuild, progress=progress)
    except IndexBusy as error:
        _fail(f"{error}: try again when it has finished", EXIT_BUSY)
    except DamagedIndex as error:
        _fail(str(error), EXIT_DAMAGED)
    except EmptyRebuild as error:
        _fail(str(error), EXIT_FAILED)
    except ClusterUnavailable as error:
        _fail(f"{error} (the index is as at its last commit)", EXIT_USAGE)
    except KeyboardInterrupt as stop:
        if bar is not None:  # the message on a line of its own, not after the bar
            bar.render_finish()
            bar = None
        stopped = isinstance(stop, _Stopped)
        click.echo(f"{'Stopped (SIGTERM)' if stopped else 'Interrupted'}: the index is as it was at its "
                   "last commit; run it again to finish.", err=True)
        sys.exit(EXIT_STOPPED if stopped else EXIT_INTERRUPTED)
    finally:
        if bar is not None:
            bar.render_finish()


def _run_indexing(paths: tuple[Path, ...], index_dir: Path, rebuild: bool, scheduler: str | None) -> None:
    settings = Settings.from_env(index_dir=index_dir, scheduler=scheduler)
    report = _index(list(paths) or [settings.corpus_dir], settings, rebuild)
    _print_report(report, settings.index_dir)
    sys.exit(EXIT_FAILED if report.failures else 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-search")
def main() -> None:
    """Full-text search over an archive of news articles."""
    try:
        Settings.from_env()
    except InvalidSetting as error:
        _fail(str(error), EXIT_USAGE)


@main.command()
@paths_argument
@index_option
@scheduler_option
def index(paths: tuple[Path, ...], index_dir: Path, scheduler: str | None) -> None:
    """Add new and changed articles from PATHS (files or folders; default: corpus/).

    \b
    Exit status:
      0    everything went in
      1    some inputs failed (the rest is committed)
      2    bad usage, or the cluster given cannot do the work
      3    the index is busy: another run is writing to it
      4    the index is damaged: run reindex
      130  interrupted by Ctrl-C, 143 stopped by SIGTERM (the index is as at its last commit)
    """
    _run_indexing(paths, index_dir, rebuild=False, scheduler=scheduler)


@main.command()
@paths_argument
@index_option
@scheduler_option
def reindex(paths: tuple[Path, ...], index_dir: Path, scheduler: str | None) -> None:
    """Rebuild the index from PATHS into a new folder and switch to it when complete.

    A running server keeps answering from the old index until the switch.

    \b
    Exit status:
      0    everything went in
      1    some inputs failed, or none could be read (the old index is kept)
      2    bad usage, or the cluster given cannot do the work
      3    the index is busy: another run is writing to it
      130  interrupted by Ctrl-C, 143 stopped by SIGTERM (the old index is kept)
    """
    _run_indexing(paths, index_dir, rebuild=True, scheduler=scheduler)


def _filter_options(command):
    options = [
        click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Published on or after."),
        click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Published on or before."),
        *[click.option(f"--{facet.parameter}", multiple=True, help=f"{facet.description} (repeatable).")
          for facet in FACETS],
        click.option("--sort", type=click.Choice(list(SORTS)), default="relevance"),
        click.option("--all-copies", "collapse", flag_value="false", default="true",
                     help="List every copy of a story (by default copies are folded into one result)."),
        click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, show_default=True),
        click.option("--per-page", "per_page", type=click.IntRange(1, MAX_PER_PAGE), default=10, show_default=True),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


@main.command(name="search")
@click.argument("query", default="")
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as the API's JSON.")
@index_option
def search_command(query: str, as_json: bool, index_dir: Path, **filters) -> None:
    """Search the index for QUERY and print the results: on a terminal aligned to its width, the
    matched words in bold (NO_COLOR set: no styles).

    \b
    Exit status:
      0    the results were printed (none found is a result too)
      2    bad usage, no index in the folder, or the search stopped at its time limit
           (NEWS_SEARCH_SEARCH_TIME_LIMIT)
      4    the index is damaged: run reindex
    """
    params = {"q": [query]}
    for name, value in filters.items():
        key = {"date_from": "from", "date_to": "to"}.get(name, name)
        params[key] = list(value) if isinstance(value, tuple) else ([str(value)] if value else [])
    limit = Settings.from_env(index_dir=index_dir).search_time_limit
    try:
        request = parse_params(params)
        if not IndexStore(index_dir).exists():
            _no_index(index_dir)
        result = SearchIndex(index_dir, time_limit=limit).search(request)
    except QueryTooSlow as error:
        _fail(f"{error.message} The limit is {limit:g} s (NEWS_SEARCH_SEARCH_TIME_LIMIT).", EXIT_USAGE)
    except SearchError as error:
        raise click.BadParameter(error.message, param_hint=_option_name(error.parameter)) from None
    except DamagedIndex as error:
        _fail(str(error), EXIT_DAMAGED)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    color = False if os.environ.get("NO_COLOR") else None  # None: styles only on a terminal
    for line in result_lines(result, width):
        click.echo(line, color=color)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Requests each worker answers at once (searches take turns; the others are sending).")
@index_option
@click.option("--index-corpus", is_flag=True,
              help="Index corpus/ first if the folder holds no articles (done anyway in the default folder).")
def serve(host: str, port: int, workers: int, threads: int, index_dir: Path, index_corpus: bool) -> None:
    """Serve the search site with gunicorn.

    If the index folder holds no articles, corpus/ is indexed into it first, in the default folder
    (index/, or NEWS_SEARCH_INDEX_DIR) or with --index-corpus. Any other folder without an index ends the command with status
    2 and a line saying so, so that a mistyped --index makes no index.

    Exits 4 at once, with a line saying so, if the index is damaged (run reindex).
    """
    settings = Settings.from_env(index_dir=index_dir)
    store = IndexStore(index_dir)
    try:
        empty = store.article_count() == 0  # the workers open the index itself
    except DamagedIndex as error:
        _fail(str(error), EXIT_DAMAGED)
    if empty and (index_corpus or index_dir.resolve() == Settings.from_env().index_dir.resolve()):
        if settings.corpus_dir.is_dir():
            click.echo(f"No articles in {index_dir} yet: indexing {settings.corpus_dir}/ first.")
            _print_report(_index([settings.corpus_dir], settings), index_dir)
        else:
            click.echo(f"The index is empty and there is no {settings.corpus_dir}/ folder to index: "
                       "add articles with 'news-search index PATH'.", err=True)
    elif empty and not store.exists():
        _no_index(index_dir, f", or give --index-corpus to index {settings.corpus_dir}/ into it")
    elif empty:
        click.echo(f"The index in {index_dir} holds no articles yet: add some with "
                   f"'news-search index PATH --index {shlex.quote(str(index_dir))}'.", err=True)
    from web.server import serve as run_server

    run_server(index_dir=index_dir, host=host, port=port, workers=workers, threads=threads)


def _index_name(context: click.Context, parameter: click.Parameter, name: str) -> str:
    try:
        check_index_name(name)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return name


@main.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "export_format", type=click.Choice(["opensearch"]), required=True,
              help="opensearch: an index creation body and _bulk files for OpenSearch 2 or Elasticsearch 8.")
@click.option("--index-name", default=DEFAULT_INDEX_NAME, show_default=True, callback=_index_name,
              help="The index the bulk files load into.")
@click.option("--max-file-bytes", default=MAX_FILE_BYTES, show_default=True, type=click.IntRange(min=1),
              help="Largest bulk file: lower it for a server that takes smaller requests.")
@index_option
def export(out: Path, export_format: str, index_name: str, max_file_bytes: int, index_dir: Path) -> None:
    """Write every indexed article into the folder OUT, for loading into another search engine.

    Writes OUT/mapping.json and OUT/bulk-00001.ndjson, ... (each at most --max-file-bytes), replacing
    those of an earlier export; other files in OUT are left alone.

    \b
    Exit status:
      0    everything was written
      1    an article is too large for a bulk file
      2    bad usage, or no index (or an empty one) in the index folder
      4    the index is damaged: run reindex
    """
    try:
        report = export_opensearch(index_dir, out, index_name=index_name, max_file_bytes=max_file_bytes)
    except NothingToExport as error:
        _fail(str(error), EXIT_USAGE)
    except DamagedIndex as error:
        _fail(str(error), EXIT_DAMAGED)
    except ArticleTooLarge as error:
        _fail(str(error), EXIT_FAILED)
    files = report.bulk_files
    names = files[0].name if len(files) == 1 else f"{files[0].name} to {files[-1].name}"
    click.echo(f"Exported {report.articles} article(s) into {report.folder}: {report.mapping.name} and "
               f"{len(files)} bulk file(s), {names}.")
    click.echo("Load them with OPENSEARCH set to the server's URL (http://localhost:9200, say):")
    for command in report.load_commands():
        click.echo(f"  {command}")
    click.echo(f"Query the fields {', '.join(BOOSTED_FIELDS)} to weigh titles as this engine does.")
