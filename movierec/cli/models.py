"""``python -m movierec models``: list, rename, delete and restore saved models, as the Models page does."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from movierec.cli.json_output import to_json

# (record key, header) of the text table, in the Models page's order
_COLUMNS = (
    ("name", "name"),
    ("dataset", "dataset"),
    ("preset", "preset"),
    ("settings", "settings changed"),
    ("test_rmse", "RMSE"),
    ("test_mae", "MAE"),
    ("p_at_10", "P@10 (popular)"),
    ("ndcg_at_10", "nDCG@10 (popular)"),
    ("epochs", "epochs (best)"),
    ("train_seconds", "train s"),
    ("device", "device"),
    ("created", "created"),
)


def add_models_command(sub: argparse._SubParsersAction) -> None:
    """Register ``models`` and its actions on the CLI's sub-command parser."""
    p = sub.add_parser(
        "models",
        help="list, rename, delete and restore saved models",
        description="List every saved model with its settings and scores (without an action), or change one. "
        "Deleting moves a model into MOVIEREC_HOME/models/trash, from where `models restore` brings it back.",
    )
    p.add_argument("--dataset", help="only the models of this dataset (e.g. ml-latest-small)")
    p.add_argument("--json", action="store_true", help="print the list as JSON (one object per model)")
    p.set_defaults(handler=_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    delete = actions.add_parser("delete", help="move a saved model into the trash")
    delete.add_argument("name")
    delete.set_defaults(handler=_delete)
    rename = actions.add_parser("rename", help="give a saved model a new name")
    rename.add_argument("old")
    rename.add_argument("new")
    rename.set_defaults(handler=_rename)
    restore = actions.add_parser("restore", help="bring back the last deleted model of that name")
    restore.add_argument("name")
    restore.set_defaults(handler=_restore)
    empty = actions.add_parser("empty-trash", help="erase the deleted models for good")
    empty.add_argument("--dataset", help="only the deleted models of this dataset")
    empty.set_defaults(handler=_empty_trash)


def _list(args: argparse.Namespace) -> int:
    from movierec.model.catalog import model_catalog

    catalog = model_catalog(dataset=args.dataset)
    for file_name, reason in catalog.damaged:
        print(f"skipped {file_name}: {reason}", file=sys.stderr)
    records = [row.record() for row in catalog.rows]
    if args.json:
        print(to_json(records))
    elif not records:
        where = f" of {args.dataset}" if args.dataset else ""
        print(f"No saved models{where} yet: train one with `python -m movierec train`.")
    else:
        print(_table([_cells(record) for record in records]))
    return 0


def _cells(record: dict[str, Any]) -> dict[str, str]:
    """A record's text cells ("-" where the model has no such figure)."""
    from movierec.model.catalog import settings_text

    def number(key: str, digits: int) -> str:
        return "-" if record[key] is None else f"{record[key]:.{digits}f}"

    changed = settings_text(record["settings_changed"].items())
    compared = f"vs {record['compared_with']}: " if record["preset"] != record["compared_with"] and changed else ""
    return {
        "name": record["name"],
        "dataset": record["dataset"],
        "preset": record["preset"] or "-",
        "settings": compared + changed or "-",
        "test_rmse": number("test_rmse", 4),
        "test_mae": number("test_mae", 4),
        "p_at_10": f"{number('p_at_10', 3)} ({number('p_at_10_most_popular', 3)})",
        "ndcg_at_10": f"{number('ndcg_at_10', 3)} ({number('ndcg_at_10_most_popular', 3)})",
        "epochs": "-" if record["epochs"] is None else f"{record['epochs']} ({record['best_epoch']})",
        "train_seconds": number("train_seconds", 1),
        "device": record["device"] or "-",
        "created": record["created"],
    }


def _table(cells: list[dict[str, str]]) -> str:
    widths = {key: max(len(header), *(len(row[key]) for row in cells)) for key, header in _COLUMNS}
    lines = [[header.ljust(widths[key]) for key, header in _COLUMNS]]
    lines += [[row[key].ljust(widths[key]) for key, _ in _COLUMNS] for row in cells]
    return "\n".join("  ".join(line).rstrip() for line in lines)


def _delete(args: argparse.Namespace) -> int:
    from movierec.model.store import delete_model

    entry = delete_model(args.name)
    print(f"moved {args.name} into the trash ({entry.path}); `models restore {args.name}` brings it back")
    return 0


def _rename(args: argparse.Namespace) -> int:
    from movierec.model.store import rename_model

    path = rename_model(args.old, args.new)
    print(f"renamed {args.old} to {args.new} ({path})")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from movierec.model.store import restore_model

    path = restore_model(args.name)
    print(f"restored {args.name} ({path})")
    return 0


def _empty_trash(args: argparse.Namespace) -> int:
    from movierec.model.store import empty_trash

    erased = empty_trash(dataset=args.dataset)
    print(f"erased {erased} deleted model(s) for good")
    return 0
