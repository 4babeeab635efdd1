# liveblog: one image for every service (worker, sink, web, replay); the command picks the role.
#   docker build -t liveblog .
#   docker run --rm liveblog --help
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY schemas ./schemas
COPY streams ./streams
COPY connectors ./connectors
# wheels of the package and every pinned dependency, so the runtime stage needs no compiler
RUN pip wheel --no-cache-dir --constraint constraints.txt --wheel-dir /wheels .

FROM python:3.11-slim
# /data: where `sink --db /data/liveblog.db` and `serve` share a SQLite file (a volume)
RUN useradd --create-home --uid 10001 liveblog && mkdir /data && chown liveblog /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels liveblog && rm -rf /wheels
WORKDIR /home/liveblog
COPY seeds ./seeds
USER liveblog
ENV PYTHONUNBUFFERED=1 \
    LIVEBLOG_LOG_FORMAT=json \
    LIVEBLOG_WORKER_DIR=/tmp/liveblog-worker
ENTRYPOINT ["liveblog"]
CMD ["--help"]
