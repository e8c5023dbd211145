"""Load for the check-in benchmark (run by bench/checkins.py, as its own process).

Each simulated user is a worker whose phone is logged in (a session made beforehand: the
SMS login is not what is measured) and who checks in at random stations of the bench city
with a fresh idempotency key, through the same JSON endpoint the phone's page uses
(`POST /m/check-ins/`), CSRF and all. BENCH_TARGET=bare posts to the baseline view instead.
BENCH_RATE (per user, per second) paces the users; 0 means as fast as they can.
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
