"""Peers shown as "Peer A", "Peer B" (issue 16, item 3)."""

import pandas as pd

from servicequality.access import peers


def test_peer_label_letters():
    # spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA, 27 -> AB, 701 -> ZZ, 702 -> AAA
    assert [peers.peer_label(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "Peer A",
        "Peer B",
        "Peer Z",
        "Peer AA",
        "Peer AB",
        "Peer ZZ",
        "Peer AAA",
    ]


def test_anonymise_keeps_mine_and_renames_every_other_branch():
    df = pd.DataFrame(
        {
            "branch_id": ["B001", "B002", "B003", "B002"],
            "branch_name": ["Clocktower", "Northern Quarter", "Harbour", "Northern Quarter"],
            "region": ["North", "North", "South", "North"],
            "complaints": [5, 7, 11, 2],
        }
    )
    out = peers.anonymise(df, ["B002"], key="k1")
    assert out.loc[[1, 3], "branch_id"].tolist() == ["B002", "B002"]
    assert out.loc[[1, 3], "branch_name"].tolist() == ["Northern Quarter", "Northern Quarter"]
    others = out.loc[[0, 2]]
    assert sorted(others["branch_id"]) == ["Peer A", "Peer B"]
    assert (others["branch_name"] == others["branch_id"]).all()
    # figures and the peer-group attributes stay: pooled peer figures need them
    assert out["complaints"].tolist() == [5, 7, 11, 2] and out["region"].tolist() == df["region"].tolist()
    # nothing of the other branches' names or ids is left anywhere in the frame
    text = out.astype(str).to_string()
    assert "Clocktower" not in text and "Harbour" not in text and "B001" not in text and "B003" not in text
    assert df["branch_id"].tolist() == ["B001", "B002", "B003", "B002"]  # the input is not changed


def test_letters_follow_the_key_not_the_ids():
    ids = [f"B{i:03d}" for i in range(1, 41)]
    df = pd.DataFrame({"branch_id": ids, "branch_name": ids})
    a = peers.anonymise(df, [], key="person-a")["branch_id"].tolist()
    b = peers.anonymise(df, [], key="person-b")["branch_id"].tolist()
    assert sorted(a) == sorted(b) and a != b
    assert peers.anonymise(df, [], key="person-a")["branch_id"].tolist() == a  # stable for one key
    # Not the ids' order: B001 is Peer A for at most a 1-in-40 chance; with 40 branches the
    # chance that the hash order equals the id order is 1/40!.
    assert a != [peers.peer_label(i) for i in range(40)]


def test_one_branch_has_one_letter_in_every_result():
    every = [f"B{i}" for i in range(1, 11)]
    many = pd.DataFrame({"branch_id": every, "branch_name": every})
    few = pd.DataFrame({"branch_id": ["B7", "B3"], "branch_name": ["B7", "B3"]})
    a = peers.anonymise(many, ["B1"], key="k", universe=every).set_index(many["branch_id"])["branch_id"]
    b = peers.anonymise(few, ["B1"], key="k", universe=every).set_index(few["branch_id"])["branch_id"]
    assert b["B7"] == a["B7"] and b["B3"] == a["B3"]
    # without the universe, letters are given over the result's own branches: they differ
    c = peers.anonymise(few, ["B1"], key="k")["branch_id"].tolist()
    assert sorted(c) == ["Peer A", "Peer B"]
