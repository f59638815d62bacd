"""Run axe-core (installed by npm from package.json) inside the page under test.

The script is injected with execute_script, so nothing test-only is ever served by the app.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def violations(driver) -> list[dict]:
    """Every axe violation on the current page (id, impact, help, up to 5 offending nodes)."""
    assert AXE.exists(), f"{AXE} is missing: `python3 tasks.py test` runs npm ci to install it"
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(RUN_JS)


def blocking(driver) -> list[dict]:
    """The serious and critical violations: the ones a page must not have."""
    return [v for v in violations(driver) if v["impact"] in BLOCKING]


def describe(found: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
                     for v in found)
