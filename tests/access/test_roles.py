"""The roles file: who gets which role and which branches (issue 16, item 2)."""

import pytest

from servicequality.access import roles
from servicequality.access.roles import Grant, RolesError, parse_roles

BRANCH_REGIONS = {"B001": "North", "B002": "North", "B003": "South", "B004": "south", "B005": "West"}

FILE = {
    "groups_claim": "roles",
    "grant": [
        {"group": "managers-north", "role": "regional_manager", "regions": ["North"]},
        {"email": "Ann@Chain.example", "role": "branch_manager", "branches": ["B003", "B001"]},
        {"group": "everyone", "role": "executive"},
        {"group": "managers-south", "role": "regional_manager", "regions": ["South"]},
    ],
}


def test_email_grant_wins_over_groups_and_case_is_ignored():
    known = parse_roles(FILE)
    # Ann is also in managers-north (listed first), but her own e-mail's grant wins.
    grant = known.grant_for("ann@chain.EXAMPLE", ["managers-north"])
    assert grant == Grant("branch_manager", email="Ann@Chain.example", branches=("B001", "B003"))


def test_first_group_in_file_order_wins():
    known = parse_roles(FILE)
    # 'everyone' (3rd) and 'managers-south' (4th): the earlier grant in the file.
    assert known.grant_for("bob@chain.example", ["managers-south", "Everyone"]).role == "executive"
    assert known.grant_for("bob@chain.example", ["managers-south"]).regions == ("South",)


def test_nobody_named_has_no_grant():
    known = parse_roles(FILE)
    assert known.grant_for("eve@evil.example", ["outsiders"]) is None
    assert known.grant_for(None, []) is None
    assert known.grant_for("", ["managers"]) is None


def test_regional_scope_is_the_regions_branches_today():
    grant = Grant("regional_manager", group="g", regions=("South",))
    access = roles.access_for(grant, "s@chain.example", BRANCH_REGIONS)
    # 'South' and 'south' are the same region: B003 and B004, not B005 (West) or the North ones.
    assert access.branches == ("B003", "B004")
    assert access.may(roles.DRILL) and not access.may(roles.PERSONAL) and not access.may(roles.IMPORT)
    assert access.describe() == "Regional manager: South"


def test_rights_by_role():
    every = {r: roles.access_for(Grant(r, email="x", **_scope(r)), "x", BRANCH_REGIONS) for r in roles.ROLES}
    assert every["executive"].branches is None and every["executive"].rights == frozenset()
    assert every["analyst"].branches is None and every["analyst"].may(roles.PERSONAL)
    assert not every["analyst"].may(roles.IMPORT)
    assert every["data_steward"].may(roles.IMPORT) and every["data_steward"].may(roles.AUDIT)
    assert every["branch_manager"].branches == ("B002",)
    assert not every["branch_manager"].may(roles.PERSONAL)
    assert roles.LOCAL.rights == frozenset(roles.RIGHTS) and roles.LOCAL.branches is None


def _scope(role: str) -> dict:
    scope = roles.ROLES[role].scope
    return {"regions": {"regions": ("North",)}, "branches": {"branches": ("B002",)}}.get(scope, {})


@pytest.mark.parametrize(
    ("grant", "words"),
    [
        ({"email": "a@x", "role": "boss"}, "role must be one of"),
        ({"role": "executive"}, "either an email or a group"),
        ({"email": "a@x", "group": "g", "role": "executive"}, "either an email or a group"),
        ({"email": "a@x", "role": "branch_manager"}, "names its branches"),
        ({"email": "a@x", "role": "regional_manager", "branches": ["B001"]}, "names its regions"),
        ({"email": "a@x", "role": "executive", "regions": ["North"]}, "sees all"),
        ({"email": "a@x", "role": "branch_manager", "branches": "B001"}, "must be a list"),
        ({"email": "a@x", "role": "analyst", "rights": ["import"]}, "unknown key(s) rights"),
    ],
)
def test_a_wrong_grant_is_refused_with_its_number(grant, words):
    with pytest.raises(RolesError, match="grant 2") as err:
        parse_roles({"grant": [{"email": "ok@x", "role": "executive"}, grant]})
    assert words in str(err.value)


def test_load_roles_file(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[[grant]]\nemail = "ceo@x"\nrole = "executive"\n', encoding="utf-8")
    assert roles.load_roles(path).grant_for("CEO@x").role == "executive"
    path.write_text("[[grant]\n", encoding="utf-8")
    with pytest.raises(RolesError, match="not valid TOML"):
        roles.load_roles(path)
    with pytest.raises(RolesError, match="does not exist"):
        roles.load_roles(tmp_path / "missing.toml")


def test_the_example_roles_file_is_valid():
    from tests.conftest import ROOT

    known = roles.load_roles(ROOT / "roles.example.toml")
    assert {g.role for g in known.grants} == set(roles.ROLES)


def test_groups_claim_as_list_or_string():
    assert roles.groups_of({"groups": ["a", "b"]}, "groups") == ("a", "b")
    assert roles.groups_of({"groups": "a"}, "groups") == ("a",)
    assert roles.groups_of({}, "groups") == ()
    assert roles.groups_of({"groups": 3}, "groups") == ()
