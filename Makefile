# GmsaOperator — see README.md. `make run` and `make test` are the two commands you need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIGURATION ?= Debug
OPERATOR := src/Operator/bin/$(CONFIGURATION)/net10.0/gmsa-operator
# The development host: the operator's commands plus the local control plane (never shipped).
DEV_HOST := src/Operator/DevCluster/bin/$(CONFIGURATION)/net10.0/gmsa-operator-dev
# ReadyToRun code starts with little JIT work (make publish); the image ships NativeAOT (make publish-aot).
PUBLISH_FLAGS := -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true
DOTNET := DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 dotnet

.PHONY: install-plugin uninstall-plugin help build test unit-test integration-test prometheus-test prometheus-prerequisites e2e e2e-prerequisites e2e-run run cluster-up cluster-down control-plane manifests publish publish-aot bench soak clean image image-push

help: ## Show targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

build: ## Restore and build everything
	$(DOTNET) build GmsaOperator.sln -c $(CONFIGURATION) -v quiet -nologo

control-plane: ## Install etcd and build kube-apiserver, kube-controller-manager, kubelet, kube-scheduler, kube-proxy (cached)
	@bash hack/control-plane-build.sh >/dev/null

test: build control-plane e2e-prerequisites prometheus-prerequisites ## Unit, promtool, integration (real local control plane) and end-to-end tests (a real node; root)
	@rm -rf TestResults
	@rc=0; \
	$(MAKE) --no-print-directory prometheus-test || rc=1; \
	$(DOTNET) test tests/GmsaOperator.Tests -c $(CONFIGURATION) --no-build --logger trx --logger "console;verbosity=minimal" --results-directory TestResults/unit || rc=1; \
	$(DOTNET) test tests/GmsaOperator.IntegrationTests -c $(CONFIGURATION) --no-build --filter "TestCategory!=Soak" --logger trx --logger "console;verbosity=normal" --results-directory TestResults/integration || rc=1; \
	$(MAKE) --no-print-directory e2e-run || rc=1; \
	bash hack/test-summary.sh TestResults || rc=1; \
	exit $$rc

unit-test: build ## Unit tests only
	$(DOTNET) test tests/GmsaOperator.Tests -c $(CONFIGURATION) --no-build

integration-test: build control-plane e2e-prerequisites prometheus-prerequisites ## Integration tests only
	$(DOTNET) test tests/GmsaOperator.IntegrationTests -c $(CONFIGURATION) --no-build --filter "TestCategory!=Soak" --logger "console;verbosity=normal"

prometheus-test: ## promtool: check config/prometheus's alert rules and run their unit tests (tests/prometheus); installs Debian's prometheus
	@bash hack/prometheus-test.sh

prometheus-prerequisites:
	@bash hack/prometheus-prerequisites.sh

e2e: build control-plane e2e-prerequisites ## End to end as users run it: image built here, a real node, kubectl apply -k, failover, rolling update (root)
	@rm -rf TestResults/e2e
	@$(MAKE) --no-print-directory e2e-run

e2e-prerequisites:
	@bash hack/e2e-prerequisites.sh

e2e-run:
	$(DOTNET) test tests/GmsaOperator.EndToEndTests -c $(CONFIGURATION) --no-build --logger trx --logger "console;verbosity=normal" --results-directory TestResults/e2e

soak: build control-plane ## Slow reliability tests (API outage, forced 410, injected 429/5xx, leader failover); see docs/benchmarks.md
	$(DOTNET) test tests/GmsaOperator.IntegrationTests -c $(CONFIGURATION) --no-build --filter "TestCategory=Soak" --logger "console;verbosity=normal"

run: build ## Run the operator (against $$KUBECONFIG, or a local control plane when unset)
	@exec $(DEV_HOST) run $(ARGS)

cluster-up: build ## Start a local control plane in the background and print its kubeconfig (NODE=1: with a real node, root)
	@$(DEV_HOST) local-cluster up $(if $(NODE),--node)

