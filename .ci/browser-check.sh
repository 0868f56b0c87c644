#!/usr/bin/env bash
# Opens report.html pages in headless Chromium and fails if one shows an error or a broken chart.
#
#   bash .ci/browser-check.sh [RESULTS_DIR...]
#
# Without arguments it makes fresh reports of the quickstart run and the compare study (a sweep)
# with the release binary.
# For each page: a copy with a small checking script appended is opened from disk; the script
# writes CHECK-OK or CHECK-FAIL into the DOM, which Chromium dumps. A screenshot of the page is
# left in $SCREENSHOT_DIR (default: target/browser-check) for a person to look at.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "browser-check: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

shots="${SCREENSHOT_DIR:-target/browser-check}"
mkdir -p "$shots"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  bin=target/release/clustersim
  cargo build --release --quiet  # a no-op when the binary is up to date
  "$bin" run -q scenarios/quickstart.toml --out "$work/quickstart"
  "$bin" run -q scenarios/compare.toml --out "$work/compare"
  dirs=("$work/quickstart" "$work/compare")
fi

chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$(mktemp -d -p "$work")" --virtual-time-budget=10000 "$@" 2>/dev/null
}

# Appended to a copy of the page: every figure holds a drawn SVG, every <img> decoded, no error text.
read -r -d '' CHECK <<'EOF' || true
<script>
window.addEventListener('load', function () {
  var bad = [];
  var figs = document.querySelectorAll('figure');
  if (figs.length === 0) bad.push('no charts');
  figs.forEach(function (f) {
    var svg = f.querySelector('svg');
    if (!svg) { bad.push(f.id + ': no svg'); return; }
    var r = svg.getBoundingClientRect();
    if (r.width < 100 || r.height < 50) bad.push(f.id + ': svg drawn at ' + r.width + 'x' + r.height);
    if (svg.querySelectorAll('text').length < 3) bad.push(f.id + ': svg without text');
    if (svg.querySelectorAll('path, polyline, rect').length < 3) bad.push(f.id + ': svg without marks');
  });
  document.querySelectorAll('img').forEach(function (img) {
    if (!img.complete || img.naturalWidth === 0) bad.push('broken image ' + img.getAttribute('src'));
  });
  if (!document.querySelector('h1') || !document.title) bad.push('no title');
  var out = document.createElement('pre');
  out.id = 'browser-check';
  out.textContent = bad.length ? 'CHECK-FAIL ' + bad.join('; ') : 'CHECK-OK ' + figs.length + ' charts';
  document.body.appendChild(out);
});
</script>
EOF

status=0
i=0
for dir in "${dirs[@]}"; do
  page="$dir/report.html"
  if [ ! -s "$page" ]; then
    echo "browser-check: FAIL $page is missing or empty"
    status=1
    continue
  fi
  probe="$dir/.browser-check.html"
  { cat "$page"; printf '%s\n' "$CHECK"; } >"$probe"
  dom="$(chrome --dump-dom "file://$(realpath "$probe")" || true)"
  rm -f "$probe"
  verdict="$(printf '%s' "$dom" | grep -o '<pre id="browser-check">[^<]*' | sed 's/.*>//' | head -1 || true)"
  if printf '%s' "$dom" | grep -q 'ERR_[A-Z_]*'; then
    verdict="CHECK-FAIL the browser reports $(printf '%s' "$dom" | grep -o 'ERR_[A-Z_]*' | head -1)"
  fi
  i=$((i + 1))
  shot="$shots/report-$i.png"
  chrome --screenshot="$shot" --window-size=1280,4000 "file://$(realpath "$page")" >/dev/null || true
  case "$verdict" in
    CHECK-OK*) echo "browser-check: ok   $page (${verdict#CHECK-OK }; screenshot $shot)" ;;
    *)
      echo "browser-check: FAIL $page: ${verdict:-the page did not load}"
      status=1
      ;;
  esac
done
exit $status
