"""Celery: Redis or RabbitMQ in production; the embedded default is kombu's filesystem transport under var/."""

from .base import VAR_DIR
from .env import env_str

_broker = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
if _broker:
    CELERY_BROKER_URL = _broker
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    _queue_dir = VAR_DIR / "broker"
    for _folder in ("processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"  # the host is ignored; naming it silences kombu's warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE = {
    # Lead distribution: an offer a partner did not accept in time is recalled and offered to the next one.
    "recall-expired-lead-offers": {"task": "forgecrm.partners.tasks.recall_expired_offers_task", "schedule": 300.0},
    # Safety net for events whose after-commit dispatch did not reach a worker.
    "dispatch-pending-outbox": {"task": "forgecrm.platform.tasks.dispatch_pending_outbox_task", "schedule": 60.0},
    # PIPA retention: contacts without consent or activity for PERSONAL_DATA_RETENTION_YEARS are anonymised.
    "purge-expired-personal-data": {
        "task": "forgecrm.customers.tasks.purge_expired_personal_data_task",
        "schedule": 86400.0,
    },
    # Webhook deliveries whose send or retry message was lost (broker down, worker killed mid-send).
    "send-due-webhook-deliveries": {
        "task": "forgecrm.integrations.tasks.send_due_webhook_deliveries_task",
        "schedule": 60.0,
    },
    # Quotes out past their validity date become expired (sales).
    "expire-quotes": {"task": "forgecrm.sales.tasks.expire_quotes_task", "schedule": 86400.0},
    # The sales dashboard's rollups: the owners whose deals changed (every 5 minutes), and all of them nightly.
    "refresh-sales-rollups": {"task": "forgecrm.sales.tasks.refresh_sales_rollups_task", "schedule": 300.0},
    "rebuild-sales-rollups": {
        "task": "forgecrm.sales.tasks.refresh_sales_rollups_task",
        "schedule": 86400.0,
        "kwargs": {"full": True},
    },
    # API Idempotency-Key records past their lifetime.
    "purge-expired-idempotency-keys": {
        "task": "forgecrm.platform.tasks.purge_expired_idempotency_keys_task",
        "schedule": 3600.0,
    },
    # Deal registrations: remind registrants before exclusivity ends (once), expire those past it.
    "remind-expiring-deal-registrations": {
        "task": "forgecrm.partners.tasks.remind_expiring_deal_registrations_task",
        "schedule": 3600.0,
    },
    # Partners: this month's scorecards (feeding routing's performance score), certificates expiring in 30 days.
    "refresh-partner-scorecards": {"task": "forgecrm.partners.tasks.refresh_scorecards_task", "schedule": 3600.0},
    "remind-expiring-certifications": {
        "task": "forgecrm.partners.tasks.remind_expiring_certifications_task",
        "schedule": 86400.0,
    },
    "flag-partner-service-sla-breaches": {
        "task": "forgecrm.partners.tasks.flag_partner_service_sla_breaches_task",
        "schedule": 300.0,
    },
}
