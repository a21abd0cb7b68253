"""The bridge from the database to the retrieval core: builds, live updates and searches per KB."""

from kb_service.indexing.manager import IndexManager

__all__ = ["IndexManager"]
