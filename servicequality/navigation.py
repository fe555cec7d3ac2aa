"""The page registry: app.py builds the navigation from it and the tests visit every entry."""

from typing import NamedTuple


class PageSpec(NamedTuple):
    path: str  # file under the project root
    title: str
    icon: str
    url_path: str  # the first page is the default and is served at "/"

    @property
    def url(self) -> str:
        return "" if self is PAGES[0] else self.url_path


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Executive overview", "📈", "overview"),
)
