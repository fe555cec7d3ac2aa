"""The dashboard as one ASGI app: Streamlit's pages (app.py) plus the routes that stream whole
exports (servicequality/ui/downloads.py). `make run` serves it through
`python -m servicequality.ui.serve`; behind a process manager, `uvicorn asgi:app` does too: then
give Streamlit the same port (STREAMLIT_SERVER_PORT, and STREAMLIT_SERVER_ADDRESS if not
127.0.0.1), which "Download this page as PDF" uses to reach the server.
"""

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.starlette import App

from servicequality.ui.downloads import ROUTES

# pages/ holds st.navigation pages, not Streamlit's older directory-based multipage scheme: every
# URL, a deep link's first load included, goes through app.py (see servicequality/ui/serve.py).
PagesManager.uses_pages_directory = False

app = App(Path(__file__).resolve().parent / "app.py", routes=ROUTES)
