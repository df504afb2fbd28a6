#!/usr/bin/env bash
# Build time against input size: the same seeded corpus at several scales, one row each.
#
#   benches/scaling.sh [SCALES...]      (default: 0.5 1 2 4; scale 1 = about 220 MB)
#
# Each row: input MB, events, build wall time, MB/s, peak RSS, and `openssl dgst -sha256` over
# the same files (the hashing floor), so linearity and the distance to the floor are read
# from the same run. Corpora are kept in target/bench-corpus-SCALE; outputs are deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(0.5 1 2 4)
cargo build -q --release -p tplus -p tplus-corpusgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
echo '| scale | input | events | build | MB/s | peak RSS | sha256 floor | build / floor |'
echo '|---|---|---|---|---|---|---|---|'
for scale in "${scales[@]}"; do
  corpus=target/bench-corpus-$scale
  [ -d "$corpus" ] || target/release/tplus-corpusgen "$corpus" --scale "$scale" >/dev/null
  mapfile -t files < <(find "$corpus" -type f | sort)
  bytes=$(cat "${files[@]}" | wc -c)
  t_sha=$(secs openssl dgst -sha256 "${files[@]}")
  rm -rf "$out/build"
  /usr/bin/time -f '%e %M' -o "$out/time" target/release/tplus build "$corpus" -o "$out/build" --quiet
  read -r t_build rss_kb <"$out/time"
  events=$(wc -l <"$out/build/timeline.jsonl")
  mb=$(echo "$bytes / 1000000" | bc -l)
  printf '| %s | %.0f MB | %d | %.2f s | %.0f | %.0f MB | %.2f s | %.0f× |\n' "$scale" "$mb" "$events" \
    "$t_build" "$(echo "$mb / $t_build" | bc -l)" "$(echo "$rss_kb / 1024" | bc -l)" "$t_sha" \
    "$(echo "$t_build / $t_sha" | bc -l)"
done
