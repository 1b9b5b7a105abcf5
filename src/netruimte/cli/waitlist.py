"""``netruimte waitlist``: simulate a waiting list and explain one request.

``simulate`` prints the Result JSON of the interface contract with ``--json`` (one document on
stdout, progress on stderr), otherwise a summary table; ``--out DIR`` also writes
``result.json``, ``requests.csv``, ``stations.csv`` and a self-contained ``report.html``.
``explain`` prints an applicant's account of one request. Bad input raises
:class:`netruimte.errors.InputError`, which the entry point maps to exit code 2.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from netruimte._util import write_atomic
from netruimte.errors import InputError
from netruimte.i18n import check_language
from netruimte.report import write_report
from netruimte.report.applicant import applicant_account, render_account
from netruimte.report.waitlist import build_waitlist_report, synthetic_note
from netruimte.report.waitlist_data import (
    category_summary,
    compare_summary,
    requests_frame,
    stations_frame,
    timeline,
)
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import (
    Fit,
    Policy,
    Scenario,
    SimulationResult,
    monte_carlo,
    simulate,
)
from netruimte.waitlist.simulation import fresh_seed

__all__ = ["app", "header_comment", "run_simulation"]

app = typer.Typer(
    help="Waiting lists: who gets grid capacity, when, and why.", no_args_is_help=True
)

_POLICY_HELP = "fcfs | acm-2024 | acm-2026 | in-force (default: the scenario's policy)."
# the argument and options simulate and explain share (one definition, one help text)
_SCENARIO_FILE = typer.Argument(..., help="Scenario TOML (docs/scenario-file.md).")
_POLICY = typer.Option(None, "--policy", help=_POLICY_HELP)
_FIT = typer.Option(None, "--fit", help="first-fit | strict (default: the scenario's fit).")
_SEED = typer.Option(
    None, "--seed", help="Monte Carlo master seed (default: the scenario's, else random)."
)
_MAX_STATION_ROWS = 30


def header_comment(path: Path) -> str:
    """The comment block at the top of a scenario file, without the ``#`` marks."""
    lines: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if lines:
                lines.append("")
            continue
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return "\n".join(lines).strip()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


def _monte_carlo(
    scenario: Scenario,
    policy: str,
    fit: str | None,
    runs: int,
    seed: int,
    workers: int | None,
    progress: Progress,
) -> SimulationResult:
    """:func:`netruimte.waitlist.monte_carlo` for one policy, with its own progress bar task."""
    task = progress.add_task(f"{policy}: {runs} runs", total=runs)
    return monte_carlo(
        scenario, runs, seed, policy=policy, fit=fit, workers=workers,
        progress=lambda n: progress.advance(task, n),
    )  # fmt: skip


