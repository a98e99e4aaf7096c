from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    PROJECT_NAME: str = "demo"
    JWT_SECRET: str = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
    ALGORITHM: str = "HS256"


settings = Settings()
