from celery import Celery
from kombu import Queue
app = Celery("w", broker="redis://localhost")
app.conf.task_queues = [Queue("default")]