def run_simulation(
    scenario: Scenario,
    *,
    policy: str | None = None,
    fit: str | None = None,
    compare: str | None = None,
    runs: int = 1,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> SimulationResult:
    """One deterministic simulation, or Monte Carlo runs with a progress bar (``runs > 1``).

    With ``runs > 1`` and no seed, a fresh one is drawn and kept in ``result.seed``. With a
    ``scheduler`` (``tcp://HOST:PORT``) the runs are spread over that Dask cluster; the numbers
    are the same as on this machine.
    """
    if runs <= 1:
        return simulate(scenario, policy=policy, fit=fit, compare=compare)
    master = seed if seed is not None else fresh_seed()
    bar = progress if progress is not None else _progress()
    if scheduler is not None:
        from netruimte.scale.montecarlo import monte_carlo_distributed

        with bar:
            task = bar.add_task(f"{runs} runs on {scheduler}", total=runs * (2 if compare else 1))
            return monte_carlo_distributed(
                scenario,
                runs,
                master,
                policy=policy,
                fit=fit,
                compare=compare,
                scheduler=scheduler,
                progress=lambda n: bar.advance(task, n),
            )
    with bar:
        main = _monte_carlo(
            scenario, policy or scenario.policy.value, fit, runs, master, workers, bar
        )
        if compare is not None:
            other = _monte_carlo(scenario, compare, fit, runs, master, workers, bar)
            main = replace(main, compare=other)
    return main


def _write_outputs(
    folder: Path,
    scenario: Scenario,
    result: SimulationResult,
    document: dict[str, Any],
    lang: str = "en",
) -> list[Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc}", source=folder) from None
    if not folder.is_dir():
        raise InputError("not a folder", source=folder, field="--out")
    header = header_comment(Path(scenario.source)) if scenario.source else ""
    report = replace(
        build_waitlist_report(result, scenario, synthetic=synthetic_note(scenario.name, header)),
        lang=lang,
    )
    paths = [folder / n for n in ("result.json", "requests.csv", "stations.csv", "report.html")]
    write_atomic(paths[0], json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    write_atomic(paths[1], requests_frame(scenario, result).to_csv(index=False))
    write_atomic(paths[2], stations_frame(result).to_csv(index=False))
    write_report(report, paths[3])
    return paths


def _print_frame(
    console: Console,
    frame: pd.DataFrame,
    title: str,
    floats: str = "{:,.1f}",
    *,
    narrow: bool = False,
) -> None:
    """The title on its own line (never wrapped to the table's width), then the table."""
    console.print(title, soft_wrap=True)
    table = Table()
    for k, col in enumerate(frame.columns):
        head = str(col).replace(" ", "\n") if narrow else str(col).replace(" (", "\n(")
        # numbers never wrap or get cut; a long station name wraps instead
        table.add_column(head, justify="left" if k == 0 else "right", no_wrap=k > 0)
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, float):
                cells.append("" if pd.isna(value) else floats.format(value))
            else:
                cells.append("" if value is None or value is pd.NA else escape(str(value)))
        table.add_row(*cells)
    console.print(table)


def _print_summary(
    console: Console, scenario: Scenario, result: SimulationResult, paths: list[Path]
) -> None:
    moments = result.moments
    runs = f", {result.runs} Monte Carlo runs (seed {result.seed})" if result.runs > 1 else ""
    console.print(
        f"[bold]{escape(scenario.name)}[/bold]: {len(result.requests)} requests, "
        f"{len(result.stations)} stations, {len(moments)} moments {moments[0]} to {moments[-1]}"
    )
    console.print(f"policy {result.policy}, fit {result.fit}, capacity {result.capacity}{runs}")
    stations = pd.DataFrame(
        [
            {
                "station": st.name if st.name == st.id else f"{st.name} ({st.id})",
                "capacity MW": st.offtake_mw,
                "allocated MW": st.allocated_mw,
                "waiting MW": st.waiting_mw,
                "waiting": st.waiting_count,
                "headroom MW": st.room_mw,
            }
            for st in result.stations
        ]
    )
    title = f"Stations at {moments[-1]} ({result.policy}; MW include the stations below)"
    if len(stations) > _MAX_STATION_ROWS:
        stations = stations.sort_values("waiting MW", ascending=False, kind="stable").head(20)
        title += f"; the 20 with the largest queue of {len(result.stations)}"
    title = "[bold]" + title + "[/bold]"
    _print_frame(console, stations, title, "{:,.2f}")
    tl = timeline(scenario, result)
    cats = category_summary(tl).drop(columns=["granted MW", "waiting MW"])
    _print_frame(console, cats, f"[bold]Requests per category ({result.policy})[/bold]")
    if result.compare is not None:
        other = timeline(scenario, result.compare)
        _print_frame(
            console,
            compare_summary(tl, other, result.policy, result.compare.policy).drop(
                columns=["requests"]
            ),
            f"[bold]{result.policy} compared with {result.compare.policy}[/bold] (sooner, same, "
            "later: requests connected under both; change in months)",
            narrow=True,
        )
    console.print("Median wait: months from joining the list to the connection.")
    if paths:
        console.print(escape(f"Wrote {', '.join(str(p) for p in paths)}"), soft_wrap=True)


@app.command("simulate")
def simulate_command(
    scenario_file: Path = _SCENARIO_FILE,
    policy: Policy | None = _POLICY,
    fit: Fit | None = _FIT,
    compare: Policy | None = typer.Option(
        None, "--compare", help="A second policy to compare with (adds a 'compare' block)."
    ),
    runs: int | None = typer.Option(
        None,
        "--runs",
        min=1,
        help="Monte Carlo runs; more than 1 adds P10/P50/P90 dates (default: the scenario's).",
    ),
    seed: int | None = _SEED,
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for result.json, requests.csv, stations.csv and report.html.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the Result JSON on stdout."),
    lang: str = typer.Option(
        "en", "--lang", help="Language of report.html: en (default) or nl; JSON/CSV stay English."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Threads for Monte Carlo runs (default: all CPUs)."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Spread the Monte Carlo runs over the Dask cluster at tcp://HOST:PORT "
        "(same numbers as on this machine).",
    ),
) -> None:
    """Allocate capacity to the waiting list at every monthly moment and report the result."""
    check_language(lang, "--lang")
    scenario = load_scenario(scenario_file)
    n_runs = scenario.runs if runs is None else runs
    result = run_simulation(
        scenario,
        policy=policy.value if policy else None,
        fit=fit.value if fit else None,
        compare=compare.value if compare else None,
        runs=n_runs,
        seed=scenario.seed if seed is None else seed,
        workers=workers,
        scheduler=scheduler,
    )
    document = result.to_json_dict()
    paths = _write_outputs(out, scenario, result, document, lang) if out is not None else []
    if as_json:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        if paths:
            print(f"Wrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    _print_summary(console, scenario, result, paths)


@app.command("explain")
def explain_command(
    scenario_file: Path = _SCENARIO_FILE,
    request_id: str | None = typer.Argument(
        None, help="The id of the request to explain; without it, list the request ids."
    ),
    policy: Policy | None = _POLICY,
    fit: Fit | None = _FIT,
    runs: int | None = typer.Option(
        None,
        "--runs",
        min=1,
        help="Monte Carlo runs for a P10-P90 range of the date (default: the scenario's).",
    ),
    seed: int | None = _SEED,
    as_json: bool = typer.Option(
        False, "--json", help="Print the account (or the request list) as one JSON document."
    ),
    station: str | None = typer.Option(
        None, "--station", help="List only requests at this station or a station below it."
    ),
    category: str | None = typer.Option(
        None,
        "--category",
        help="List only requests asking this category (none, congestion-reliever, safety, "
        "basic-needs).",
    ),
    applicant: str | None = typer.Option(
        None, "--applicant", help="List only requests whose applicant contains this text."
    ),
) -> None:
    """Explain one request: rank, category and why, binding station, expected date, options.

    Without REQUEST_ID: list the request ids (filtered by --station, --category, --applicant).
    """
    from netruimte.report.applicant_json import account_json, list_requests, request_row

    scenario = load_scenario(scenario_file)
    if request_id is None:
        found = list_requests(scenario, station=station, category=category, applicant=applicant)
        if as_json:
            rows = [request_row(r) for r in found]
            sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
            return
        lines = [f"{'id':<16} {'station':<10} {'category':<20} {'kW':>10}  applicant"]
        for r in found:
            lines.append(
                f"{r.id:<16} {r.station:<10} {r.category.value:<20} {r.kw:>10,.0f}  {r.applicant}"
            )
        lines.append(f"{len(found)} of {len(scenario.requests)} requests")
        typer.echo("\n".join(lines))
        return
    if station is not None or category is not None or applicant is not None:
        raise InputError(
            "--station, --category and --applicant filter the list of requests; give them "
            "without REQUEST_ID",
            field="REQUEST_ID",
        )
    known = {r.id for r in scenario.requests}
    if request_id not in known:
        sample = ", ".join(sorted(known)[:5]) + (", ..." if len(known) > 5 else "")
        raise InputError(
            f"unknown request {request_id!r}; the scenario has {len(known)} requests ({sample}); "
            "list them with 'netruimte waitlist explain SCENARIO' (no REQUEST_ID)",
            source=scenario_file,
            field="REQUEST_ID",
        )
    n_runs = scenario.runs if runs is None else runs
    master = scenario.seed if seed is None else seed
    if n_runs > 1 and master is None:
        master = fresh_seed()
    account = applicant_account(
        scenario,
        request_id,
        policy=policy.value if policy else None,
        fit=fit.value if fit else None,
        runs=n_runs,
        seed=master,
    )
    if as_json:
        sys.stdout.write(json.dumps(account_json(account), indent=2, ensure_ascii=False) + "\n")
        return
    typer.echo(render_account(account))
