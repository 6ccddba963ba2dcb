"""The ``kg`` command: a thin click shell over the library.

Each command parses its arguments, calls one library function and prints the result. Exit codes:

* 0 - success (for ``validate``: the data conforms; warnings may have been printed);
* 1 - findings: the data violates a SHACL shape (``validate``, ``import``);
* 2 - bad usage or unreadable input: unknown option, missing or malformed file, bad date, unknown name
  or service, a SPARQL server that fails. Nothing is written in that case.
* 3 - an internal error (a bug): one line saying so; ``--debug`` (or ``KG_DEBUG=1``) shows the traceback.
* 130 - stopped by Ctrl-C (or SIGTERM while an output is written): outputs are as they were (``push``: the
  target graph too). SIGTERM at any other moment ends the process at once; what it leaves is removed by
  the next run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import sys
from pathlib import Path

import click

from kg.errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_STOPPED = 0, 1, 2, 3, 130


class UsageFailure(click.ClickException):
    """A user error: printed as one line, exit code 2."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        from kg.model.text import terminal_safe

        return terminal_safe(self.message)


def _fail(error: Exception) -> UsageFailure:
    return UsageFailure(str(error))


def _parse_date(_ctx, param, value):
    """Parse YYYY-MM-DD, failing with one line that names the option and the value."""
    if value is None:
        return None
    where = f" for {param.opts[0]}" if param is not None else ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise UsageFailure(f"bad date {value!r}{where}: expected YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise UsageFailure(f"bad date {value!r}{where}: {error}") from None


def _parse_as_of(ctx, param, value):
    """Parse ``--as-of``: a date, or a date-time with its offset (whose instant goes to ``ctx.meta``)."""
    if value is None:
        return None
    from kg.api import parse_as_of

    try:
        day, moment = parse_as_of(value)
    except InputError as error:
        raise UsageFailure(error.message.replace(repr(value), f"{value!r} for {param.opts[0]}", 1)) from None
    ctx.meta["kg.moment"] = moment
    return day


def _region_callback(ctx, param, value):
    if value is None:
        return None
    from kg.api import parse_region

    try:
        code = parse_region(value)
    except InputError as error:
        raise UsageFailure(error.message.replace(repr(value), f"{value!r} for {param.opts[0]}", 1)) from None
    ctx.meta["kg.region"] = code
    return code


def _store_callback(ctx, _param, value):
    if value is not None:
        ctx.meta["kg.store"] = value
    return value


def _quiet_callback(ctx, _param, value):
    if value:
        ctx.meta["kg.quiet"] = True
    return value


def store_option(command):
    """Add ``--store`` (env ``KG_STORE``) and ``--quiet`` to a command that reads data."""
    command = click.option(
        "--quiet", "-q", is_flag=True, expose_value=False, callback=_quiet_callback, help="No progress bars."
    )(command)
    return click.option(
        "--store",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="KG_STORE",
        expose_value=False,
        callback=_store_callback,
        help="Keep the loaded data in this store folder (env KG_STORE); without FILES, use what it holds.",
    )(command)


def _meta_callback(name):
    def remember(ctx, _param, value):
        if value is not None:
            ctx.meta[name] = value
        return value

    return remember


def endpoint_option(command):
    """Add ``--endpoint`` (env ``KG_ENDPOINT``), ``--graph`` and ``--timeout``: read the data from a
    SPARQL 1.1 endpoint instead of files (only what the command needs)."""
    options = [
        click.option(
            "--endpoint",
            envvar="KG_ENDPOINT",
            metavar="URL",
            expose_value=False,
            callback=_meta_callback("kg.endpoint"),
            help="Read the data from this SPARQL 1.1 query endpoint instead of files (env KG_ENDPOINT); a bare "
            "http://HOST:PORT means Oxigraph's /query. Extra request headers (authentication) come from "
            "KG_ENDPOINT_HEADERS, or ~/.netrc; KG_ENDPOINT_PAGE (default 10000) must not exceed the server's "
            "row cap; an answer longer than KG_ENDPOINT_MAX_BYTES (default 256M) is refused.",
        ),
        click.option(
            "--graph",
            "endpoint_graph",
            envvar="KG_GRAPH",
            metavar="IRI",
            expose_value=False,
            callback=_meta_callback("kg.graph"),
            help="With --endpoint: the named graph holding the data (as kg push writes; env KG_GRAPH); "
            "default: the endpoint's default graph.",
        ),
        click.option(
            "--timeout",
            "endpoint_timeout",
            type=click.FloatRange(0.1, None),
            default=60,
            show_default=True,
            expose_value=False,
            callback=_meta_callback("kg.timeout"),
            help="With --endpoint: seconds each request may take, from connecting to its answer's last byte.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _remote_endpoint():
    """The endpoint named by ``--endpoint``/``KG_ENDPOINT``, or ``None``."""
    import os

    from kg import api

    meta = click.get_current_context().meta
    url = meta.get("kg.endpoint")
    if not url:
        return None
    return api.endpoint_at(
        url,
        graph=meta.get("kg.graph"),
        timeout=float(meta.get("kg.timeout", 60)),
        settings=os.environ,
    )


def _data(files):
    """Where this command's data is: its FILES, ``--store`` and ``--endpoint`` (see :class:`kg.api.Data`)."""
    from kg import api

    meta = click.get_current_context().meta
    store = meta.get("kg.store")
    return api.Data(tuple(Path(p) for p in files), Path(store) if store else None, _remote_endpoint())


def _at(as_of):
    """Where and when this command's question stands: ``--as-of`` (with its time) and ``--region``."""
    from kg import api

    meta = click.get_current_context().meta
    moment = meta.get("kg.moment") if as_of else None
    return api.viewpoint(moment or as_of, meta.get("kg.region"))


def _region():
    return click.get_current_context().meta.get("kg.region")


def _progress():
    """A progress bar for a long step of this command (see :mod:`kg.model.progress`; off with ``--quiet``)."""
    from kg.model.progress import progress_bar

    return progress_bar(quiet=click.get_current_context().meta.get("kg.quiet", False))


class _Said(logging.Handler):
    """What the library tells (``kg`` logger, level INFO: what was read from an endpoint), on standard
    error, unless ``--quiet``."""

    def emit(self, record: logging.LogRecord) -> None:
        context = click.get_current_context(silent=True)
        if context is None or not context.meta.get("kg.quiet"):
            click.echo(self.format(record), err=True)


#: What every ``--out`` help says of where it writes (see :mod:`kg.io.outputs`).
OUT_HELP = (
    " Written whole or not at all; '-' is stdout; a symbolic link is followed, a device or pipe written into, "
    "a read-only file refused."
)

format_option = click.option(
    "--format",
    "rdf_format",
    type=click.Choice(["turtle", "nt", "jsonld", "xml"]),
    default="turtle",
    show_default=True,
    help="Output syntax.",
)


def _data_files_option(help_text: str):
    """``-d/--data FILE`` (repeatable), joined to the command's positional files by
    :meth:`KgCommand.parse_args`."""
    return click.option(
        "--data", "-d", "data_files", multiple=True, metavar="FILE", type=click.Path(path_type=Path), help=help_text
    )


def data_option(command):
    """Add FILES to a command that reads data: positional, after the command's own arguments, and with
    ``-d/--data`` (repeatable), either or both; the command gets them all as ``files``
    (:meth:`KgCommand.parse_args` joins the two)."""
    command = _data_files_option("A data file or folder, as FILES (repeatable): instead of the bundled dataset.")(
        command
    )
    return click.argument("files", nargs=-1, type=click.Path(path_type=Path))(command)


class KgCommand(click.Command):
    """A ``kg`` command: its data FILES come positionally and with ``-d/--data`` (:func:`data_option`), and
    before it does any work, an output (``--out``) that is one of its own inputs is refused
    (:func:`kg.io.outputs.refuse_inputs`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        given = ctx.params.pop("data_files", None)  # -d/--data: more of the positional FILES
        if given is not None:
            name = "csv_files" if "csv_files" in ctx.params else "files"
            ctx.params[name] = (*(ctx.params.get(name) or ()), *given)
        return rest

    def invoke(self, ctx: click.Context):
        out = ctx.params.get("out")
        if out is not None:
            from kg.io.outputs import refuse_inputs

            refuse_inputs(out, _inputs(ctx))
        return super().invoke(ctx)


def _inputs(ctx: click.Context) -> list[Path]:
    """The files and folders a command reads: its data (the bundled dataset when none is given, unless it
    reads a store or an endpoint), the ontology, a query file, a web measurement folder."""
    from kg.io.csvdata import csv_paths
    from kg.io.loading import data_files
    from kg.model.resources import BUNDLED_CSV, BUNDLED_DATASET, ONTOLOGY, QUERIES, SHAPES

    given: list[Path] = []
    for name, expand in (("files", lambda paths: [p for _, p in data_files(paths)]), ("csv_files", csv_paths)):
        for path in ctx.params.get(name) or ():
            try:  # a folder stands for the files read from it, as the command will read them
                given += expand([path])
            except InputError:
                given.append(Path(path))  # the command says what is wrong with it
    if ctx.params.get("webdep"):
        given.append(Path(ctx.params["webdep"]))
    if ctx.params.get("name") and ctx.command.name == "query":
        given += [Path(ctx.params["name"]), QUERIES]
    if ctx.meta.get("kg.store"):
        given.append(Path(ctx.meta["kg.store"]))
    elif not given and not ctx.meta.get("kg.endpoint"):
        given += [BUNDLED_DATASET, BUNDLED_CSV]
    return [*given, ONTOLOGY, SHAPES]


class CommandGroup(click.Group):
    """The ``kg`` group: every error that reaches it ends as one line and a documented exit code.

    Ctrl-C (and SIGTERM while an output file is being written, see :mod:`kg.io.outputs`) stop the command with
    130 once its temporary file is removed; an error the library raises on purpose
    (:class:`~kg.errors.InputError`) is exit 2; anything else is a bug: exit 3 with one line, and the
    traceback only with ``--debug`` or ``KG_DEBUG=1``.
    """

    command_class = KgCommand

    def invoke(self, ctx: click.Context):
        import os

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Error: stopped; no output was changed", err=True)
            ctx.exit(EXIT_STOPPED)
        except BrokenPipeError:  # the reader went away (kg export | head): not an error of ours
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except InputError as error:
            raise _fail(error) from None
        except Exception as error:
            if ctx.meta.get("kg.debug") or os.environ.get("KG_DEBUG"):
                raise
            where = ctx.invoked_subcommand or "kg"
            click.echo(
                f"Error: internal error in kg {where}: {type(error).__name__}: {_squeezed(str(error))} "
                "(a bug: please report it; --debug shows the traceback)",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


def _squeezed(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pdkg")
@click.option(
    "--debug",
    is_flag=True,
    envvar="KG_DEBUG",
    expose_value=False,
    callback=_meta_callback("kg.debug"),
    help="Show the traceback of an internal error (env KG_DEBUG).",
)
def main() -> None:
    """Map and stress-test the dependencies between online platforms and their infrastructure providers.

    With no FILES, commands work on the bundled curated dataset (data/pdkg-data.ttl). FILES may be any
    mix of Turtle (.ttl), N-Triples (.nt), JSON-LD (.jsonld), RDF/XML (.rdf, .owl) and CSV files in
    the interchange format (or folders of them). Every command that reads data takes them the same two
    ways, mixed at will: after its own arguments (kg spof parler my.ttl) and with -d/--data FILE,
    repeatable (kg spof parler -d my.ttl). Where its own argument may be left out (kg query NAME, kg
    replay PLATFORM), the first argument is that one: give FILES without it with -d (kg replay --all
    takes them as arguments).

    Exit codes: 0 ok, 1 findings (shape violations), 2 bad usage, unreadable input or an unreachable server,
    3 internal error, 130 stopped (Ctrl-C).

    \b
    Example:
      kg demo
      kg show parler
    """
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    said = logging.getLogger("kg")
    if not any(isinstance(handler, _Said) for handler in said.handlers):
        said.addHandler(_Said())
    said.setLevel(logging.INFO)
    said.propagate = False


@main.command()
@click.option("--case", "name", default="parler", show_default=True, help="The platform to show.")
@click.option("--no-sources", is_flag=True, help="Leave out the source lines.")
def demo(name: str, no_sources: bool) -> None:
    """Show a documented case from the bundled dataset: Parler in January 2021 by default.

    Prints what the platform depended on, which providers cut it off and when, what it still had, how
    it recovered, and what was observed of its availability, each fact with its source.

    \b
    Example:
      kg demo
      kg demo --case "Kiwi Farms" --no-sources
    """
    from kg import api
    from kg.views.text import format_profile, format_replay

    dataset = api.load()
    profile = api.profile(name, data=dataset)
    stats = api.stats(dataset)
    click.echo(
        f"Bundled dataset: {stats.entities} entities, {stats.dependencies} dependencies, "
        f"{sum(stats.events_by_kind.values())} events, {stats.sources} sources "
        f"({stats.first_date} .. {stats.last_date})."
    )
    _say(f"Cases: {', '.join(api.cases(dataset))}\n")
    _say(format_profile(profile, with_sources=not no_sources))
    if profile.depends_on:
        click.echo("")
        _say(format_replay(api.replay(profile.entity.identifier, data=dataset)[0], causes=False))
        click.echo(
            f"\nNext: kg replay {profile.entity.identifier}   kg spof {profile.entity.identifier} --as-of DATE   "
            "kg impact --help"
        )


@main.command(name="load")
@data_option
@store_option
def load_(files: tuple[Path, ...]) -> None:
    """Load FILES into a store once, so that later commands answer from it without reading them again.

    Without --store, the store is kept in a cache keyed by the files' content ($KG_CACHE, else
    ~/.cache/pdkg): any command given the same unchanged files reuses it, and a changed file is loaded
    anew. With --store FOLDER (or KG_STORE), later commands given no FILES use that store. A load
    interrupted at any point leaves the previous store in place.

    \b
    Example:
      kg load ../webdep.csv/ --store ~/webdep-store
      kg rank --store ~/webdep-store --top 20
    """
    from kg import api

    with _progress() as report:
        dataset = api.load(_data(files), progress=report)
    meta = dataset.meta
    how = f"built in {meta['seconds']:.1f} s" if dataset.built else "unchanged, reused"
    click.echo(
        f"{dataset.folder}: {meta['dependencies']:,} dependencies, {meta['actors']:,} actors, "
        f"{meta['triples']:,} triples ({how})"
    )


@main.command()
@data_option
@store_option
@endpoint_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "sparql"]),
    default="auto",
    show_default=True,
    help="The shapes as SPARQL checks on the store, or pySHACL (same verdicts; SPARQL is far faster); auto is SPARQL.",
)
def validate(files: tuple[Path, ...], as_json: bool, engine: str) -> None:
    """Validate data against the SHACL shapes (ontology/shapes.ttl).

    Prints each finding with its node, property and rule. Exits 1 if any rule is violated; warnings
    (such as a fact without a source) are printed but exit 0.

    \b
    Example:
      kg validate
      kg validate my-cases.ttl data/csv/
    """
    from kg import api
    from kg.views.jsondoc import validation_json
    from kg.views.text import format_validation

    data = _data(files)
    with _progress() as progress:
        dataset = api.load(data, progress=progress)
        report = api.validate(dataset, engine=engine, progress=progress)
    if as_json:
        _echo_json(validation_json(report))
    else:
        _say(format_validation(report, label=data.label(dataset)))
    sys.exit(EXIT_OK if report.conforms else EXIT_FINDINGS)


@main.command()
@data_option
@store_option
@endpoint_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(files: tuple[Path, ...], as_json: bool) -> None:
    """Count entities by kind, dependencies by service, events, sources, the date range and unsourced facts.

    \b
    Example:
      kg stats
      kg stats --json data/csv/
    """
    from kg import api
    from kg.views.text import format_stats

    with _progress() as report:
        result = api.stats(_data(files), progress=report)  # counted from the store's records: no RDF graph
    _echo_json(result.to_dict()) if as_json else click.echo(format_stats(result))


@main.command()
@data_option
@store_option
@endpoint_option
@format_option
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout)." + OUT_HELP
)
@click.option("--with-ontology", is_flag=True, help="Include the ontology's triples.")
@click.option(
    "--direct", is_flag=True, help="Add the shortcut triples (pd:hostedBy...) of queries/direct-dependencies.rq."
)
@click.option(
    "--as-of", callback=_parse_date, help="With --direct: only dependencies active on this date (YYYY-MM-DD)."
)
def export(files, rdf_format, out, with_ontology, direct, as_of) -> None:
    """Export data as Turtle, N-Triples, JSON-LD or RDF/XML (deterministic output).

    \b
    Example:
      kg export --format jsonld --out parler.jsonld
      kg export data/csv/ --direct --as-of 2021-01-07 --format nt
    """
    from kg import api
    from kg.io.outputs import STDOUT, write_output

    data, triples = api.export(
        _data(files), rdf_format=rdf_format, with_ontology=with_ontology, direct=direct, as_of=as_of
    )
    if out is None:
        write_output(STDOUT, data)  # byte for byte to a pipe, escaped for a terminal
        return
    write_output(out, data)
    click.echo(f"wrote {triples} triples to {out}", err=True)


@main.command()
@click.argument("domains", nargs=-1)
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read domains from this file, one a line ('#' starts a comment).",
)
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), help="Folder for this run's CSV.")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of successive runs: this run is kept in DIR/runs/RUN/ and all of them merged into dated "
    "periods in DIR's own CSV.",
)
@click.option(
    "--resolver",
    required=True,
    envvar="KG_RESOLVER",
    metavar="HOST[:PORT]",
    help="The DNS resolver(s) to ask, comma-separated (env KG_RESOLVER), e.g. 127.0.0.1:53.",
)
@click.option("--country", required=True, metavar="CC", help="Where the run measures from (ISO 3166-1 alpha-2).")
@click.option("--network", default="", metavar="ASN", help="The vantage point's network, e.g. AS64500.")
@click.option(
    "--contact",
    default="",
    help="How to reach whoever measures: sent in the User-Agent to every web and RDAP server, and recorded.",
)
@click.option(
    "--asn-db",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Routing table for hosting (repeatable): pyasn IPASN text or a CSV of ranges (start,end,AS[,org]).",
)
@click.option(
    "--as-org", type=click.Path(dir_okay=False, path_type=Path), help="AS-to-organisation file (CAIDA's as2org)."
)
@click.option(
    "--rdap-bootstrap",
    type=click.Path(dir_okay=False, path_type=Path),
    help="IANA's RDAP bootstrap file for domains (dns.json), to ask each registry for the registrar.",
)
@click.option("--no-web", is_flag=True, help="No TLS or HTTPS connection: no certificate authority or CDN headers.")
@click.option("--scripts", is_flag=True, help="Also read the landing page's HTML for third-party script hosts.")
@click.option(
    "--ca-file", type=click.Path(dir_okay=False, path_type=Path), help="Trust store (PEM) instead of the system's."
)
@click.option(
    "--https-port", default=443, show_default=True, type=click.IntRange(1, 65535), help="Port sites answer on."
)
@click.option(
    "--providers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Provider patterns instead of kg/measure/providers.csv (the same columns).",
)
@click.option(
    "--timeout", default=2.0, show_default=True, type=click.FloatRange(0.1, None), help="Seconds per DNS question."
)
@click.option("--retries", default=2, show_default=True, type=click.IntRange(0, 10), help="Tries after the first.")
@click.option(
    "--concurrency", default=64, show_default=True, type=click.IntRange(1, 10_000), help="DNS questions in flight."
)
@click.option(
    "--rate", type=click.FloatRange(0.1, None), help="DNS questions a second to any one server (default: no limit)."
)
@click.option(
    "--web-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, None),
    help="Seconds per connection, handshake or request.",
)
@click.option(
    "--web-concurrency", default=20, show_default=True, type=click.IntRange(1, 1000), help="Sites connected at once."
)
@click.option(
    "--web-rate",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, None),
    help="Connections a second to any one web server.",
)
@click.option(
    "--rdap-rate",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, None),
    help="Requests a second to any one RDAP server (registries rate-limit hard).",
)
@click.option(
    "--nameserver-port",
    default=53,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port name servers answer on.",
)
@click.option(
    "--nameserver-depth",
    default=1,
    show_default=True,
    type=click.IntRange(0, 5),
    help="How many times the name servers' own domains are measured in turn.",
)
@click.option("--resume", is_flag=True, help="Carry on the run interrupted in the folder where it stopped.")
@click.option("--shard", default="1/1", metavar="I/N", help="Measure the I-th of N parts of the domains.")
@click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_quiet_callback, help="No progress bar.")
def measure(domains, from_file, out, into, **options) -> None:
    """Measure DOMAINS' providers on the Internet and write them as CSV for kg import and kg load.

    DNS (name servers, and the name servers' own DNS in turn), hosting (the origin AS of each address, with
    --asn-db), CDN (CNAME chains, response headers), certificate authority and OCSP stapling, registrar
    (RDAP, with --rdap-bootstrap) and, with --scripts, payment providers and CDNs among the landing page's
    script hosts. Each is classified as the domain's own or a provider's by the rules of the published
    studies (kg/measure/providers.csv). Every question asked, with its raw answer, is kept as evidence
    (evidence.csv) and cited by the dependencies it shows; the run (runs.csv) records when, from where,
    through which resolver, and the files it read.

    A domain that cannot be measured is reported in one line and kept as evidence of its failure. An
    interrupted run carries on with --resume: the domains it finished are not measured again.

    \b
    Example:
      kg measure gab.com rumble.com --resolver 9.9.9.9 --country DE --contact mailto:me@example.org \\
          --asn-db ipasn.dat --as-org as2org.txt --rdap-bootstrap dns.json --out m/
      kg import m/ --out m.ttl
    """
    from kg import api

    names = list(domains)
    if from_file is not None:
        try:
            text = from_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageFailure(f"{from_file}: cannot read the domains ({error})") from None
        names += [line.split("#", 1)[0].strip() for line in text.splitlines()]
        names = [name for name in names if name]
    web = not options.pop("no_web")
    with _progress() as report:
        run = api.measure(names, out=out, into=into, web=web, progress=report, **options)
    summary = run.summary
    for domain, why in summary.refused + summary.failures:
        _say(f"kg measure: {domain}: {why}", err=True)
    measured = sum(summary.outcomes.values())
    followed = f" and {summary.followed:,} name-server domain{'s' * (summary.followed != 1)} in turn"
    resumed = f", {summary.resumed:,} done before resuming" if summary.resumed else ""
    refused = f"; {len(summary.refused):,} not asked (no host name)" if summary.refused else ""
    click.echo(
        f"measured {measured:,} domain{'s' * (measured != 1)}{followed if summary.followed else ''} "
        f"({len(summary.failures):,} failed{resumed}){refused}: {summary.rows['dependencies.csv']:,} dependencies, "
        f"{summary.rows['evidence.csv']:,} answers; wrote {run.folder}",
        err=True,
    )
    if run.merged is not None:
        merged = run.merged
        counts = f"{merged['runs']:,} runs into {merged['periods']:,} periods ({merged['ended']:,} ended)"
        click.echo(f"merged {counts}; wrote {into}", err=True)


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def changes(folders, as_json) -> None:
    """What changed between successive measurement runs in FOLDERS (what kg measure writes): for each run and
    the next, the providers each domain stopped and started using, per service, and the domains that stopped
    answering (or answer again). This is how a cut-off shows in measurements.

    A domain whose measurement failed in one of the two runs (a timeout, SERVFAIL) is a gap, not a change.

    \b
    Example:
      kg changes m-2026-12-01/ m-2026-12-08/
      gab.com: hosting moved from Epik to Sibyl between 2026-12-01 and 2026-12-08
    """
    from kg import api

    found = api.changes(folders)
    if as_json:
        from kg.views.jsondoc import changes_json

        _echo_json(changes_json(found.steps, found.name))
        return
    if not found.steps:
        click.echo("one run only: nothing to compare")
    for step in found.steps:
        old, new = step.old, step.new
        when = f"{old.identifier} ({old.instant:%Y-%m-%d %H:%M} UTC) -> {new.identifier}"
        click.echo(f"{when} ({new.instant:%Y-%m-%d %H:%M} UTC):")
        lines = [c.sentence(found.name) for c in step.changes] + [s.sentence(found.name) for s in step.statuses]
        for line in lines or ["nothing changed"]:
            _say(f"  {line}")


@main.command(name="import")
@click.argument("csv_files", nargs=-1, type=click.Path(path_type=Path))
@_data_files_option("A CSV file or folder, as CSV_FILES (repeatable).")
@click.option("--webdep", type=click.Path(path_type=Path), help="Also import this webdep-us-2023 measurement folder.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Output file (required)." + OUT_HELP)
@format_option
@click.option("--no-validate", is_flag=True, help="Write even if the result violates the shapes.")
@click.option(
    "--template",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Instead, start a dataset: write the CSV files into DIR (new or empty), each with its columns and "
    "one sourced row from the bundled data (AWS cutting Parler off), to edit and import.",
)
def import_(csv_files, webdep, out, rdf_format, no_validate, template) -> None:
    """Convert CSV interchange files (see data/README.md) and/or web measurements to RDF.

    The result is validated first; if it violates a shape nothing is written and the exit code is 1.
    The same input always gives the same bytes.

    \b
    Example:
      kg import --template my-cases/
      kg import my-cases/ --out output/my-cases.ttl
      kg import data/csv/ --out data/pdkg-data.ttl
      kg import --webdep data/samples/webdep-us-2023 --out webdep.ttl
    """
    from kg import api
    from kg.views.text import format_validation

    if template is not None:
        if csv_files or webdep is not None or out is not None:
            raise UsageFailure("--template DIR writes a starter dataset: give it alone, then import DIR with --out")
        written = api.write_template(template)
        click.echo(f"wrote {', '.join(p.name for p in written)} to {template}", err=True)
        click.echo(f"edit them (columns: data/README.md), then: kg import {template} --out FILE.ttl", err=True)
        return
    if out is None:
        raise UsageFailure("missing option --out FILE: where to write the result")
    if not csv_files and webdep is None:
        raise UsageFailure("nothing to import: give CSV files or folders, or --webdep FOLDER")
    with _progress() as report:
        result = api.import_data(
            csv_files, out=out, webdep=webdep, rdf_format=rdf_format, validate=not no_validate, progress=report
        )
    if result.webdep is not None:
        measured = result.webdep
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(measured.skipped.items())) or "none"
        click.echo(
            f"webdep: {measured.websites} websites, {measured.providers} providers, {measured.dependencies} "
            f"dependencies ({measured.self_provided} self-provided); {measured.duplicates} repeated rows merged; "
            f"skipped: {skipped}",
            err=True,
        )
    if not result.written:
        _say(format_validation(result.validation, label="import"), err=True)
        click.echo(f"not written: {out}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"wrote {result.triples} triples to {out}", err=True)


@main.command()
@click.argument("name")
@data_option
@store_option
@endpoint_option
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
def show(name: str, files, as_json: bool) -> None:
    """Show everything recorded about one entity: dependencies, what it provides, events, availability.

    NAME is an identifier or a name, in any case ("parler", "Amazon Web Services", "aws").

    \b
    Example:
      kg show "Amazon Web Services"
    """
    from kg import api
    from kg.views.jsondoc import profile_json
    from kg.views.text import format_profile

    with _progress() as report:
        profile = api.profile(name, data=_data(files), progress=report)
    _echo_json(profile_json(profile)) if as_json else _say(format_profile(profile))


@main.command()
def services() -> None:
    """List the service vocabulary: identifiers for CSV and the command line, what losing one does, and what
    a provider of it relies on upstream by default (a supply is lost when its provider loses one of these).

    \b
    Example:
      kg services
    """
    from kg import api
    from kg.views.text import table

    rows = [[s.identifier, s.default_effect, ", ".join(s.upstream) or "-", s.label] for s in api.services()]
    _say(table(["service", "losing it", "resold on", "label"], rows))


@main.command()
@click.argument("name", required=False)
@data_option
@store_option
@endpoint_option
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter: asOf=YYYY-MM-DD, or an entity by id, name or IRI (dependent=parler).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "tsv", "json", "xml", "table", "turtle", "nt"]),
    help="Output: SPARQL results as csv (default), tsv, json or xml, or a table; triples as turtle (default) or nt.",
)
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file." + OUT_HELP)
@click.option("--allow-service", is_flag=True, help="Let the query call other servers (SPARQL SERVICE).")
def query(name, files, params, output_format, out, allow_service) -> None:
    """Run a SPARQL query on the data: one of the shipped ones (queries/*.rq) by NAME, or your own
    PATH.rq; without NAME, list the shipped ones.

    Parameters are bound as RDF terms, never pasted into the query text. Updates are refused, and so is
    SERVICE (a call to another server) unless --allow-service.

    \b
    Example:
      kg query
      kg query dependencies-of -p dependent=parler -p asOf=2021-01-07 --format table
      kg query my-question.rq --format json --out answer.json
    """
    from kg import api
    from kg.io.outputs import STDOUT, write_output

    if name is None:
        for query_name, purpose in api.shipped_queries():
            click.echo(f"{query_name}: {purpose}")
        return
    values = {}
    for param in params:
        key, equals, value = param.partition("=")
        if not equals:
            raise UsageFailure(f"bad --param {param!r}: expected NAME=VALUE")
        values[key.strip()] = value
    data = api.query(name, values, data=_data(files), allow_service=allow_service, result_format=output_format)
    if out is not None:
        write_output(out, data)
        click.echo(f"wrote {out}", err=True)
        return
    write_output(STDOUT, data)  # byte for byte to a pipe, escaped for a terminal


@main.command()
@data_option
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--timeout",
    default=60,
    show_default=True,
    type=click.IntRange(1, None),
    metavar="SECONDS",
    help="Stop a query (kill the process running it) once its request has taken this long; its client gets HTTP 503.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    metavar="N",
    show_default="one per CPU, at least 2",
    help="Queries run at once, each in an Oxigraph process of its own; more wait for a free one.",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let queries call other servers (SPARQL SERVICE). Refused by default: anyone who can reach the "
    "endpoint, a web page open in your browser included, could make it send requests.",
)
def serve(files, host, port, timeout, workers, allow_service) -> None:
    """Serve the knowledge graph (ontology plus data) as a read-only SPARQL 1.1 endpoint.

    Queries go to http://HOST:PORT/query (SPARQL 1.1 Protocol); the default graph holds the data and the
    ontology together, so the shipped queries run unchanged. Updates are refused (HTTP 403, or 400 when sent
    as a query). A query that calls another server (SERVICE) is refused with HTTP 400 unless you give
    --allow-service. A query stops when it passes --timeout or when its client disconnects. Ctrl-C stops the
    endpoint.

    \b
    Example:
      kg serve --port 7878
      kg serve --data big-measurements/ --port 8000 --timeout 300 --workers 4
    """
    import signal

    from kg import api

    data = _data(files)
    with _progress() as report:
        dataset = api.load(data, progress=report)
    # Stopped by a signal (Ctrl-C, kill), take the servers down too: never leave one running alone. The
    # handler is in place before they start, so no signal can fall between the two.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    endpoint = api.serve(dataset, host=host, port=port, timeout=timeout, workers=workers, allow_service=allow_service)
    try:  # from here on, however this process ends, the servers end with it
        calls = "SERVICE allowed" if allow_service else "SERVICE refused"
        click.echo(
            f"SPARQL endpoint (read-only): {endpoint.url}  ({endpoint.backends.size} workers, {timeout} s per "
            f"request, {calls}; Ctrl-C stops it)",
            err=True,
        )
        endpoint.wait()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.stop()


@main.command()
@data_option
@store_option
@click.option(
    "--endpoint",
    envvar="KG_ENDPOINT",
    required=True,
    metavar="URL",
    help="The server (env KG_ENDPOINT), e.g. http://127.0.0.1:7878 (or its /query URL): its /store (Graph "
    "Store Protocol) and /update (SPARQL Update) are used, as Oxigraph lays them out. With --store-url and "
    "--update-url (other servers), give its SPARQL query URL (Virtuoso: .../sparql). The graph is counted "
    "there after the upload: a server that stored nothing is an error.",
)
@click.option("--store-url", metavar="URL", help="The Graph Store Protocol endpoint, where it is not ENDPOINT/store.")
@click.option("--update-url", metavar="URL", help="The SPARQL Update endpoint, where it is not ENDPOINT/update.")
@click.option("--graph", default="https://w3id.org/pdkg/graph", show_default=True, help="The named graph to replace.")
@click.option("--timeout", default=60, show_default=True, type=click.IntRange(1, None), help="Seconds per request.")
@click.option(
    "--swap-timeout",
    default=3600,
    show_default=True,
    type=click.IntRange(1, None),
    help="Seconds for the final swap, one transaction as big as the graph.",
)
def push(files, endpoint, store_url, update_url, graph, timeout, swap_timeout) -> None:
    """Upload the ontology and the data into a named graph of a SPARQL server, replacing it all at once.

    The triples go into a temporary graph first; one SPARQL Update then moves it in place of GRAPH, so
    readers never see half an upload. Credentials for the host come from ~/.netrc (never printed).

    \b
    Example:
      kg push --endpoint http://127.0.0.1:7878
      kg push --data big-measurements/ --endpoint http://127.0.0.1:7878 --graph https://example.org/web
    """
    import signal

    from kg import api

    data = _data(files)
    # Ctrl-C and SIGTERM stop the upload between requests (see kg.sparql.push.push): its temporary graph is then
    # removed and the target stays as it was.
    signals: list[int] = []
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda received, _frame: signals.append(received))
    base = endpoint.rstrip("/").removesuffix("/query")  # the server, or its query URL as other commands take
    try:
        with _progress() as report:
            done = api.push(
                data,
                endpoint=endpoint,
                store_url=store_url,
                update_url=update_url,
                graph=graph,
                timeout=timeout,
                swap_timeout=swap_timeout,
                progress=report,
                stopped=lambda: bool(signals),
            )
    except KeyboardInterrupt:
        click.echo(f"Error: stopped; <{graph}> at {update_url or base + '/update'} is as it was", err=True)
        sys.exit(EXIT_STOPPED)
    click.echo(f"pushed {done.triples:,} triples into <{done.graph}> in {done.requests} requests", err=True)


@main.command()
@data_option
@store_option
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file." + OUT_HELP)
def describe(files, out) -> None:
    """Describe the dataset in VoID and DCAT (title, licence, version, triple and entity counts, ontology).

    The bundled data ships its description as data/pdkg-data.void.ttl (a test keeps it current).

    \b
    Example:
      kg describe --out data/pdkg-data.void.ttl
    """
    from kg import api
    from kg.io.outputs import STDOUT, write_output

    data = api.describe(_data(files))
    if out is None:
        write_output(STDOUT, data)  # byte for byte to a pipe, escaped for a terminal
        return
    write_output(out, data)


def _echo_lines(lines, chunk: int = 4096) -> None:
    """Print lines as they come, a few thousand at a time (one big string would double the memory)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= chunk:
            _say("\n".join(batch))
            batch.clear()
    if batch:
        _say("\n".join(batch))


def _say(text: str, **options) -> None:
    """Print text for people: control characters from the data are escaped (:func:`kg.model.text.terminal_safe`)."""
    from kg.model.text import terminal_safe

    click.echo(terminal_safe(text), **options)


def _echo_json(document) -> None:
    """Print a JSON document (:func:`kg.views.jsondoc.json_text`: every ``--json`` is written by it)."""
    from kg.views.jsondoc import json_text

    click.echo(json_text(document))


as_of_option = click.option(
    "--as-of",
    callback=_parse_as_of,
    metavar="DATE[THH:MM+HH:MM]",
    help="The date to analyse (default: today, UTC), or an instant (a date-time with its offset, e.g. "
    "2021-01-10T23:30-08:00) where sources give times of day.",
)
region_option = click.option(
    "--region",
    callback=_region_callback,
    expose_value=False,
    metavar="CC",
    help="Analyse for users in this country (ISO 3166-1 alpha-2): facts that apply there replace the "
    "worldwide ones (default: worldwide).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (its fields: docs/analysis.md).")


def actor_question_options(command):
    """The options of a question about one actor: data, store, endpoint, date, region and JSON."""
    for option in reversed([data_option, store_option, endpoint_option, as_of_option, region_option, json_option]):
        command = option(command)
    return command


def _parse_cut(text: str) -> tuple[str, str, str | None]:
    parts = [part.strip() for part in text.split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise UsageFailure(f"bad --cut {text!r}: expected DEPENDENT:PROVIDER or DEPENDENT:PROVIDER:SERVICE")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


SCENARIO_OPTIONS = [
    click.option(
        "--cut",
        "cuts",
        multiple=True,
        metavar="DEPENDENT:PROVIDER[:SERVICE]",
        help="Cut one dependency, e.g. --cut parler:aws or --cut 'Parler:Google Play:app-store-android'.",
    ),
    click.option("--remove", multiple=True, metavar="PROVIDER", help="A provider exits: it stops serving everyone."),
    click.option(
        "--owner", multiple=True, metavar="OWNER", help="Everything this owner controls exits (e.g. Alphabet)."
    ),
    click.option(
        "--country", multiple=True, metavar="CC", help="Every provider in this country exits (ISO code, e.g. US)."
    ),
    click.option(
        "--recorded-until",
        callback=_parse_date,
        metavar="YYYY-MM-DD",
        help="Also apply the recorded cut-off events up to this date.",
    ),
]


def scenario_options(command):
    """The scenario flags shared by ``kg impact`` and ``kg render``."""
    for option in reversed(SCENARIO_OPTIONS):
        command = option(command)
    return command


def _scenario(cuts, remove, owner, country, recorded_until) -> dict:
    """The scenario flags as :func:`kg.api.impact` and :func:`kg.api.render` take them."""
    return dict(
        cuts=[_parse_cut(text) for text in cuts],
        remove=remove,
        owners=owner,
        countries=country,
        recorded_until=recorded_until,
    )


@main.command()
@data_option
@store_option
@endpoint_option
@as_of_option
@region_option
@scenario_options
@click.option("--platform", "platforms", multiple=True, metavar="NAME", help="Report only on these actors.")
@json_option
def impact(files, as_of, cuts, remove, owner, country, recorded_until, platforms, as_json) -> None:
    """What a scenario of cuts does: who goes offline or loses channels, and why.

    Redundancy counts (a service is lost only when every provider of it is gone; self-hosting cannot be
    cut), essential services (hosting, DNS, registrar...) take a dependent offline, channels degrade it,
    and offline providers take their own dependents with them.

    \b
    Example:
      kg impact --as-of 2021-01-07 --cut parler:google-play --cut parler:apple-app-store --cut parler:aws
      kg impact --as-of 2021-01-07 --recorded-until 2021-01-12 --platform parler
      kg impact --as-of 2019-08-04 --remove voxility
      kg impact --as-of 2021-01-07 --owner Alphabet --json
    """
    from kg import api
    from kg.views.jsondoc import impact_json
    from kg.views.text import impact_lines

    scenario = _scenario(cuts, remove, owner, country, recorded_until)
    with _progress() as report:
        answer = api.impact(_data(files), at=_at(as_of), platforms=platforms, progress=report, **scenario)
        if not as_json:
            _echo_lines(impact_lines(answer.impact, only=answer.platforms or None, progress=report))
            return
        document = impact_json(answer.impact, platforms=answer.platforms, progress=report)
    _echo_json(document)


@main.command()
@click.argument("name")
@actor_question_options
def status(name, files, as_of, as_json) -> None:
    """The status of NAME (any actor) at a date, an instant or in a country, with why: what it stands on,
    what it lost, and what sources observed then.

    \b
    Example:
      kg status parler --as-of 2021-01-12
      kg status parler --as-of 2021-01-10T23:30-08:00
      kg status tiktok --as-of 2025-01-19 --region US
    """
    from kg import api
    from kg.views.jsondoc import status_json
    from kg.views.text import format_status

    with _progress() as report:
        answer = api.status(name, data=_data(files), at=_at(as_of), progress=report)
    _echo_json(status_json(answer.status, answer.graph)) if as_json else _say(
        format_status(answer.status, answer.graph)
    )


def _time_limit_option(command):
    return click.option(
        "--time-limit",
        type=click.FloatRange(0.1, None),
        metavar="SECONDS",
        help="Stop with a message (exit 2) if the analysis takes longer than this.",
    )(command)


@main.command()
@click.argument("platform")
@actor_question_options
@_time_limit_option
def spof(platform, files, as_of, as_json, time_limit) -> None:
    """Single points of failure: providers whose exit alone takes PLATFORM offline, and channels one exit cuts.

    \b
    Example:
      kg spof parler --as-of 2021-01-07
    """
    from kg import api
    from kg.views.jsondoc import spof_json
    from kg.views.text import format_spof

    with _progress() as report:
        answer = api.spof(platform, data=_data(files), at=_at(as_of), time_limit=time_limit, progress=report)
    _echo_json(spof_json(answer.points, answer.graph)) if as_json else _say(format_spof(answer.points, answer.graph))


@main.command()
@click.argument("platform")
@data_option
@store_option
@endpoint_option
@as_of_option
@region_option
@click.option(
    "--max-order",
    default=3,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Largest number of providers in a set.",
)
@json_option
@_time_limit_option
def cutsets(platform, files, as_of, max_order, as_json, time_limit) -> None:
    """Minimal cut sets: the smallest sets of provider exits that together take PLATFORM offline.

    \b
    Example:
      kg cutsets parler --as-of 2021-03-01 --max-order 2
    """
    from kg import api
    from kg.views.jsondoc import cutsets_json
    from kg.views.text import format_cutsets

    with _progress() as report:
        answer = api.cutsets(
            platform, data=_data(files), at=_at(as_of), max_order=max_order, time_limit=time_limit, progress=report
        )
    _echo_json(cutsets_json(answer.sets, answer.graph)) if as_json else _say(format_cutsets(answer.sets, answer.graph))


@main.command()
@data_option
@store_option
@endpoint_option
@as_of_option
@region_option
@click.option("--service", help="Only providers of this service, with its market concentration.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1), help="Rows to show (text output).")
@json_option
def rank(files, as_of, service, top, as_json) -> None:
    """Provider criticality: how many dependents each provider's exit alone would take offline or degrade.

    Direct counts are dependents for which the provider is the only provider of a service; totals include
    cascades through providers that go offline. With --service, also each provider's share of that
    service's dependents and the Herfindahl-Hirschman index.

    \b
    Example:
      kg rank --as-of 2021-01-07
      kg rank --data output/webdep-us-2023.ttl --service dns --as-of 2023-04-30
    """
    from kg import api
    from kg.views.jsondoc import rank_json
    from kg.views.text import format_rank

    with _progress() as report:
        answer = api.rank(_data(files), at=_at(as_of), service=service, progress=report)
    if as_json:
        _echo_json(rank_json(answer.rows, answer.concentrations, answer.graph))
    else:
        _say(format_rank(answer.rows, answer.concentrations, answer.graph, top))


@main.command()
@click.argument("platform", required=False)
@data_option
@store_option
@endpoint_option
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Replay every platform with recorded observations, worldwide and in each country observed on its "
    "own; print the agreement.",
)
@region_option
@json_option
def replay(platform, files, every, as_json) -> None:
    """Replay PLATFORM's recorded history: the predicted status at each date, checked against observations.

    Where sources give a time of day, the replay also stops at that instant. With --region, the history
    for users in that country, checked against what was observed there.

    \b
    Example:
      kg replay parler
      kg replay tiktok --region US
      kg replay --all
    """
    from kg import api
    from kg.views.jsondoc import replay_json
    from kg.views.text import format_agreement, format_replay

    if every and platform:  # --all takes no PLATFORM: every argument is one of FILES
        files, platform = (Path(platform), *files), None
    if every == bool(platform):
        raise UsageFailure("give a PLATFORM or --all (not both)")
    with _progress() as report:
        histories = api.replay(platform, data=_data(files), region=_region(), progress=report)
    if as_json:
        documents = [replay_json(h) for h in histories]
        _echo_json(documents if every else documents[0])
    else:
        _say(format_agreement(histories) if every else format_replay(histories[0]))


@main.command()
@data_option
@store_option
@endpoint_option
@as_of_option
@region_option
@click.option("--focus", metavar="NAME", help="Show only this entity's neighbourhood.")
@click.option(
    "--depth", default=2, show_default=True, type=click.IntRange(0, 20), help="With --focus: how many steps out."
)
@click.option("--service", help="Show only dependencies of this service.")
@scenario_options
@click.option("--replay", "replay_name", metavar="PLATFORM", help="Step through this platform's recorded history.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed of the layout.")
@click.option(
    "--view",
    "shape",
    type=click.Choice(["auto", "overview", "full"]),
    default="auto",
    show_default=True,
    help="overview: the most critical providers, everyone else folded into groups that open on demand; "
    "full: every actor; auto: the overview above 1,500 actors (a whole map only: not with --focus, --service, "
    "a scenario or --replay).",
)
@click.option("--top", default=60, show_default=True, type=click.IntRange(1), help="Overview: providers kept.")
@click.option(
    "--min-criticality",
    type=click.IntRange(0),
    help="Overview: keep only providers whose exit alone takes at least this many dependents offline or degraded.",
)
@click.option(
    "--format",
    "picture",
    type=click.Choice(["html", "png", "svg"]),
    help="html: the interactive page; png: its picture in headless Chromium; svg: a picture drawn in Python "
    "(default: from --out's suffix, else html).",
)
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: output/)." + OUT_HELP
)
@_time_limit_option
def render(
    files,
    as_of,
    focus,
    depth,
    service,
    cuts,
    remove,
    owner,
    country,
    recorded_until,
    replay_name,
    seed,
    shape,
    top,
    min_criticality,
    picture,
    out,
    time_limit,
):
    """Draw an interactive HTML graph that opens offline: the dependency map, an impact scenario or a replay.

    One self-contained file (no network needed or allowed). Platforms are squares, providers dots coloured
    by their main service; arrows go from dependent to provider. With scenario flags (as for kg impact) the
    page opens with what happened in plain sentences and switches between Before and After: only the
    actors the scenario changes are coloured by status, cut dependencies purple and dashed. Search finds
    any part of a name or identifier; click an actor or an arrow for its facts and sources.

    \b
    Example:
      kg render --as-of 2021-01-07
      kg render --as-of 2021-01-07 --focus parler --cut parler:aws --cut parler:apple-app-store
      kg render --replay parler
      kg render --data output/webdep-us-2023.ttl --as-of 2023-04-30 --service cdn
      kg render --replay parler --out parler.svg
      kg render --data webdep.ttl --as-of 2023-04-30 --view overview --top 40
    """
    from kg import api

    context = click.get_current_context()
    given = {
        name
        for name in (
            "as_of",
            "focus",
            "depth",
            "service",
            "cuts",
            "remove",
            "owner",
            "country",
            "recorded_until",
            "shape",
            "top",
            "min_criticality",
        )
        if context.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
    }
    if replay_name and given:
        option = {param.name: param.opts[0] for param in context.command.params}
        flags = ", ".join(option[name] for name in sorted(given))
        raise UsageFailure(f"--replay steps through the recorded history and takes no {flags}")
    if "depth" in given and not focus:
        raise UsageFailure("--depth needs --focus (the neighbourhood it bounds)")
    with _progress() as report:
        drawn = api.render(
            _data(files),
            at=_at(as_of),
            focus=focus,
            depth=depth,
            service=service,
            replay_of=replay_name,
            seed=seed,
            shape=shape,
            top=top,
            min_criticality=min_criticality,
            out=out,
            picture=picture,
            time_limit=time_limit,
            progress=report,
            **_scenario(cuts, remove, owner, country, recorded_until),
        )
    view, out = drawn.view, drawn.out
    if view.groups:
        members = sum(len(group["members"]) for group in view.groups.values())
        click.echo(
            f"wrote {out}: overview of {members + len(view.nodes) - len(view.groups):,} actors as {len(view.nodes):,} "
            f"nodes ({len(view.nodes) - len(view.groups)} providers, {len(view.groups)} groups that open on demand; "
            "--view full draws every actor)",
            err=str(out) == "-",
        )
        return
    click.echo(
        f"wrote {out}: {len(view.nodes)} nodes, {len(view.edges)} edges, {len(view.states)} state(s)",
        err=str(out) == "-",  # the page itself went to stdout
    )


if __name__ == "__main__":  # pragma: no cover
    main()
