"""`dashboard report --page story`: a North manager's story as JSON, CSV zip and PDF names no
other region, state or city; every scene's title and narrative is there; the analyst's names
the other regions (so the check can fail)."""

from __future__ import annotations

import json

from dashboard.story.scenes import default_story
from tests.unit import test_report_exports as exports
from tests.unit.test_report_exports import leaks, needs_pdf_tools, pdf_text, read_zip, report
from tests.unit.test_story import without_north_places

places = exports.places  # the export tests' fixtures: other regions' places, by name
others = exports.not_north


def test_north_story_json_and_csv_hold_north_only(warehouse_dir, accounts, tmp_path, others,
                                                  sample_dir):
    north = accounts["manager"].username
    out = tmp_path / "story.json"
    assert report(warehouse_dir, "--as", north, "--page", "story", "--format", "json",
                  "--out", str(out)) == 0
    text = out.read_text()
    assert leaks(without_north_places(text, sample_dir), others) == []
    data = json.loads(text)
    titles = [(s.one_region or s).title for s in default_story().scenes]  # North's version
    assert [s["title"] for s in data["scenes"]] == titles
    assert all(s["narrative"] for s in data["scenes"])
    assert "states of North" in json.dumps(data["scenes"][2]["narrative"])
    zipped = tmp_path / "story.zip"
    assert report(warehouse_dir, "--as", north, "--page", "story", "--format", "csv",
                  "--out", str(zipped)) == 0
    files = read_zip(zipped)
    assert [n for n in sorted(files) if n.endswith("scene-1.csv")]
    assert len([n for n in files if "scene-" in n]) == len(titles)
    assert leaks(without_north_places(json.dumps(files), sample_dir), others) == []
    everyone = tmp_path / "analyst.json"
    assert report(warehouse_dir, "--as", accounts["analyst"].username, "--page", "story",
                  "--format", "json", "--out", str(everyone)) == 0
    assert {"South", "West", "Central"} <= set(leaks(everyone.read_text(), others))


@needs_pdf_tools
def test_north_story_pdf_holds_north_only(warehouse_dir, accounts, tmp_path, others,
                                          sample_dir):
    out = tmp_path / "story.pdf"
    assert report(warehouse_dir, "--as", accounts["manager"].username, "--page", "story",
                  "--format", "pdf", "--out", str(out)) == 0
    text = pdf_text(out)
    assert leaks(without_north_places(text, sample_dir), others) == []
    flat = " ".join(text.split())
    for number, scene in enumerate(default_story().scenes, 1):
        shown = scene.one_region or scene  # North's own version of the scene
        assert f"Scene {number}: {shown.title}" in flat, shown.title


def test_story_by_name(warehouse_dir, accounts, tmp_path, capsys):
    north = accounts["manager"].username
    by_page, by_name = tmp_path / "page.json", tmp_path / "name.json"
    assert report(warehouse_dir, "--as", north, "--page", "story", "--view", "scene=2",
                  "--format", "json", "--out", str(by_page)) == 0
    assert report(warehouse_dir, "--as", north, "--story", "default", "--view", "scene=2",
                  "--format", "json", "--out", str(by_name)) == 0
    assert json.loads(by_name.read_text())["scenes"] == json.loads(by_page.read_text())["scenes"]
    assert report(warehouse_dir, "--as", north, "--story", "q3-review", "--format", "json",
                  "--out", str(tmp_path / "x.json")) == 2
    assert "no story 'q3-review' that t-north may see" in capsys.readouterr().err


def test_printed_story_puts_each_scenes_words_under_its_own_chart(warehouse):
    """The print page (and so the PDF) reads scene by scene: a scene's title, its sentences,
    its chart; not every scene's sentences before every chart."""
    import re

    from dashboard.pages.story_report import page_report
    from dashboard.queries.filters import Scope
    from dashboard.report.printable import escape, report_section

    data = page_report(warehouse, Scope(("North",)), "")
    html = report_section(data, 0)
    titles = [m.start() for m in re.finditer(r'<section class="chart', html)]
    assert len(titles) == len(data["scenes"]) > 1
    for i, scene in enumerate(data["scenes"]):
        end = titles[i + 1] if i + 1 < len(titles) else len(html)
        section = html[titles[i]:end]
        assert all(f"<p>{escape(s)}</p>" in section for s in scene["narrative"]), i
    first = f"<p>{escape(data['scenes'][0]['narrative'][0])}</p>"
    assert html.index('<section class="chart') < html.index(first)  # nothing before scene 1
