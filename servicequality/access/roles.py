"""Roles as data: a TOML file maps a signed-in person (their e-mail, or a group their identity
provider puts in the ID token) to a role and a scope.

    groups_claim = "groups"          # the ID token's claim that lists a person's groups

    [[grant]]
    email = "ceo@chain.example"
    role = "executive"

    [[grant]]
    group = "managers-north"
    role = "regional_manager"
    regions = ["North"]

    [[grant]]
    email = "kings.cross@chain.example"
    role = "branch_manager"
    branches = ["B022"]

A grant for the person's e-mail wins over grants for their groups; among group grants the first
in the file wins. E-mails and groups are compared without regard to case. Anyone no grant names
has no access. Without sign-in configured, the one person at the server's own machine has every
right (`LOCAL`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What a role may do beyond reading the pages' figures for its scope.
DRILL = "drill"  # the rows behind the numbers (drill-down pages and their CSV)
PERSONAL = "personal"  # reveal personal data in those rows
IMPORT = "import"  # the Data page's upload and its run history
AUDIT = "audit"  # read the audit log
RIGHTS = (DRILL, PERSONAL, IMPORT, AUDIT)


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    scope: str  # 'all', 'regions' or 'branches': what a grant of this role must name
    rights: frozenset[str]


ROLES: dict[str, Role] = {
    r.key: r
    for r in (
        Role("executive", "Executive", "all", frozenset()),
        Role("regional_manager", "Regional manager", "regions", frozenset({DRILL})),
        Role("branch_manager", "Branch manager", "branches", frozenset({DRILL})),
        Role("analyst", "Analyst", "all", frozenset({DRILL, PERSONAL})),
        Role("data_steward", "Data steward", "all", frozenset({DRILL, PERSONAL, IMPORT, AUDIT})),
    )
}


class RolesError(ValueError):
    """The roles file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Grant:
    role: str
    email: str | None = None
    group: str | None = None
    regions: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roles:
    grants: tuple[Grant, ...]
    groups_claim: str = "groups"

    def grant_for(self, email: str | None, groups: Iterable[str] = ()) -> Grant | None:
        """The person's grant: their e-mail's, else their first group's in file order; None when
        no grant names them."""
        mail = (email or "").strip().casefold()
        if mail:
            for g in self.grants:
                if g.email is not None and g.email.casefold() == mail:
                    return g
        theirs = {str(x).strip().casefold() for x in groups}
        for g in self.grants:
            if g.group is not None and g.group.casefold() in theirs:
                return g
        return None


@dataclass(frozen=True)
class Access:
    """What one session may see and do. `branches` None means every branch; otherwise the only
    branches any query of the session reads (servicequality.filters.Filters.scope)."""

    role: str
    who: str
    branches: tuple[str, ...] | None
    rights: frozenset[str]
    regions: tuple[str, ...] = ()

    def may(self, right: str) -> bool:
        return right in self.rights

    @property
    def label(self) -> str:
        return ROLES[self.role].label if self.role in ROLES else "Local (no sign-in)"

    def describe(self) -> str:
        """Plain words for the sidebar: the role and what it covers."""
        if self.branches is None:
            return f"{self.label}: every branch"
        if self.regions:
            return f"{self.label}: {', '.join(self.regions)}"
        n = len(self.branches)
        if 0 < n <= 3:
            return f"{self.label}: {', '.join(self.branches)}"
        return f"{self.label}: {n} branch{'' if n == 1 else 'es'}"


LOCAL = Access(role="local", who="this computer", branches=None, rights=frozenset(RIGHTS))


def load_roles(path: Path) -> Roles:
    """Read and check a roles file; RolesError names the grant and the problem."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise RolesError(f"The roles file {Path(path).name} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise RolesError(f"The roles file {Path(path).name} is not valid TOML: {exc}") from None
    return parse_roles(raw)


def parse_roles(raw: Mapping[str, Any]) -> Roles:
    unknown = set(raw) - {"grant", "groups_claim"}
    if unknown:
        raise RolesError(f"Unknown key(s) in the roles file: {', '.join(sorted(unknown))}.")
    grants = []
    for i, entry in enumerate(raw.get("grant", []), start=1):
        where = f"grant {i}"
        if not isinstance(entry, Mapping):
            raise RolesError(f"{where} is not a table ([[grant]]).")
        extra = set(entry) - {"email", "group", "role", "regions", "branches"}
        if extra:
            raise RolesError(f"{where}: unknown key(s) {', '.join(sorted(extra))}.")
        role = ROLES.get(str(entry.get("role", "")))
        if role is None:
            raise RolesError(f"{where}: role must be one of {', '.join(ROLES)}, not {entry.get('role')!r}.")
        email, group = entry.get("email"), entry.get("group")
        if (email is None) == (group is None):
            raise RolesError(f"{where}: give either an email or a group.")
        regions, branches = _names(entry, "regions", where), _names(entry, "branches", where)
        needed = {"all": (), "regions": ("regions",), "branches": ("branches",)}[role.scope]
        given = tuple(k for k, v in (("regions", regions), ("branches", branches)) if v)
        if given != needed:
            wants = f"names its {needed[0]}" if needed else "names no regions or branches (it sees all)"
            raise RolesError(f"{where}: a {role.label.lower()} grant {wants}.")
        grants.append(Grant(role.key, _text(email), _text(group), regions, branches))
    claim = raw.get("groups_claim", "groups")
    if not isinstance(claim, str) or not claim:
        raise RolesError("groups_claim must be the name of a claim, e.g. 'groups'.")
    return Roles(tuple(grants), claim)


def _text(value: Any) -> str | None:
    return None if value is None else str(value).strip()


def _names(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if isinstance(values, str) or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RolesError(f'{where}: {key} must be a list of names, e.g. {key} = ["..."].')
    return tuple(sorted({v.strip() for v in values if v.strip()}))


def access_for(grant: Grant, who: str, branch_regions: Mapping[str, str]) -> Access:
    """The session's access from its grant; `branch_regions` maps every branch id in the store to
    its region. A regional manager's branches are those of their regions today; a branch a grant
    names that the store does not hold is kept (it may be imported later) and matches nothing."""
    role = ROLES[grant.role]
    if role.scope == "all":
        branches = None
    elif role.scope == "regions":
        wanted = {r.casefold() for r in grant.regions}
        branches = tuple(sorted(b for b, r in branch_regions.items() if str(r).casefold() in wanted))
    else:
        branches = grant.branches
    return Access(grant.role, who, branches, role.rights, grant.regions)


def groups_of(claims: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    """The groups an ID token lists under `claim` (a list, or one string)."""
    value = claims.get(claim)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(str(v) for v in value)
    except TypeError:
        return ()
