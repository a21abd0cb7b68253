"""Retrieval core: normalisation, tokenising, chunking, BM25, embeddings, FAISS, fusion, snapshots.

Pure library: it never imports kb_service, FastAPI or SQLModel and reads no environment variables.
"""
