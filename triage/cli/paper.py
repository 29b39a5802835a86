"""Commands on papers named by id: show one in full, delete some."""

from __future__ import annotations

import json

import click

from triage.cli.common import fail, open_store, resolve_ids, share_changes, writing_stdout
from triage.cli.main import main
from triage.core.text import strip_control
from triage.export.arxiv import abs_url
from triage.store import Paper

LABEL_WIDTH = 9


@main.command()
@click.argument("paper_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the paper as a JSON object.")
@click.pass_context
def show(ctx: click.Context, paper_id: str, as_json: bool) -> None:
    """Print a paper in full: title, ids, authors, state, star, tags, listings, abstract and
    note.

    ID is the id `triage list` shows, or its first characters (at least 4), in any case.
    """
    with open_store(ctx) as store:
        [found] = resolve_ids(store, [paper_id])
        paper = store.get(found)
    if paper is None:  # deleted between the two reads
        fail(f"no paper with id {paper_id}")
    text = json.dumps(paper.to_json(), ensure_ascii=False, indent=2) if as_json else describe(paper)
    with writing_stdout():
        click.echo(text)


def describe(paper: Paper) -> str:
    """A paper as plain text, every field from a dump or a copy stripped of control codes."""
    identity = paper.identity
    fields = [("id", paper.id)]
    if identity.arxiv_id:
        url = abs_url(identity.arxiv_id)
        fields.append(("arXiv", f"{identity.arxiv_id}  {url}" if url else identity.arxiv_id))
    if identity.authors:
        fields.append(("authors", ", ".join(map(_line, identity.authors))))
    fields += [("state", paper.state), ("starred", "yes" if paper.starred else "no")]
    if paper.tags:
        fields.append(("tags", ", ".join(paper.tags)))
    for listing in paper.listed:
        fields.append(("listed", f"{listing.listed_on or 'undated':<10}  {_line(listing.source)}"))
    for link in dict.fromkeys([paper.url, identity.github_repo, identity.project_page]):
        if link:
            fields.append(("link", link))
    lines = [_line(paper.title), ""]
    lines += [
        f"{label:<{LABEL_WIDTH}}{strip_control(value, keep_newlines=False)}"
        for label, value in fields
    ]
    lines += ["", strip_control(paper.abstract).strip()]
    if paper.note:
        lines += ["", "Note:", strip_control(paper.note).rstrip()]
    return "\n".join(lines)


def _line(text: str) -> str:
    return " ".join(strip_control(text, keep_newlines=False).split())


@main.command()
@click.argument("ids", metavar="ID...", nargs=-1, required=True)
@click.pass_context
def delete(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Delete papers, with your star, tags and note on them: the garbage of a bad import, say.

    IDs as `triage list` shows them, or their first characters (at least 4). There is no undo
    here (the app's `u` undoes its own deletions): `triage backup` first when unsure. A dump
    imported later that lists a deleted paper brings it back, without your annotations.
    """
    with open_store(ctx) as store:
        deleted = store.delete_papers(resolve_ids(store, ids))
        for paper in deleted:
            click.echo(f"deleted {paper.id}  {_line(paper.title)}")
        if deleted:
            share_changes(store)