cluster-down: build ## Stop the control plane started by cluster-up
	@$(DEV_HOST) local-cluster down

manifests: build ## Regenerate config/ from the code
	$(OPERATOR) generate config --output config

publish: ## Framework-dependent ReadyToRun build (Release, linux-x64) into artifacts/publish
	$(DOTNET) publish src/Operator/GmsaOperator.Operator.csproj $(PUBLISH_FLAGS) -o artifacts/publish -v quiet -nologo

# kubectl finds plugins by file name on PATH; a symlink named kubectl-gmsa to gmsa-operator switches it to plugin mode
# (it reads the name it was started under). A symlink rather than a copy: the apphost of `make build` needs its dll next
# to it, which it finds through the link, and every later `make build` updates the plugin too.
PREFIX ?= /usr/local/bin
PLUGIN_TARGET ?= $(OPERATOR)
install-plugin: ## Put kubectl-gmsa on PATH: a symlink PREFIX/kubectl-gmsa (default /usr/local/bin) to gmsa-operator (PLUGIN_TARGET: default the `make build` output)
	@test -x $(PLUGIN_TARGET) || $(MAKE) --no-print-directory build
	@mkdir -p $(PREFIX)
	@ln -sfn $(abspath $(PLUGIN_TARGET)) $(PREFIX)/kubectl-gmsa
	@echo "$(PREFIX)/kubectl-gmsa -> $(abspath $(PLUGIN_TARGET)); try: kubectl gmsa --help"

uninstall-plugin: ## Remove PREFIX/kubectl-gmsa
	@rm -f $(PREFIX)/kubectl-gmsa

# The NativeAOT executable is what the image ships and what `make bench` measures; rebuilt only when sources change.
AOT_INPUTS := $(shell find src \( -name bin -o -name obj -o -path src/Operator/LocalControlPlane -o -path src/Operator/DevCluster \) -prune -o \( -name '*.cs' -o -name '*.csproj' -o -name '*.xml' \) -print) Directory.Build.props Directory.Packages.props
artifacts/aot/gmsa-operator: $(AOT_INPUTS)
	$(DOTNET) publish src/Operator/GmsaOperator.Operator.csproj -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot -v quiet -nologo
	@touch $@

bench: control-plane artifacts/aot/gmsa-operator ## Benchmarks against the targets (the NativeAOT operator; BENCH_ARGS=--large adds N=5,000); table + artifacts/bench.json
	$(DOTNET) build bench/GmsaOperator.Bench -c Release -v quiet -nologo
	BENCH_COMMAND="make bench $(if $(BENCH_ARGS),BENCH_ARGS='$(BENCH_ARGS)')" \
	  bench/GmsaOperator.Bench/bin/Release/net10.0/GmsaOperator.Bench --operator artifacts/aot/gmsa-operator $(BENCH_ARGS)

publish-aot: artifacts/aot/gmsa-operator ## NativeAOT gmsa-operator in artifacts/aot (3–4 min; about half the memory of the JIT build)

# The container image, built with buildah from the Dockerfile on local base images: no Docker daemon, no registry
# access (hack/image-build.sh; cached by inputs in ~/.cache/gmsa-operator/images). Needs root.
REGISTRY ?= localhost
TAG ?= dev
image: ## Build REGISTRY/gmsa-operator:TAG (default localhost/gmsa-operator:dev) with buildah, no Docker daemon (cached)
	@bash hack/image-build.sh $(REGISTRY)/gmsa-operator:$(TAG)

image-push: ## Build and push REGISTRY/gmsa-operator:TAG (plain HTTP allowed, e.g. REGISTRY=127.0.0.1:5000)
	@bash hack/image-build.sh $(REGISTRY)/gmsa-operator:$(TAG) --push

clean: ## Remove build output (the cached control-plane binaries stay in ~/.cache/gmsa-operator)
	$(DOTNET) clean GmsaOperator.sln -v quiet -nologo
	rm -rf TestResults src/*/bin src/*/obj tests/*/bin tests/*/obj
