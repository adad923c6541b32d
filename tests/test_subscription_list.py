"""The subscription list: search, filters and order in the URL; inactive ones apart."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.test_subscriptions_page import subscription_values

NEW = "/subscriptions/new"


def rows(page: str, section: str = "table-caption") -> list[str]:
    """The names in one table of the page, in order."""
    table = page.split(f'aria-labelledby="{section}"')[1].split("</table>")[0]
    logo = r'(?:<span class="logo[^>]*>[^<]*</span>|<img class="logo"[^>]*>)?'
    return re.findall(rf'<th scope="row">{logo}([^<]+?)(?: <span|</th>)', table)


def test_search_filter_and_sort_are_kept_in_the_url(app: Flask, logged_in: FlaskClient) -> None:
    logged_in.post("/lists/categories", data={"categories-name": "Video"})
    logged_in.post("/lists/household", data={"household-name": "Bob"})
    for name, price, category, payer, active in [
        ("Netflix", "15.99", "1", "", "y"),
        ("Disney+", "8.99", "1", "1", "y"),
        ("Cloud", "2.99", "", "1", "y"),
        ("Old gym", "30", "", "", None),
    ]:
        values = subscription_values(
            name=name, price=price, category_id=category, payer_id=payer, active=active
        )
        assert logged_in.post(NEW, data=values).status_code == 302
    page = logged_in.get("/subscriptions").get_data(as_text=True)
    assert rows(page) == ["Cloud", "Disney+", "Netflix"]
    assert rows(page, "inactive-heading") == ["Old gym"]
    by_price = logged_in.get("/subscriptions?sort=price").get_data(as_text=True)
    assert rows(by_price) == ["Netflix", "Disney+", "Cloud"]
    video = logged_in.get("/subscriptions?category=1&sort=name").get_data(as_text=True)
    assert rows(video) == ["Disney+", "Netflix"]
    assert '<option value="1" selected>Video</option>' in video
    bobs = logged_in.get("/subscriptions?payer=1&q=clo").get_data(as_text=True)
    assert rows(bobs) == ["Cloud"] and 'value="clo"' in bobs
    only_inactive = logged_in.get("/subscriptions?status=inactive").get_data(as_text=True)
    assert 'aria-labelledby="table-caption"' not in only_inactive
    assert rows(only_inactive, "inactive-heading") == ["Old gym"]
    only_active = logged_in.get("/subscriptions?status=active").get_data(as_text=True)
    assert "inactive-heading" not in only_active and len(rows(only_active)) == 3
    odd = logged_in.get("/subscriptions?sort=%00&category=%C2%B2&payer=99999999999&status=x")
    assert odd.status_code == 200


def test_a_cancelled_subscription_shows_what_replaced_it(logged_in: FlaskClient) -> None:
    logged_in.post(NEW, data=subscription_values(name="Disney+"))
    logged_in.post(NEW, data=subscription_values(name="Netflix", active=None, replaced_by_id="1"))
    page = logged_in.get("/subscriptions").get_data(as_text=True)
    assert '<span class="tag">replaced by Disney+</span>' in page
