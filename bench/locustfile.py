"""Scenario 8's users: sales reps, sales managers and partner users, each logged in through the login page,
working through the pages and the API with a few seconds between clicks. The plan (logins and the ids each may
open) comes from the scenario in the file named by BENCH_LOCUST_PLAN. A redirect (to the login page) or any
status outside 2xx is a failure."""

import itertools
import json
import os
import random
from urllib.parse import urlencode

from locust import HttpUser, between, task

with open(os.environ["BENCH_LOCUST_PLAN"]) as handle:
    PLAN = json.load(handle)
PASSWORD = PLAN["password"]
_logins = {kind: itertools.cycle(people) for kind, people in PLAN["users"].items()}


class _Worker(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    kind = ""

    def on_start(self) -> None:
        self.me = next(_logins[self.kind])
        self.rng = random.Random(self.me["email"])
        self.client.get("/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/login/",
            data={"username": self.me["email"], "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/login/" in response.headers.get("Location", "/login/"):
                response.failure(f"login of {self.me['email']} failed: {response.status_code}")

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

    def pick(self, key: str):
        return self.rng.choice(self.me[key])

    @task(3)
    def dashboard(self) -> None:
        self.page("/", "dashboard")

    @task(4)
    def contact_list(self) -> None:
        self.page("/contacts/", "contacts list")

    @task(2)
    def contact_list_filtered(self) -> None:
        query = urlencode({"key_person_role": "decision_maker", "sort": "-updated"})
        self.page(f"/contacts/?{query}", "contacts list, filtered and sorted")

    @task(3)
    def account_list(self) -> None:
        self.page("/accounts/", "accounts list")

    @task(4)
    def account_360(self) -> None:
        self.page(f"/accounts/{self.pick('accounts')}/", "account 360°")

    @task(3)
    def contact_detail(self) -> None:
        self.page(f"/contacts/{self.pick('contacts')}/", "contact 360°")

    @task(5)
    def typeahead(self) -> None:
        self.page("/search/typeahead/?" + urlencode({"q": self.pick("terms")}), "search type-ahead")

    @task(2)
    def activities(self) -> None:
        self.page("/activities/", "activities list")

    @task(2)
    def api_contacts(self) -> None:
        self.page("/api/v1/contacts/?page_size=50", "API contacts list")

    @task(1)
    def api_contact(self) -> None:
        self.page(f"/api/v1/contacts/{self.pick('contacts')}/", "API contact detail")


class SalesRep(_Worker):
    weight = 30
    kind = "rep"


class SalesManager(_Worker):
    weight = 8
    kind = "manager"


class PartnerUser(_Worker):
    weight = 12
    kind = "partner"
