"""Who may see what (issue 16): pure, no Streamlit.

- `roles`: the roles file (an e-mail or a group -> a role and a scope), the rights of each role,
  and the branches a signed-in person may see.
- `peers`: branches outside a person's scope shown as "Peer A", "Peer B" in network figures.
- `audit`: the audit log of reveals, exports and imports (who, when, what, filters).

The Streamlit side (sign-in, the "no access" page, the sidebar's note) is `servicequality.ui.session`.
"""
