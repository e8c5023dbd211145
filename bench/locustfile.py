"""Load for the check-in and feedback benchmarks (run by bench/checkins.py and
bench/feedback.py, as their own processes).

Each simulated user is a worker whose phone is logged in (a session made beforehand: the
SMS login is not what is measured) and who checks in at random stations of the bench city
with a fresh idempotency key, through the same JSON endpoint the phone's page uses
(`POST /m/check-ins/`), CSRF and all. BENCH_TARGET=bare posts to the baseline view instead.
BENCH_RATE (per user, per second) paces the users; 0 means as fast as they can.
BENCH_TARGET=report posts hazard reports at random points of the feedback bench city
through the phone's report form (`POST /m/report/`, as its script sends it: the answer is
201, or 409 when a similar open case is near and the page would ask first);
BENCH_TARGET=bare-case posts to the feedback baseline (one INSERT of a case).
"""

import json
import os
import random
import uuid

from locust import FastHttpUser, constant, constant_throughput, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())
TARGET = os.environ.get("BENCH_TARGET", "checkin")
RATE = float(os.environ.get("BENCH_RATE", "0"))
CSRF = PLAN["csrf"]


class Worker(FastHttpUser):
    wait_time = constant_throughput(RATE) if RATE > 0 else constant(0)

    def on_start(self):
        self.session, self.worker = random.choice(PLAN["sessions"])
        self.headers = {
            "Cookie": f"sessionid={self.session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
        }

    @task
    def check_in(self):
        if TARGET in ("report", "bare-case"):
            return self.report()
        station = random.choice(PLAN["stations"])
        if TARGET == "bare":
            self.client.post(
                f"/bench/bare-insert/?ids={station},{self.worker}", name="bare INSERT view"
            )
            return
        body = {"station": station, "client_key": str(uuid.uuid4()), "services": ["water"]}
        with self.client.post(
            "/m/check-ins/",
            data=json.dumps(body),
            headers=self.headers,
            name="check-in",
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {response.text[:200]}")

    def report(self):
        if TARGET == "bare-case":
            self.client.post(f"/bench/bare-case/?area={PLAN['community']}", name="bare INSERT view")
            return
        west, south, east, north = PLAN["bounds"]
        body = {
            "kind": "hazard",
            "category": PLAN["category"],
            "text": "楼道里有人拉线给电动车充电",
            "where": "here",
            "lng": f"{random.uniform(west, east):.6f}",
            "lat": f"{random.uniform(south, north):.6f}",
            "system": "wgs84",
            "client_key": str(uuid.uuid4()),
        }
        headers = {**self.headers, "Accept": "application/json"}
        headers.pop("Content-Type")
        with self.client.post(
            "/m/report/", data=body, headers=headers, name="report", catch_response=True
        ) as response:
            if response.status_code in (201, 409):
                response.success()  # 409: a similar case is near and the page asks first
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
