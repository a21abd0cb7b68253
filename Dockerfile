FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    KB_DATA_DIR=/var/lib/kbsearch

RUN useradd --create-home --uid 1000 kb && mkdir -p /var/lib/kbsearch && chown kb:kb /var/lib/kbsearch
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kb_service ./kb_service
COPY indexer ./indexer
COPY data ./data
RUN pip install --no-cache-dir -e .

USER kb
EXPOSE 8000
VOLUME ["/var/lib/kbsearch"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["kb", "serve", "--host", "0.0.0.0", "--port", "8000"]
