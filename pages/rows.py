"""Rows behind the numbers: the complaints, tickets or survey responses matching the sidebar
filters (and the cell a link came from), a page at a time, sortable, personal data masked.

Everything but "show personal data" lives in the URL, so a link reopens the same rows."""

import streamlit as st

from servicequality import store, ui
from servicequality.access.roles import DRILL, PERSONAL
from servicequality.metrics import drilldown, explore
from servicequality.metrics.formats import branch_labels, literal
from servicequality.ui import downloads, session

filters = ui.current_filters()
if not session.may(DRILL):  # not in this role's navigation; a typed URL ends here too
    st.info("Your role does not include the rows behind the numbers.")
    st.stop()

st.title("Rows behind the numbers")
st.caption(filters.describe())

# What the store holds: a survey-only store opens on its responses, not on an empty list of complaints.
contents = ui.query("store_contents")
opening_kind = drilldown.default_kind(contents)
# What no row of the period records (no export in the store, or none of the period's: the CFPB's
# escalation ends in 2017): its columns are left out, and named under the table.
in_store = {**contents.iloc[0].to_dict(), **ui.query("survey_questions").iloc[0].to_dict()}
if bounds := ui.data_bounds():
    in_store |= ui.query("recorded_fields", start=bounds[0], end=bounds[1]).iloc[0].to_dict()
probes = in_store | ui.query("recorded_fields", filters).iloc[0].to_dict()
# What the link asked for, before the widgets silently drop values they do not know.
request = drilldown.parse_request({key: st.query_params.get_all(key) for key in st.query_params}, opening_kind)
for problem in request.problems:
    st.warning(f"The link asked for something this page does not know. {problem}", icon=":material/link_off:")

kind = st.segmented_control(
    "Rows",
    drilldown.kinds_held(contents, request.kind),
    default=opening_kind,
    format_func=drilldown.KINDS.get,
    key="rows",
    bind="query-params",
    required=True,
    help="All tickets: complaints, requests and compliments. Visits: identified customers' visits or purchases.",
)
controls = st.columns([3, 2])
kind = kind if kind in drilldown.KINDS else opening_kind
leave_out = drilldown.unrecorded(kind, probes, ui.query("filter_branches"))
sorts = drilldown.sorts_for(kind, leave_out)
with controls[0]:
    sort = st.selectbox("Sort by", list(sorts), format_func=sorts.get, key="rows_sort", bind="query-params")
with controls[1]:
    descending = st.toggle("Largest or latest first", value=True, key="rows_desc", bind="query-params")
    reveal = st.toggle(
        "Show personal data",
        value=False,
        key="rows_reveal_personal",
        disabled=not session.may(PERSONAL),
        help="Names after titles, e-mail addresses, phone numbers and long numbers in comments, and e-mail "
        "addresses used as identifiers, are masked by default (a ticket's or response's own number is not). "
        "Revealing them is never kept in the link, and each reveal is written to the audit log."
        if session.may(PERSONAL)
        else "Your role does not include personal data: it stays masked.",
    )
    reveal = bool(reveal) and session.may(PERSONAL)

# The cell a link came from, on top of the sidebar filters.
cell = {dim: value for dim, value in request.cell if dim in drilldown.KIND_DIMENSIONS[kind]}
if cell:
    branches = ui.query("filter_branches")
    values = ui.query("filter_values")
    components = values[values["dimension"] == "component"]
    names = {
        "branch": dict(zip(branches["branch_id"], branch_labels(branches))),
        "component": dict(zip(components["value"], components["label"])),
    }
    words = " · ".join(
        f"{drilldown.CELL_DIMENSIONS[dim]}: {literal(explore.label_for(dim, value, names))}"
        for dim, value in cell.items()
    )
    st.markdown(f"Behind the number for {words}, within the sidebar filters.")
    drilldown.rows_link(kind, "Show every row in the sidebar filters instead")

ui.drop_unreadable_int("rows_page", 1)  # e.g. inf, which the widget cannot read; the request above names it
page_number = st.number_input("Page", min_value=1, value=1, step=1, key="rows_page", bind="query-params", width=160)
page = drilldown.fetch_page(ui.query, filters, kind, cell, sort, descending, int(page_number))
if page.asked_page > page.pages:
    st.info(
        f"There {'is' if page.pages == 1 else 'are'} only {page.pages:,} page{'s' if page.pages > 1 else ''}: "
        f"showing page {page.page:,}."
    )
if page.total == 0:
    st.info(drilldown.no_rows_words(kind, contents))
    st.stop()

st.caption(
    f"{drilldown.range_words(page.page, page.total)} · page {page.page:,} of {page.pages:,} · sorted by "
    f"{sorts[sort].lower()}, {'descending' if descending else 'ascending'}"
    + ("" if reveal else " · personal data masked")
)
if reveal:
    # Each view shown with personal data is in the audit log once: the kind, the filters, the
    # cell, the sort and the page (a new page or filter while revealed is a new line).
    view = (kind, filters.cache_key(), tuple(sorted(cell.items())), sort, bool(descending), page.page)
    if st.session_state.get("rows_reveal_logged") != view:
        where = "; ".join(f"{d} {v}" for d, v in cell.items())
        session.log(
            "reveal",
            f"personal data in {kind}, page {page.page:,} of {page.pages:,}" + (f" ({where})" if where else ""),
            filters.describe(),
        )
        st.session_state["rows_reveal_logged"] = view
ui.table(
    drilldown.for_display(page.rows, kind, reveal, leave_out),
    key="rows_table",
    placeholder=drilldown.MISSING[kind],
    download=False,  # the link below exports every row, not this page's 50
    height=min(36 * (len(page.rows) + 1) + 3, 36 * 21 + 3),  # up to 20 rows in view, then scroll
)
if unheld := drilldown.unrecorded_words(kind, leave_out, in_store, page.rows):
    st.caption(unheld)
if kind in drilldown.BLANK_NOTES:
    st.caption(drilldown.BLANK_NOTES[kind])
access = session.current_access()
whole = downloads.RowsExport(
    str(store.database_path()),
    filters,
    kind,
    tuple(sorted(cell.items())),
    sort,
    bool(descending),
    bool(reveal),
    who=access.who,
    role=access.role,
    session=(downloads.session_digest(st.context.cookies) or "none") if session.sign_in_configured() else None,
)
st.link_button(
    f"Download all {page.total:,} rows (CSV)",
    downloads.rows_link(whole),
    icon=":material/download:",
    help="Every row in these filters, in this order, with personal data "
    + ("shown, as on screen." if reveal else "masked, as on screen.")
    + " Streamed by the server; the link works for 30 minutes.",
)
