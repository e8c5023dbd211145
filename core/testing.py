"""Helpers every app's tests share."""

from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """An API client signed in as `user` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def at_once(count: int, attempt) -> list[str]:
    """Runs attempt(n) for n in range(count) in threads released together, each on its own
    database connection (a test marked django_db(transaction=True)); returns what each
    said: "ok", or the refusal's message."""
    import threading

    from django.db import connection

    from core.exceptions import ApplicationError

    barrier = threading.Barrier(count)
    outcomes = []

    def run(n):
        try:
            barrier.wait()
            attempt(n)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.message)
        except Exception as error:  # pragma: no cover - shown by the assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
