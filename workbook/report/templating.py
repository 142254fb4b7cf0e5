"""The one Jinja2 environment for the HTML the package writes (report, prep sheet).

Autoescape is always on: every value a template shows is escaped unless the
template says otherwise, so user text never reaches the page as markup.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .. import formatting

if TYPE_CHECKING:
    import jinja2


@functools.cache
def environment() -> jinja2.Environment:
    """Templates shipped in ``workbook/report/templates``, autoescaped, failing loudly on a missing value.

    Jinja2 is imported here, when the first page is rendered: the report command renders while its
    second process is still drawing charts (see :mod:`workbook.report.build`), so the import costs no time.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("workbook.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = formatting.percent
    env.filters["num"] = formatting.count
    env.filters["signed"] = formatting.signed
    return env


def render(template: str, **context: object) -> str:
    """Render one of the package's templates."""
    return environment().get_template(template).render(**context)


def prepare(template: str) -> None:
    """Compile ``template`` and the partials it may include (``_*.html``), so that rendering it only fills them in."""
    env = environment()
    for name in [template, *(n for n in env.list_templates() if n.startswith("_"))]:
        env.get_template(name)
