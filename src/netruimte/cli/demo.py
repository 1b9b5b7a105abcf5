"""``netruimte demo``: the Flevoland scenario end to end."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from netruimte.i18n import check_language

__all__ = ["demo"]


def demo(
    out: Path = typer.Option(
        Path("netruimte-demo"), "--out", help="Folder for the report, CSV and JSON results."
    ),
    runs: int = typer.Option(
        100, "--runs", min=1, help="Monte Carlo runs over the reinforcement delays."
    ),
    seed: int = typer.Option(2026, "--seed", help="Seed of the Monte Carlo runs."),
    businesses: int | None = typer.Option(
        None,
        "--businesses",
        min=0,
        help="Plan smart tools for only the first N waiting businesses (a quicker, partial run).",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the summary as one JSON document on stdout."
    ),
    lang: str = typer.Option(
        "nl",
        "--lang",
        help="Language of report.html and summary.pdf: nl (default: the Flevoland demo is "
        "for Dutch readers) "
        "or en; CSV/JSON stay English.",
    ),
) -> None:
    """The main job: the Flevoland scenario end to end (waiting list, ACM framework, smart
    tools, slipped works), written as one HTML report plus CSV/JSON of all results."""
    from netruimte.demo.output import demo_summary, write_demo
    from netruimte.demo.run import DemoOptions, run_demo
    from netruimte.report.demo_data import VARIANTS, campus_cells, later_text
    from netruimte.report.demo_room import room_rows

    check_language(lang, "--lang")

    err = Console(stderr=True)
    started = time.perf_counter()
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:

        def report(task: str, done: int, total: int) -> None:
            if task not in tasks:
                tasks[task] = progress.add_task(task, total=total)
            progress.update(tasks[task], completed=done, total=total)

        options = DemoOptions(out_dir=out, runs=runs, seed=seed, max_businesses=businesses)
        result = run_demo(options, progress=report)
        report("report", 0, 1)
        write_demo(result, lang=lang)
        report("report", 1, 1)
    summary = demo_summary(result)
    elapsed = time.perf_counter() - started
    if as_json:
        typer.echo(json.dumps({**summary, "out": str(out)}, indent=2, default=str))
        return
    console = Console()
    horizon = result.scenario.end.year
    total = summary["variants"][0]["requests"] if summary["variants"] else 0
    table = Table(
        title=f"Flevoland offtake requests ({total}: queue, campus, induced jobs, Hortus), "
        "connected by the start of each year (cumulative)",
        caption="the last two columns add up to the requests",
    )
    for column in ("scenario", "by 2028", "by 2030", "by 2033", "by 2036",
                   f"by the end of {horizon}", later_text(horizon), "MW-years waited"):  # fmt: skip
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for row in summary["variants"]:
        table.add_row(
            row["label"],
            str(row["by_2028"]),
            str(row["by_2030"]),
            str(row["by_2033"]),
            str(row["by_2036"]),
            str(row["requests"] - row["not_in_horizon"]),
            str(row["not_in_horizon"]),
            f"{row['mw_years_waiting']:,.0f}",
        )
    console.print(table)
    campus = Table(title="High Tech Campus Almere (ASM International), 20.4 MW asked")
    for column in ("scenario", "MW asked", "connected (no delays)", "half of the runs by (P50)",
                   "90 % of the runs by (P90)"):  # fmt: skip
        campus.add_column(column)
    simulated = {v.label: v.monte_carlo and result.options.runs > 1 for v in VARIANTS}
    for row in summary["campus"]:
        campus.add_row(
            row["variant"],
            f"{row['requested_mw']:.1f}",
            *campus_cells(row, horizon, monte_carlo=simulated.get(row["variant"], False)),
        )
    console.print(campus)
    room = Table(
        title="Room before reinforcement, side by side with the framework as it is",
        caption="room: MW the instruments created at the peak; cost: what the operator pays "
        "per MW of room per year (relievers and the hub: nothing, their owners pay)",
    )
    frame = room_rows(result)
    for column in frame.columns:
        room.add_column(str(column), justify="left" if column == "scenario" else "right")
    for record in frame.to_dict("records"):
        room.add_row(*(f"{v:,.0f}" if isinstance(v, float) else str(v) for v in record.values()))
    console.print(room)
    smart = summary["smart_tools"]
    console.print(
        f"Smart tools (sized at the least cost under EXAMPLE tariffs): {smart['businesses']} "
        f"businesses need {smart['firm_mw_with_tools']:.1f} MW "
        f"instead of {smart['requested_mw']:.1f} MW; {smart['time_block_feasible']} could take "
        "a time-block right."
    )
    console.print(f"Report: {out / 'report.html'}  (finished in {elapsed:.0f} s)")
