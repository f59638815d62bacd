"""The app's export routes: chart CSV and print page, signed-in only, within the account's scope."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from tests import auth_helpers
from tests import reference as ref

YEAR = "start=2025-01-01&end=2025-12-31"


@pytest.fixture
def north(app, accounts):
    return auth_helpers.client_for(app, accounts["manager"])


@pytest.fixture
def analyst(app, accounts):
    return auth_helpers.client_for(app, accounts["analyst"])


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("path", ["/export/overview/contrib.csv", "/print/overview",
                                  "/print/static/print.js"])
def test_signed_out_is_sent_to_sign_in(app, path):
    response = app.server.test_client().get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_chart_csv_matches_pandas(analyst, raw):
    response = analyst.get(f"/export/overview/contrib.csv?{YEAR}")
    assert "attachment" in response.headers["Content-Disposition"]
    table = rows_of(response)
    assert table[0] == ["Series", "Region", "Share"]
    rows = ref.select(raw, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    revenue = rows.groupby("region")["revenue"].sum()
    expected = (revenue / revenue.sum()).sort_values(ascending=False)
    shares = [(r[1], float(r[2])) for r in table[1:] if r[0] == "Share of revenue"]
    assert [name for name, _ in shares] == list(expected.index)
    assert [v for _, v in shares] == pytest.approx(expected.tolist())


def test_manager_csv_is_scoped_and_forgery_narrows_only(north, raw, sample_dir):
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    north_states = set(stores.loc[stores["region"] == "North", "state"])
    table = rows_of(north.get(f"/export/overview/heatmap.csv?{YEAR}"))
    assert {r[0] for r in table[1:]} == north_states
    for forged in ("region=South", "geo=South", "hl=region:South"):
        text = north.get(f"/export/overview/heatmap.csv?{YEAR}&{forged}").get_data(as_text=True)
        assert "South" not in text
    assert rows_of(north.get(f"/export/overview/category.csv?{YEAR}&region=South"))[1:] == []
    category = rows_of(north.get(f"/export/overview/category.csv?{YEAR}"))
    total = ref.select(raw, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"),
                       scope=("North",))["revenue"].sum()
    assert sum(float(r[2]) for r in category[1:]) == pytest.approx(total)


def test_unknown_chart_or_page_is_404(analyst):
    assert analyst.get("/export/overview/nope.csv").status_code == 404
    assert analyst.get("/export/secret/contrib.csv").status_code == 404
    assert analyst.get("/print/secret").status_code == 404
    assert analyst.get("/print/static/../../app.py").status_code == 404
    assert analyst.get("/print/static/evil.js").status_code == 404


def test_manager_without_region_gets_no_data(app, accounts):
    client = auth_helpers.client_for(app, accounts["manager_none"])
    assert client.get("/export/overview/contrib.csv").status_code == 403
    assert client.get("/print/overview").status_code == 403


def test_print_page_has_every_title_and_no_inline_script(north):
    response = north.get(f"/print/overview?{YEAR}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for title in ("Overview", "North (your regions), 2025", "Data version",
                  "Monthly sales trend", "Top toys by age group",
                  "Contribution % by state in North", "Demand by month, by state in North",
                  "Revenue by category", "Revenue by toy type", "Share by age group",
                  "Share by gender"):
        assert title in page, title
    assert '<script src="/print/static/plotly.min.js"></script>' in page
    scripts = page.split("<script")[1:]
    assert all(s.startswith((' src="', ' type="application/json"')) for s in scripts)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "cdn" not in page.lower()
    assert north.get("/print/static/plotly.min.js").status_code == 200


def test_print_page_escapes_what_the_link_carries(north):
    page = north.get("/print/overview?start=%3Cimg%20src=x%20onerror=alert(1)%3E"
                     "&region=%3Cb%3ESouth").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "South" not in page
