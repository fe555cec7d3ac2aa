"""The frame: page config, navigation, the shared filter sidebar with the link to the view, and
the chips of the active filters above every page. Pages are layout only."""

import streamlit as st

from servicequality import ui
from servicequality.access import roles
from servicequality.metrics import drilldown
from servicequality.ui import downloads, session
from servicequality.ui.navigation import DATA_PAGE, PAGES, ROWS_PAGE

# A file served by this server: a :material/...: page icon makes every browser fetch the favicon
# from fonts.gstatic.com, a request to another host on every page.
st.set_page_config(page_title="Service quality", page_icon=ui.FAVICON, layout="wide")
st.html(ui.WIDE_CHART_CSS)  # style only: no space taken

# With sign-in configured: the sign-in page, or "no access", until the visitor has a role.
access = session.require_access()
problem = ui.store_problem()
# Pages by right: the rows behind the numbers with drill-down, the Data page with imports.
hidden = {ROWS_PAGE: roles.DRILL, DATA_PAGE: roles.IMPORT}
allowed = tuple(p for p in PAGES if p not in hidden or access.may(hidden[p]))
# Without a usable store only the Data page is offered, so a first import can be made from it.
available = allowed if problem is None else tuple(p for p in allowed if p is DATA_PAGE)
if not available:
    st.info("There is no data to show yet. A data steward imports it on the Data page.")
    session.signed_in_note(access)
    st.stop()
navigation = st.navigation(
    [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=i == 0) for i, p in enumerate(available)]
)
if navigation.url_path != "rows":
    # The browser's Back from "Rows behind the numbers" can leave that page's parameters in the
    # URL of the page it returns to; they mean nothing there, so they leave the link.
    drilldown.drop_rows_parameters()
session.signed_in_note(access)
on_data_page = navigation.url_path == DATA_PAGE.url_path
if problem is None:
    # The Data page ignores the filters (it shows no chips) and runs on a store with nothing dated yet.
    ui.sidebar_filters(required=not on_data_page)
    ui.engine_note()
    if not on_data_page:
        ui.filter_chips()
else:
    st.error(problem, icon=":material/database:")
try:
    navigation.run()
finally:
    # After the page, so the link also carries the parameters the page binds (e.g. Explore's).
    if problem is None:
        ui.share_link()
        if not on_data_page:
            downloads.page_pdf_button(navigation.url_path, navigation.title, ui.current_filters())
