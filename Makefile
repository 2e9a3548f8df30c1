# AgentMesh: one entry point for set-up, build, code generation, tests and the demo.
# `make help` lists the targets.

SWIFT        ?= swift
APT_PACKAGES := librdkafka-dev libprotobuf-c-dev protobuf-c-compiler libssl-dev libsqlite3-dev libpq-dev postgresql pkg-config kcat python3 python3-venv
# Only the test suite needs a browser (the console's end-to-end tests drive headless Chromium).
TEST_APT_PACKAGES := chromium chromium-driver
# The Python reference client (examples/python) and the console's browser tests (Tests/Browser,
# selenium driving chromium), with their packages from PyPI; the integration tests use this interpreter.
PYTHON_ENV   := .build/python-env

.PHONY: help deps test-deps apt-install python-deps build proto proto-python proto-check test fault-test kafka-test demo bench validate-deploy clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps: ## install missing Debian packages (needs root or sudo)
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"
	@$(MAKE) --no-print-directory python-deps

test-deps: deps ## also the browser the console's end-to-end tests drive (chromium, chromium-driver)
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

apt-install:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "system packages present"; fi

python-deps: ## the Python packages of the reference client and the browser tests in .build/python-env
	@[ -x $(PYTHON_ENV)/bin/python ] || python3 -m venv $(PYTHON_ENV)
	@$(PYTHON_ENV)/bin/python -m pip install --quiet --disable-pip-version-check -r examples/python/requirements.txt \
	  -r Tests/Browser/requirements.txt

build: deps ## build every library and executable (debug)
	$(SWIFT) build

proto: ## regenerate protobuf-c code from Proto/
	./scripts/gen-proto.sh

proto-python: python-deps ## regenerate examples/python/agentmesh_pb2.py from Proto/ (grpcio-tools)
	cd examples/python && ../../$(PYTHON_ENV)/bin/python -m grpc_tools.protoc -I ../../Proto --python_out=. ../../Proto/agentmesh.proto

proto-check: ## fail if the committed protobuf-c code does not match Proto/
	./scripts/gen-proto.sh --check

test: test-deps proto-check ## run the test suite except the fault runs (starts a private PostgreSQL for the audit store tests)
	$(SWIFT) build --build-tests
	./scripts/postgres-test-server.sh start
	export $$(./scripts/postgres-test-server.sh url) && $(SWIFT) test --skip '^FaultTests\.'

fault-test: deps ## fault runs: 1,000 objectives per delivery mode under faults, the crash-window tests, the chaos run (5,000 objectives at 100/s, two of each role); ~15 min
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter '^FaultTests\.'

kafka-test: deps ## transactions and exactly-once on a private real Kafka (needs java 17+, mvn with a reachable Maven repository, ~1 GB RAM)
	$(SWIFT) build --build-tests
	broker=$$(./scripts/kafka-test-broker.sh start) || exit 1; export $$broker; status=0; \
	AGENTMESH_SKIP_POSTGRES=1 $(SWIFT) test --skip-build \
	  --filter 'MeshKafkaTests\.TransactionTests/' --filter 'IntegrationTests\.ExactlyOnceTests/testOnRealKafka' || status=$$?; \
	./scripts/kafka-test-broker.sh stop; exit $$status

demo: build ## run the mesh end to end on the embedded broker
	.build/debug/meshctl demo

bench: deps ## benchmarks on the embedded broker (release build)
	$(SWIFT) build -c release
	.build/release/meshctl bench transport

validate-deploy: ## offline checks of Compose/ and Compose/k8s (no container engine needed)
	@command -v docker-compose >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends docker-compose; }
	@command -v kubectl >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends kubernetes-client; }
	@command -v kubernetes-validate >/dev/null 2>&1 || pip install --quiet kubernetes-validate
	./scripts/validate-deploy.sh

clean:
	rm -rf .build .agentmesh
