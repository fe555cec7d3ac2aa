"""Sign-in and the session's access (issue 16).

With an `[auth]` section in `.streamlit/secrets.toml`, every visitor signs in through the
company's OpenID Connect provider (Streamlit's st.login, Authlib underneath) and the roles file
(servicequality.access.roles; $SQ_ROLES, default `roles.toml` in the working directory) says what
they see. A person no grant names gets a "no access" page and no data. Without `[auth]` the
dashboard is in local mode: one person on this computer (the server binds 127.0.0.1), with every
right, as `make run` has always been.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from servicequality import store
from servicequality.access import audit, peers, roles
from servicequality.access.roles import LOCAL, Access

ACCESS_KEY = "access"
ROLES_FILE = "roles.toml"


class SignInSettingsError(RuntimeError):
    """A secrets file exists but cannot be read: nobody is let in (never local mode's rights)."""


def sign_in_configured() -> bool:
    """True when a secrets file has an [auth] section (Streamlit's OpenID Connect settings);
    False only when there is no secrets file at all. A file that exists but cannot be read raises
    SignInSettingsError: failing open would give every visitor local mode's every right."""
    if not any(Path(p).exists() for p in st.get_option("secrets.files")):
        return False
    try:
        return "auth" in st.secrets
    except Exception as exc:  # Streamlit's StreamlitSecretNotFoundError: a parse error, a bad path
        raise SignInSettingsError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def roles_path() -> Path:
    return Path(os.environ.get("SQ_ROLES") or ROLES_FILE)


@st.cache_data(max_entries=4, show_spinner=False)
def _roles(path: str, mtime_ns: int) -> roles.Roles:
    return roles.load_roles(Path(path))


def _load_roles() -> roles.Roles:
    path = roles_path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise roles.RolesError(
            f"Sign-in is configured but there is no roles file ({path.name}): nobody has access yet. "
            "Copy roles.example.toml and name who may see what (see README)."
        ) from None
    return _roles(str(path), mtime)


def _branch_regions() -> dict[str, str]:
    from servicequality.ui.data import all_branches, store_problem

    if store_problem() is not None:
        return {}
    branches = all_branches()
    return dict(zip(branches["branch_id"], branches["region"]))


def require_access() -> Access:
    """The session's access; when the visitor has none, a sign-in or "no access" page and st.stop()."""
    try:
        configured = sign_in_configured()
    except SignInSettingsError:
        st.session_state.pop(ACCESS_KEY, None)
        st.title("Sign-in is not available")
        st.write(
            "The dashboard's sign-in settings (secrets.toml) cannot be read, so nobody is let in. "
            "Whoever runs the dashboard finds the reason in the server's log."
        )
        st.stop()
    if not configured:
        st.session_state[ACCESS_KEY] = LOCAL
        return LOCAL
    if not st.user.is_logged_in:
        st.title("Service quality")
        st.write("Sign in with your company account to see the dashboard.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    claims = st.user.to_dict()
    # An address the provider says it has not verified names nobody: only groups then count.
    email = "" if claims.get("email_verified") is False else str(claims.get("email") or "")
    try:
        known = _load_roles()
    except roles.RolesError as exc:
        _no_access(email, str(exc))
    grant = known.grant_for(email, roles.groups_of(claims, known.groups_claim))
    if grant is None:
        _no_access(
            email,
            "Your account is signed in but no role has been given to it. Ask whoever runs the dashboard "
            "to add your e-mail or group to the roles file.",
        )
    access = roles.access_for(grant, email or str(claims.get("sub", "")), _branch_regions())
    st.session_state[ACCESS_KEY] = access
    return access


def _no_access(email: str, why: str) -> None:
    from servicequality.metrics.formats import plain

    st.title("No access")
    # the reason in full (plain cuts at 120 characters by default)
    st.write(f"Signed in as {plain(email) or 'an account without an e-mail'}. {plain(why, limit=1_000)}")
    st.button("Sign out", on_click=st.logout, icon=":material/logout:")
    st.stop()


def current_access() -> Access:
    """What this session may see and do (LOCAL outside a Streamlit run, e.g. AppTest without sign-in)."""
    return st.session_state.get(ACCESS_KEY, LOCAL)


def may(right: str) -> bool:
    return current_access().may(right)


def signed_in_note(access: Access) -> None:
    """In the sidebar: who is signed in, their role and scope, and a way out."""
    from servicequality.metrics.formats import plain

    if access is LOCAL:
        return
    with st.sidebar:
        st.caption(f"Signed in as {plain(access.who)} · {plain(access.describe())}")
        st.button("Sign out", on_click=st.logout, key="sign_out", icon=":material/logout:")


def peer_key(access: Access) -> str:
    """The key of the peer letters' hash: the person's identity and a server secret (the sign-in
    cookie's), so nobody can work out which branch is "Peer A" from the published code."""
    try:
        secret = str(st.secrets["auth"]["cookie_secret"])
    except Exception:
        secret = ""
    return f"{secret}|{access.who}"


def anonymise(df, scope):
    """Per-branch rows with the branches outside `scope` as peers; the letters are worked out over
    every branch of the store, so a peer has the same letter on every chart of the session."""
    from servicequality.ui.data import all_branches

    every = all_branches()["branch_id"]
    return peers.anonymise(df, scope, peer_key(current_access()), universe=every)


def log(action: str, what: str, filters_words: str = "") -> None:
    """Write an event of this session to the audit log (servicequality.access.audit)."""
    access = current_access()
    audit.record(audit.audit_path(store.database_path()), access.who, access.role, action, what, filters_words)
