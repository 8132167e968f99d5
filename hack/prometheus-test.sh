#!/usr/bin/env bash
# promtool on the shipped alert rules: `promtool check rules`, then the unit tests in tests/prometheus/*.test.yaml.
# The rules are the spec of config/prometheus/prometheus_rule.yaml (generated from src/Operator/Monitoring/AlertRules.cs),
# extracted here into a plain rules file, so there is one copy of the rule text. The generator writes block-style YAML
# with `spec` as the last top-level key and no line wrapping, so the spec is every line after `spec:`, de-indented.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/prometheus-prerequisites.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^[^ #]/ { inside = 0 } inside { print substr($0, 3) } /^spec:$/ { inside = 1 }' config/prometheus/prometheus_rule.yaml >"$work/rules.yaml"
grep -q '^groups:$' "$work/rules.yaml" || { echo "ERROR: no rule groups found in config/prometheus/prometheus_rule.yaml" >&2; exit 1; }
cp tests/prometheus/*.test.yaml "$work/"
promtool check rules "$work/rules.yaml"
cd "$work" && promtool test rules ./*.test.yaml
