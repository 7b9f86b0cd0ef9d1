"""`settings show` / `settings set` and the published table of `report --years`, through the real command."""
from __future__ import annotations

import json

from tests.cli.cli_helpers import PUBLIC, by_source, run


def test_settings_show_lists_every_key_with_its_value_default_and_limits(tmp_path):
    db = tmp_path / "s.db"
    result = run(db, "settings", "show", "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = {s["key"]: s for s in json.loads(result.stdout)["settings"]}
    assert shown["threshold.incidents"] == {"key": "threshold.incidents", "value": "3", "default": "3",
                                            "limits": "1 to 3",
                                            "description": "Qualifying incidents needed for the threshold"}
    assert shown["council.address"]["value"] == "Town Hall|Civic Way|Royal Tunbridge Wells"
    table = run(db, "settings", "show")
    assert "threshold.hate_route" in table.stdout and "from the start: 3 qualifying incidents" in table.stdout


def test_a_stricter_threshold_is_refused_with_exit_2_and_nothing_changes(tmp_path):
    db = tmp_path / "s.db"
    result = run(db, "settings", "set", "threshold.incidents=4", "council.name=Elsewhere Council")
    assert result.returncode == 2
    assert "threshold.incidents: 4 is refused" in result.stderr and "no more than 3" in result.stderr
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    shown = {s["key"]: s["value"] for s in json.loads(run(db, "settings", "show", "--format", "json").stdout)["settings"]}
    assert shown["council.name"] == "Tunbridge Wells Borough Council"
    for bad in (["threshold.period_months=5"], ["threshold.report_within_months=0"], ["nonsense"],
                ["threshold.incidents=2", "--effective-from", "31/02/2026"], ["clock.panel=0"]):
        refused = run(db, "settings", "set", *bad)
        assert refused.returncode == 2 and refused.stderr.strip() and "Traceback" not in refused.stderr, bad


def test_rules_from_a_date_change_the_indicator_of_cases_received_since(tmp_path):
    db = tmp_path / "s.db"
    assert run(db, "import", str(PUBLIC)).returncode == 0
    assert by_source(db)["EXAMPLE-2"]["threshold"] == {"qualifying_incidents": 1, "met": False}
    done = run(db, "settings", "set", "threshold.incidents=1", "--effective-from", "01/04/2026")
    assert done.returncode == 0, done.stderr
    assert "threshold.incidents: 3 -> 1" in done.stdout and "in force from 01/04/2026" in done.stdout
    cases = by_source(db)
    assert cases["EXAMPLE-2"]["threshold"]["met"] is True  # received 07/04/2026
    assert cases["EXAMPLE-3"]["threshold"]["qualifying_incidents"] == 3  # received 28/03/2026: the old rules
    assert set(cases["EXAMPLE-2"]["due"]) <= {"acknowledgement", "threshold_decision"}  # domain.md's clocks only


def test_clock_units_and_anchors_are_set_by_name(tmp_path):
    db = tmp_path / "s.db"
    done = run(db, "settings", "set", "clock.threshold_decision.unit=calendar", "clock.threshold_decision=28")
    assert done.returncode == 0, done.stderr
    assert run(db, "import", str(PUBLIC)).returncode == 0
    assert by_source(db)["EXAMPLE-1"]["due"]["threshold_decision"] == "2026-06-29"  # 1 June + 28 days


def test_the_published_table_by_year(tmp_path):
    db = tmp_path / "s.db"
    assert run(db, "import", str(PUBLIC)).returncode == 0
    html = run(db, "report", "--year-type", "calendar", "--years", "2", "--format", "html")
    assert html.returncode == 0, html.stderr
    assert html.stdout.startswith("<table>") and "Number of times the threshold was not met" in html.stdout
    csv = run(db, "report", "--year-type", "financial", "--years", "3", "--format", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0].split(",")[:4] == ["Year", "From", "To", "Applications received"] and len(lines) == 4
    bad = run(db, "report", "--years", "0")
    assert bad.returncode == 2 and "--years" in bad.stderr
