# liveblog: two commands matter. `make run` replays the bundled seed; `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED := seeds/focus-guterres-lavrov.txt
STAMP := $(VENV)/.installed
# the stages compiled by mypyc in place (streams/core/native.py): rebuilt when a source changes
NATIVE := streams/core/native.json
NATIVE_SOURCES := setup.py $(wildcard streams/core/*.py streams/attribution/*.py streams/pipeline/*.py streams/alerts/*.py streams/alerts/filters/*.py)

.PHONY: run test compile faults check lint typecheck unit services kafka kafka-stop postgres postgres-stop bench bench-kafka eval clean train

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	LIVEBLOG_NATIVE=0 $(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## compile: the stages' hot modules compiled to C by mypyc, in place (about a minute); the code
## runs from its Python source until then, and again as soon as one of those sources changes
compile: $(NATIVE)
$(NATIVE): $(STAMP) $(NATIVE_SOURCES)
	@mkdir -p .cache
	@# no extension of a module no longer listed is left to shadow its source
	rm -f $(NATIVE) && find streams -name '*.so' -delete
	env -u LIVEBLOG_NATIVE $(BIN)/python setup.py -q build_ext --inplace >.cache/compile.log 2>&1 || { tail -n 20 .cache/compile.log; exit 1; }
	@# a build that fell back to pure Python writes no manifest: say why and fail
	@test -f $(NATIVE) || { grep -h "liveblog:" .cache/compile.log; exit 1; }

## run: replay the seed live blog through the embedded pipeline and show the result
run: $(STAMP)
	$(BIN)/liveblog replay $(SEED) --db liveblog.db

## test: lint, type-check, start Kafka and PostgreSQL, run every test (the fault cases too), then
## stop the services it started (KEEP_SERVICES=1 keeps them; `make kafka-stop postgres-stop` later)
test: $(STAMP) lint typecheck $(NATIVE)
	@kafka_was=$$(scripts/kafka status >/dev/null 2>&1 && echo 1 || true); \
	pg_was=$$(scripts/postgres status >/dev/null 2>&1 && echo 1 || true); \
	$(MAKE) --no-print-directory services || exit 1; \
	set -a; source .cache/test-services.env; set +a; \
	$(BIN)/python -m pytest -q; rc=$$?; \
	if [ -z "$$KEEP_SERVICES" ]; then \
	  if [ -z "$$kafka_was" ]; then scripts/kafka stop; fi; \
	  if [ -z "$$pg_was" ]; then scripts/postgres stop; fi; \
	fi; \
	exit $$rc

## faults: only the fault-injection cases (broker and PostgreSQL restarts, a worker SIGKILLed during
## alert retries, a refused batch), with their figures printed
faults: $(STAMP) $(NATIVE) services
	set -a; source .cache/test-services.env; set +a; \
	$(BIN)/python -m pytest -q -s -m faults

lint: $(STAMP)
	$(BIN)/ruff check schemas streams connectors tests bench training setup.py
	$(BIN)/ruff format --check schemas streams connectors tests bench training setup.py

typecheck: $(STAMP)
	$(BIN)/mypy

## unit: the tests that need no broker, database or browser
unit: $(STAMP) $(NATIVE)
	$(BIN)/python -m pytest -q -m "not integration and not browser"

## services: the local Kafka broker, PostgreSQL and tools the integration tests use
services:
	@mkdir -p .cache
	@bs=$$(scripts/kafka start | tail -n 1); dsn=$$(scripts/postgres start | tail -n 1); \
	scripts/ensure-tools kcat >/dev/null; \
	scripts/ensure-browser >/dev/null; \
	printf 'LIVEBLOG_TEST_BOOTSTRAP=%s\nLIVEBLOG_TEST_POSTGRES=%s\n' "$$bs" "$$dsn" > .cache/test-services.env; \
	echo "kafka $$bs, postgres $$dsn"

kafka:
	scripts/kafka start
kafka-stop:
	scripts/kafka stop
postgres:
	scripts/postgres start
postgres-stop:
	scripts/postgres stop

check: test

## bench: stage throughput against a JSON decode/encode baseline; `liveblog --help` start-up time;
## the attribute stage against the rule reader alone
bench: $(STAMP) $(NATIVE)
	$(BIN)/python -m bench pipeline
	$(BIN)/python -m bench cli
	$(BIN)/python -m bench attribute

## bench-kafka: worker vs a passthrough Faust agent through the local broker (throughput, p50/p99)
bench-kafka: $(STAMP) $(NATIVE)
	$(BIN)/python -m bench kafka --broker "$$(scripts/kafka start | tail -n 1)"

## eval: score the seed against its gold labels, then the shared development set when it is there
eval: $(STAMP)
	@mkdir -p .cache
	$(BIN)/liveblog replay $(SEED) --output .cache/seed.jsonl --no-db
	$(BIN)/liveblog eval seeds/gold/focus-guterres-lavrov.json .cache/seed.jsonl
	if test -d ../shared/eval/dev; then \
	  $(BIN)/liveblog eval-set ../shared/eval/dev/articles && \
	  $(BIN)/liveblog eval-set ../shared/eval/dev/liveblogs; \
	fi

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache build liveblog.db* $(NATIVE)
	find streams -name '*.so' -delete

## train: fit the speaker ranker on every gold-labelled blog (and ../shared/eval/dev when present);
## writes streams/attribution/model.json and the leave-one-publisher-out report
train: $(STAMP)
	$(BIN)/python -m training --report docs/attribution-cv.json
