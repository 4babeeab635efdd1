# liveblog: one image for every service (worker, sink, web, replay); the command picks the role.
#   docker build -t liveblog .
#   docker run --rm liveblog --help
FROM python:3.11-slim AS build
# a C compiler for the stages mypyc compiles (streams/core/native.py)
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py constraints.txt README.md ./
COPY schemas ./schemas
COPY streams ./streams
COPY connectors ./connectors
# mypyc type-checks the stages against the installed dependencies, so they and mypy are installed
# here; then wheels of the package (its stages compiled) and every pinned dependency, so the
# runtime stage needs no compiler
RUN pip install --no-cache-dir --constraint constraints.txt . mypy types-PyYAML wheel \
    && pip wheel --no-cache-dir --no-build-isolation --constraint constraints.txt \
       --wheel-dir /wheels .

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
