from config.celery import app


def test_beat_schedule_tasks_are_registered():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"{name} points at an unknown task"
