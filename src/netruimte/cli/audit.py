"""``netruimte audit``: verify the hash-chained audit trail."""

from __future__ import annotations

import json

import typer

from netruimte.cli._service import DB_OPTION, opened_db

__all__ = ["app"]

app = typer.Typer(help="The audit trail of decisions.", no_args_is_help=True)


@app.command("verify")
def verify_cmd(
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Recompute the hash chain and check the requests, stations and reinforcements against
    it. Exit 0 when both hold; 1 with the first broken entry or differing row otherwise.

    Prints the head hash: publish it elsewhere to detect a rewrite of the whole chain.
    """
    from netruimte.access.audit import verify

    with opened_db(db) as database:
        result = verify(database)
    if as_json:
        typer.echo(json.dumps(result.to_json_dict()))
    elif result.ok:
        typer.echo(
            f"audit chain intact: {result.entries} entries, head {result.head_seq} "
            f"{result.head_hash}; {result.objects_checked} requests, stations and "
            f"reinforcements match it ({result.objects_not_covered} not covered)"
        )
    elif result.first_bad_seq is None:
        typer.echo(f"audit chain intact, but the tables disagree: {result.problem}", err=True)
    else:
        typer.echo(
            f"audit chain broken at entry {result.first_bad_seq}: {result.problem}", err=True
        )
    if not result.ok:
        raise typer.Exit(1)
