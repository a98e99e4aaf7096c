import os

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    app_name: str = "Todo API"
    database_url: str = "postgresql://todo:todo_pass_2024@db.internal.example.com:5432/todo"  # PLANTED: SEC-003
    secret_key: str = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"  # PLANTED: SEC-001
    access_token_expire_minutes: int = 30


settings = Settings()

STRIPE_API_KEY = os.getenv("STRIPE_API_KEY", "sk_live_change_me_in_production")  # PLANTED: SEC-004
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
