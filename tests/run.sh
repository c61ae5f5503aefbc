#!/usr/bin/env bash
# Runs every test in the repository. Installs what the tests need when it is missing
# (Debian's etcd-server and etcd-client for the etcd adapter's real-server tests), builds the solution,
# runs every test project with TRX results in artifacts/test-results, and prints one
# line: "tests: N passed, N failed". Extra arguments go to each `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  as_root=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$as_root" ]; }; then
    echo "== installing etcd-server and etcd-client (needed by the etcd adapter tests)"
    { $as_root apt-get update -qq >/dev/null && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null; } \
      || echo "warning: installing etcd-server/etcd-client failed; the etcd tests will fail with a clear message" >&2
  else
    echo "warning: etcd or etcdctl is not on PATH and cannot be installed here; the etcd tests will fail with a clear message" >&2
  fi
fi

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
