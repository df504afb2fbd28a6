#!/usr/bin/env bash
# End-to-end build on the generated corpus beside the floors measured in the same run.
#
#   benches/e2e.sh [SCALE] [THREADS]      (SCALE 1 = about 220 MB; THREADS 0 = all cores)
#
# Prints wall time, events/s, MB/s and peak RSS of `tplus build` (all default outputs and
# custody hashing included), and the time `openssl dgst -sha256` and `wc -l` take over the
# same files: every byte must be hashed anyway, so the hash time is the floor. A second floor
# is the outputs': writing the same bytes the build wrote into the same folder, fsynced and
# hashed for custody (as every build must), with `cat | tee | openssl`.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
threads=${2:-0}
cargo build -q --release -p tplus -p tplus-corpusgen
corpus=target/bench-corpus-$scale
if [ ! -d "$corpus" ]; then
  target/release/tplus-corpusgen "$corpus" --scale "$scale" >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mapfile -t files < <(find "$corpus" -type f | sort)
bytes=$(cat "${files[@]}" | wc -c)
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
cat "${files[@]}" >/dev/null # warm the page cache, as for the floors
t_sha=$(secs openssl dgst -sha256 "${files[@]}")
t_wc=$(secs wc -l "${files[@]}")
/usr/bin/time -f '%e %M' -o "$out/time" target/release/tplus build "$corpus" -o "$out/build" --quiet -j "$threads"
read -r t_build rss_kb <"$out/time"
events=$(wc -l <"$out/build/timeline.jsonl")
mapfile -t outs < <(find "$out/build" -type f | sort)
out_bytes=$(cat "${outs[@]}" | wc -c)
sync
write_floor() { cat "$@" | tee "$out/copy" | openssl dgst -sha256 && sync "$out/copy"; }
t_out=$(secs write_floor "${outs[@]}")
mb=$(echo "$bytes / 1000000" | bc -l)
printf '| corpus | %.0f MB in %d files (scale %s) |\n' "$mb" "${#files[@]}" "$scale"
printf '| threads | %s |\n' "$( [ "$threads" = 0 ] && nproc || echo "$threads")"
printf '| tplus build | %.2f s, %d events, %.0f events/s, %.0f MB/s, peak RSS %.0f MB |\n' \
  "$t_build" "$events" "$(echo "$events / $t_build" | bc -l)" "$(echo "$mb / $t_build" | bc -l)" "$(echo "$rss_kb / 1024" | bc -l)"
printf '| openssl dgst -sha256 | %.2f s (%.1f x floor) |\n' "$t_sha" "$(echo "$t_build / $t_sha" | bc -l)"
printf '| wc -l | %.2f s |\n' "$t_wc"
printf '| outputs written, fsynced and hashed (%.0f MB) | %.2f s (%.1f x this floor) |\n' \
  "$(echo "$out_bytes / 1000000" | bc -l)" "$t_out" "$(echo "$t_build / $t_out" | bc -l)"
