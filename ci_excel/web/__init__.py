"""`ci-excel serve`: the intranet web app where departments submit and fix their workbook themselves
and the PMO sees the month fill in (Starlette, Jinja2 pages that work without JavaScript, uvicorn).

Modules, one concern each:
  app                settings (ServeSettings), the application (create_app) and what every page shares (Web)
  routes_department  a department's pages: its link, period page, uploads, findings, templates
  routes_admin       the PMO's pages: sign-in, status board, links, consolidation, outputs, dashboard
  auth               department links (tokens kept hashed), the PMO's scrypt password hash, the session key
  guard              security headers, the upload size limit, CSRF tokens, refused requests logged
  uploads            every upload kept, versioned (hash, time, findings); the latest one is the submission
  check              one upload checked: sniff, validate, the feedback copy, its department and period
  board              the status board: expected departments and where each submission stands
  jobs               the consolidation run in the background, with its progress and outputs
  dashboard          the portfolio dashboard's figures, from the store's digest
  text               the pages' words in zh and en
See docs/serve.md.
"""

from ci_excel.web.app import ServeSettings, create_app

__all__ = ["ServeSettings", "create_app"]
