"""The presslens workbench: server-rendered pages and a JSON API over a corpus store.

``create_app(db)`` opens the store read-only once (several processes may read it at once)
and gives every request its own DuckDB cursor. Pages live in ``pages.py``, the API under
``/api`` in ``api.py`` (OpenAPI at ``/openapi.json``). All article text is untrusted: Jinja2
autoescapes everything, the highlighted body is built by escaping each slice
(``highlight.py``) and the Content-Security-Policy forbids inline scripts.
"""

from presslens.web.app import create_app

__all__ = ["create_app"]
