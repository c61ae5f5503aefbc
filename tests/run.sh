#!/usr/bin/env bash
# Runs every test in the repository. Installs what the tests need when it is missing
# (Debian's etcd-server and etcd-client for the etcd adapter's real-server tests, chromium and
# chromium-driver for the dashboard's browser tests, wrk for .ci/run's gateway overhead smoke), builds the solution,
# runs every test project with TRX results in artifacts/test-results, and prints one
# line: "tests: N passed, N failed". Extra arguments go to each `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages ($2...) when the command $1 is missing; $reason says which tests need them.
apt_updated=""
install_when_missing() {
  local command=$1 reason=$2; shift 2
  command -v "$command" >/dev/null 2>&1 && return 0
  local as_root=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$as_root" ]; }; then
    echo "== installing $* (needed by $reason)"
    { { [ -n "$apt_updated" ] || { $as_root apt-get update -qq >/dev/null && apt_updated=1; }; } \
      && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; } \
      || echo "warning: installing $* failed; $reason will fail with a clear message" >&2
  else
    echo "warning: $command is not on PATH and cannot be installed here; $reason will fail with a clear message" >&2
  fi
}
install_when_missing etcd "the etcd adapter tests" etcd-server etcd-client
install_when_missing etcdctl "the etcd adapter tests" etcd-server etcd-client
install_when_missing chromedriver "the dashboard's browser tests" chromium chromium-driver
install_when_missing chromium "the dashboard's browser tests" chromium chromium-driver
install_when_missing wrk "the gateway overhead smoke in .ci/run" wrk

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet build ReloadHandle.sln -c Release || exit 1
# One run per test project, each with its own TRX file (a shared run names them by the second and can overwrite).
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" "$@" || status=$?
done

python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = 0
for path in sorted(glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)):
    root = ET.parse(path).getroot()
    # Name every test that did not pass (with its message's first line), so a CI log's tail says which one.
    for result in root.findall(".//{*}UnitTestResult"):
        if result.get("outcome") not in ("Passed", "NotExecuted"):
            message = result.find(".//{*}Message")
            first_line = (message.text or "").strip().splitlines()[0][:300] if message is not None and message.text else ""
            print(f"failed test: {result.get('testName')}: {first_line}")
    counters = root.find(".//{*}ResultSummary/{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0))
        failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
print(f"tests: {passed} passed, {failed} failed")
PY
exit $status
