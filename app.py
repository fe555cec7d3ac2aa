"""The frame: page config, the shared filter sidebar, navigation. Pages are layout only."""

import streamlit as st

from servicequality import ui
from servicequality.navigation import PAGES

st.set_page_config(page_title="Service quality", page_icon="📊", layout="wide")

navigation = st.navigation(
    [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=i == 0) for i, p in enumerate(PAGES)]
)
ui.require_store()
ui.sidebar_filters()
navigation.run()
