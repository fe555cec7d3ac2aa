"""The page registry: app.py builds the navigation from it and the tests visit every entry."""

from typing import NamedTuple


class PageSpec(NamedTuple):
    path: str  # file under the project root
    title: str
    icon: str  # Material icon: the headless test browser has no emoji font
    url_path: str  # the first page is the default and is served at "/"

    @property
    def url(self) -> str:
        return "" if self is PAGES[0] else self.url_path


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Executive overview", ":material/insights:", "overview"),
    PageSpec("pages/components.py", "Ten components", ":material/extension:", "components"),
    PageSpec("pages/gaps.py", "SERVQUAL gaps", ":material/straighten:", "gaps"),
    PageSpec("pages/complaints.py", "Complaints", ":material/campaign:", "complaints"),
    PageSpec("pages/customers.py", "Customers", ":material/group:", "customers"),
    PageSpec("pages/consistency.py", "Branch consistency", ":material/store:", "consistency"),
    PageSpec("pages/explore.py", "Explore", ":material/explore:", "explore"),
    PageSpec("pages/rows.py", "Rows behind the numbers", ":material/table_rows:", "rows"),
    PageSpec("pages/data.py", "Data", ":material/upload_file:", "data"),
)

DATA_PAGE = next(p for p in PAGES if p.url_path == "data")
ROWS_PAGE = next(p for p in PAGES if p.url_path == "rows")
