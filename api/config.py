"""The one settings class, read by the API, the indexer and the CLI alike.

Every setting comes from an `OFFRAMP_`-prefixed environment variable (or `.env`).
Defaults give the embedded mode: SQLite and the embedded search index under one
data directory. Outside development, placeholder secrets are refused at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFFRAMP_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/offramp.db",
    )
    database_pool_size: int = 10

    # The node's identity as a token issuer and resource server.
    public_url: str = "http://127.0.0.1:8000"
    node_name: str = "Offramp Exchange (development node)"
    operator_organization: str = Field(
        default="operators",
        description="slug of the organization whose admins administer this node",
    )
    token_audience: str | None = Field(default=None, description="default: <public_url>/v1")
    access_token_ttl_seconds: int = 3600
    token_leeway_seconds: int = 30
    jwks_refresh_cooldown_seconds: float = 30.0

    # Uploads.
    max_upload_bytes: int = 25 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    extraction_timeout_seconds: float = 5.0
    extraction_memory_limit_bytes: int = 768 * 1024 * 1024
    extracted_text_max_chars: int = 2_000_000
    docx_max_uncompressed_bytes: int = 100 * 1024 * 1024

    # Safety: indicators computed on fewer people than this are shown as "< k".
    small_cell_k: int = Field(default=10, ge=1)

    # Search.
    search_backend: Literal["embedded", "meilisearch"] = "embedded"
    meili_url: str | None = None
    meili_master_key: str | None = None
    meili_index: str = "entries"
    indexer_in_process: bool = True
    indexer_poll_interval_seconds: float = 0.5
    indexer_batch_size: int = 500
    indexer_max_backoff_seconds: float = 60.0
    index_wait_seconds: float = 2.0
    # Entries per search export file (`/v1/search/export`; `page=N` for the next ones).
    export_max_rows: int = Field(default=1_000, ge=1, le=10_000)
    # /readyz answers 503 ("degraded") once the oldest unindexed change is older than
    # this: a load balancer then prefers replicas whose search is fresh.
    readyz_max_outbox_lag_seconds: float = Field(default=60.0, gt=0)

    # Outbox rows that failed this many times on their own are parked (dead letter).
    indexer_max_attempts: int = Field(default=5, ge=1)

    # Many processes: how often each checks for configuration changes made by another
    # (vocabularies, identity providers), and sweeps ended sessions and old counters.
    config_poll_interval_seconds: float = Field(default=2.0, gt=0)
    sweep_interval_seconds: float = Field(default=300.0, gt=0)

    # Federation (api.federation). Bump the epoch after restoring a backup: every
    # peer's cursor then answers 410 and the peer reconciles against the inventory.
    federation_epoch: int = Field(default=1, ge=1)
    federation_retention_days: int = Field(default=30, ge=1)
    federation_page_size: int = Field(default=500, ge=1, le=5000)
    federation_poll_interval_seconds: float = 1.0
    # How often `offramp worker` runs every saved search for new alerts.
    alerts_check_interval_seconds: float = Field(default=300.0, gt=0)
    federation_http_timeout_seconds: float = 10.0
    federation_max_backoff_seconds: float = 600.0
    oai_admin_email: str = "admin@localhost"  # OAI-PMH Identify names a contact
    oai_batch_size: int = Field(default=100, ge=1, le=1000)

    log_level: str = "INFO"
    log_json: bool = False
    # Move what start-up built out of the cyclic collector's sight (`api.heap`);
    # default: on, except in the test environment (see `freezes_heap`).
    gc_freeze: bool | None = None

    @model_validator(mode="after")
    def _production_needs_real_settings(self) -> Settings:
        if self.environment == "production":
            if self.database_url is None or self.database_url.startswith("sqlite"):
                raise ValueError("OFFRAMP_DATABASE_URL must name a server database in production")
            if self.search_backend == "meilisearch" and not self.meili_master_key:
                raise ValueError("OFFRAMP_MEILI_MASTER_KEY is required with Meilisearch")
            if self.meili_master_key in {"changeme", "change-me", "masterKey"}:
                raise ValueError("OFFRAMP_MEILI_MASTER_KEY is a placeholder; set a real secret")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'offramp.db').resolve()}"

    @property
    def resolved_token_audience(self) -> str:
        return self.token_audience or self.public_url.rstrip("/") + "/v1"

    @property
    def issuer(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def freezes_heap(self) -> bool:
        """Tests build an app per test: freezing each would keep every earlier app's
        reference cycles alive for the rest of the run."""
        return self.gc_freeze if self.gc_freeze is not None else self.environment != "test"

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}


@lru_cache
def get_settings() -> Settings:
    return Settings()
