#!/usr/bin/env bash
# make bench-record: the election record at scale (docs/record.md §6). For each size in
# BENCH_VOTERS (default "10000 100000"): simulate, tally and verify with the release build,
# each tool's wall time and peak resident memory (/usr/bin/time -v), V5 batched against one
# by one side by side (authority/examples/verify_speed.rs), and the board's bytes per ballot,
# raw and with zstd. Records go to BENCH_DIR (default target/bench-record).
set -euo pipefail
voters=${BENCH_VOTERS:-"10000 100000"}
dir=${BENCH_DIR:-target/bench-record}
bin=target/release/amanat
cargo build --release -p amanat-authority --bin amanat --example verify_speed
speed=target/release/examples/verify_speed
mkdir -p "$dir"

# run NAME CMD...: runs CMD under /usr/bin/time -v, prints its wall time and peak memory.
run() {
  local name=$1; shift
  local log="$dir/$name.time"
  /usr/bin/time -v "$@" > "$dir/$name.out" 2> "$log" || { cat "$dir/$name.out" "$log"; exit 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  printf '%-28s %10s wall  %8.1f MB peak resident\n' "$name" "$wall" "$(echo "$rss / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $voters; do
  out="$dir/$n"
  rm -rf "$out"
  run "simulate $n" "$bin" simulate --voters "$n" --seed 7 --out "$out"
  record="$out/record"
  run "tally $n" "$bin" tally --election "$record" --board "$record/board.jsonl" --out "$out/tally.json"
  cmp -s "$out/tally.json" "$record/tally.json" || { echo "tally differs from the record's"; exit 1; }
  run "verify $n" "$bin" verify "$record"
  grep -E '^V5|^all|verified in' "$dir/verify $n.out"
  entries=$(head -1 "$record/board.jsonl" | sed -E 's/.*"entries":([0-9]+).*/\1/')
  bytes=$(stat -c %s "$record/board.jsonl")
  zbytes=$(zstd -q -T0 -9 -c "$record/board.jsonl" | wc -c)
  all=$(du -sb "$record" | cut -f1)
  echo "board: $entries entries, $bytes bytes, $((bytes / entries)) bytes per ballot; zstd -9: $zbytes bytes, $((zbytes / entries)) bytes per ballot; whole record $all bytes"
  "$speed" "$record" 2048 2 | tail -1
done
