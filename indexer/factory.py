"""Choosing the search backend from settings."""

from __future__ import annotations

from api.config import Settings
from indexer.backends.base import SearchBackend


def make_backend(settings: Settings) -> SearchBackend:
    if settings.search_backend == "meilisearch":
        from indexer.backends.meilisearch import MeilisearchBackend

        if not settings.meili_url:
            raise ValueError("OFFRAMP_MEILI_URL is required with the meilisearch backend")
        return MeilisearchBackend(
            settings.meili_url, api_key=settings.meili_master_key, index_uid=settings.meili_index
        )
    from indexer.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.data_dir / "search")
