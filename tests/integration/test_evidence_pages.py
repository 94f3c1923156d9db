"""The evidence pages as HTML: the indicator explorer (SVG chart, table, CSV link
with the same filters) and an entry's evidence page, showing exactly what the API
shows the same caller."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, curator_token, member_token, published_entry

RECIDIVISM = "recidivism_any_24m"
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    svg = html[start:end].replace("<svg", f'<svg xmlns="{SVG[1:-1]}"', 1)
    return ET.fromstring(svg)  # noqa: S314 - our own page, not untrusted input


class TestIndicatorExplorer:
    def test_chart_table_and_csv_link(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        for year, value in ((2019, 21.0), (2022, 12.5)):
            published_entry(client, owner, title=f"Cohort {year}", period_end=f"{year}-12-31",
                            indicators=[{"code": RECIDIVISM, "value": value}])  # fmt: skip
        published_entry(client, owner, title="Hidden cohort", visibility="private",
                        indicators=[{"code": RECIDIVISM, "value": 50.0}])  # fmt: skip
        page = client.get(f"/indicators/{RECIDIVISM}?program_type=&year_from=2010")
        assert page.status_code == 200
        assert "Hidden cohort" not in page.text
        dots = svg_of(page.text).findall(f".//{SVG}circle")
        assert len(dots) == 2
        assert {d.get("class") for d in dots} == {"dot level-moderate"}
        assert f'href="/v1/indicators/{RECIDIVISM}?year_from=2010&amp;format=csv"' in page.text
        mine = client.get(f"/indicators/{RECIDIVISM}", headers=bearer(owner))
        assert "Hidden cohort" in mine.text
        assert len(svg_of(mine.text).findall(f".//{SVG}circle")) == 3

    def test_unknown_indicator_and_bad_filter(self, client: TestClient) -> None:
        assert client.get("/indicators/happiness").status_code == 404
        assert client.get(f"/indicators/{RECIDIVISM}?region=XX9").status_code == 422
        assert client.get("/indicators").status_code == 200


class TestEntryEvidencePage:
    def test_labels_history_recommendations_and_profile(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = published_entry(
            client, owner,
            recommendations=[{"text": "Extend aftercare to 24 months"}],
            profile={"reporting_rule": "imminent_harm_only", "cohort_size": 4},
        )  # fmt: skip
        url = f"/v1/entries/{entry['id']}"
        client.put(f"{url}/recommendations/r1/follow-up",
                   json={"status": "in_progress", "responsible_unit": "Aftercare team"},
                   headers=bearer(owner))  # fmt: skip
        curator = curator_token(app)
        rating = {
            "outcome": RECIDIVISM,
            "effect": "improved",
            "evaluation_design": "pre_post",
            "evidence_level": "preliminary",
            "reasoning": "No comparison group",
        }
        client.post(f"{url}/ratings", json=rating, headers=bearer(curator))
        client.post(f"{url}/ratings", json={**rating, "effect": "mixed"}, headers=bearer(curator))
        page = client.get(f"/entries/{entry['id']}/evidence")
        assert page.status_code == 200
        assert "Aftercare team" in page.text
        assert "1 earlier rating" in page.text
        assert "reported only on a threat to life" in page.text
        assert "&lt; 10" in page.text  # the cohort of 4, to a reader
        french = client.get(f"/entries/{entry['id']}/evidence", cookies={"offramp_lang": "fr"})
        assert "Recommandations et suivi" in french.text
        assert "signalé uniquement en cas de menace pour la vie" in french.text

    def test_a_private_entry_is_the_404_page(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = published_entry(client, owner, visibility="private")
        assert client.get(f"/entries/{entry['id']}/evidence").status_code == 404
        mine = client.get(f"/entries/{entry['id']}/evidence", headers=bearer(owner))
        assert mine.status_code == 200
