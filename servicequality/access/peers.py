"""Branches outside a person's scope, shown only as "Peer A", "Peer B", ...

A branch manager compares their branch with its peers and the network: those figures read every
branch, but no other branch may appear by id, name or anything that singles it out. The letters
follow a keyed hash of the branch id (the key is the person's identity), not the ids' order, so
"Peer A" is not simply the first branch of the chain, and they stay the same on every page of a
person's session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd

from servicequality.metrics.formats import column_letters

# Columns that name a branch, or can single one out, in per-branch query results.
NAMING_COLUMNS = ("branch_name", "name", "branch_label")


def peer_label(i: int) -> str:
    """0 -> 'Peer A', 25 -> 'Peer Z', 26 -> 'Peer AA' (spreadsheet column letters)."""
    return f"Peer {column_letters(i)}"


def peer_labels(branch_ids: Iterable[str], key: str) -> dict[str, str]:
    """Each branch id -> its peer label, in the order of a keyed hash of the id."""
    ids = sorted(set(branch_ids), key=lambda b: hashlib.blake2b(str(b).encode(), key=key.encode()[:64]).hexdigest())
    return {b: peer_label(i) for i, b in enumerate(ids)}


def anonymise(df: pd.DataFrame, scope: Iterable[str], key: str, universe: Iterable[str] | None = None) -> pd.DataFrame:
    """Per-branch rows with every branch outside `scope` renamed to its peer label (id and every
    naming column). Rows of the person's own branches are unchanged. `universe`: every branch id
    the letters are given over (so one branch has one letter in every result); by default the
    result's own branches."""
    if "branch_id" not in df.columns or df.empty:
        return df
    mine = set(scope)
    others = [b for b in df["branch_id"].unique() if b not in mine]
    if not others:
        return df
    every = set(others) | (set(universe) if universe is not None else set())
    labels = peer_labels(sorted(b for b in every if b not in mine), key)
    out = df.copy()
    outside = ~out["branch_id"].isin(mine)
    renamed = out.loc[outside, "branch_id"].map(labels)
    out.loc[outside, "branch_id"] = renamed
    for column in NAMING_COLUMNS:
        if column in out.columns:
            out.loc[outside, column] = renamed
    return out
