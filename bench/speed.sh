# Speed, round two (issue 17): sourced by bench/run, which defines the
# helpers used here (start_*, wrk_run, tcp_pair, median, ratio, wait_line,
# free_port, peak_rss_kib...). `ONLY=speed bash bench/run` runs this block
# alone; the full run includes it. Its rows go to their own part of
# bench/RESULTS.md (between the "measured: speed" markers), and every
# sample also goes to $SAMPLES, from which bench/chart.py draws one SVG per
# scenario into bench/charts/.
#
#  S1  http-serve, 1 KiB file, wrk -t1 at c64, c512, c2000, against lighttpd
#      (one process) and nginx (one worker); 0 errors. Peak RSS with 2,000
#      open idle connections against lighttpd's.
#  S2  listing of 10,000 files (wrk -c1) against nginx autoindex and
#      lighttpd's dir-listing; of 100,000 files against nginx, and the RSS
#      it takes against the 10,000-file one.
#  S3  tcp-echo, 1 GiB tmpfs → loopback → /dev/null, both ends tcp-echo,
#      against iperf3's rate for 1 GiB on the same loopback, nc and socat.
#  S4  http-get, 1 GiB from nginx with -o to tmpfs and into a pipe, against
#      curl; peak RSS.
#  S5  udp-echo: the highest rate of 64- and 1,400-byte datagrams it
#      delivers to stdout without losing one, against socat UDP-RECV and
#      nc -u -l.
#  S6  req/s and p99 at c1, c64, c512, c2000, c8000 and RSS per idle
#      connection, beside nginx and lighttpd; c8000 ≥ 0.8 of c64.

SAMPLES="$WORK/samples.tsv"
: > "$SAMPLES"
ROWS17=()
row17() { ROWS17+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 | $8 |"); log "$2 / $5: ours $4, peer $6, ratio $7"; }
# sample CHART TITLE UNIT GROUP WHO VALUE...: samples for bench/chart.py.
sample() {
    local chart="$1" title="$2" unit="$3" group="$4" who="$5"
    shift 5
    local v
    for v in "$@"; do printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$chart" "$title" "$unit" "$group" "$who" "$v"; done >> "$SAMPLES"
}
med() { printf '%s\n' "$@" | median; }
# chart_pair CHART TITLE UNIT OURS_NAME PEER_NAME "OURS..." "PEER...": the
# two sides of one of bench/run's earlier scenarios, for its chart.
chart_pair() {
    # shellcheck disable=SC2086
    sample "$1" "$2" "$3" "" "$4" $6
    # shellcheck disable=SC2086
    sample "$1" "$2" "$3" "" "$5" $7
}
maxof() { printf '%s\n' "$@" | sort -g | tail -1; }

# wrk for 3 s with --latency: prints req/s, errors and p99 in ms.
wrk_latency() {
    local out; out="$(wrk -t1 -c"$1" -d3s --timeout 5s --latency "$2" 2>&1)"
    local rps non2xx sock p99
    rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
    non2xx="$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
    sock="$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {s=0; for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) s+=$i; print s}')"
    p99="$(echo "$out" | awk '$1 == "99%" {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000; print v}')"
    echo "${rps:-0} $(( ${non2xx:-0} + ${sock:-0} )) ${p99:-nan}"
}

# The RSS (KiB) of the process that serves: nginx's worker, or the server.
serving_pid() {
    if [ "$1" = nginx ]; then pgrep -P "$SPID" | head -1; else echo "$SPID"; fi
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# idle_rss WHO: on a fresh server, RSS before and with 2,000 idle
# kept-alive connections, and the peak; prints "before with peak".
idle_rss() {
    "start_$1" || return 1
    local pid; pid="$(serving_pid "$1")"
    local hostport="${URL#http://}"; hostport="${hostport%/}"
    local before; before="$(rss_kib "$pid")"
    python3 "$ROOT/bench/idle.py" "${hostport%:*}" "${hostport##*:}" 2000 /1k.bin > "$WORK/idle.out" 2>&1 &
    local ipid=$!
    local ready=0
    for _ in $(seq 600); do
        grep -q '^ready' "$WORK/idle.out" && { ready=1; break; }
        kill -0 "$ipid" 2>/dev/null || break
        sleep 0.05
    done
    local with peak
    with="$(rss_kib "$pid")"; peak="$(peak_rss_kib "$pid")"
    kill "$ipid" 2>/dev/null || true; wait "$ipid" 2>/dev/null || true
    stop_server
    [ "$ready" = 1 ] || { log "$1: 2,000 idle connections were not all answered ($(tail -1 "$WORK/idle.out"))"; echo "nan nan nan"; return 0; }
    echo "$before $with $peak"
}

LEVELS=(1 64 512 2000 8000)
S1_TITLE="http-serve, 1 KiB file, wrk -t1"
s1_s6_scenarios() {
    have lighttpd || log "lighttpd not installed: its rows skipped (apt-get install lighttpd)"
    have nginx || log "nginx not installed: its rows skipped"
    local servers=(ours) who
    have lighttpd && servers+=(lighttpd)
    have nginx && servers+=(nginx)
    declare -A rps err p99 before with peak
    for _ in $(seq "$ROUNDS"); do
        for who in "${servers[@]}"; do
            local c r
            "start_$who"
            for c in "${LEVELS[@]}"; do
                r="$(wrk_latency "$c" "${URL}1k.bin")"
                read -r a e p <<<"$r"
                rps[$who,$c]+=" $a"; err[$who,$c]+=" $e"; p99[$who,$c]+=" $p"
            done
            stop_server
            read -r a e p <<<"$(idle_rss "$who")"
            before[$who]+=" $a"; with[$who]+=" $e"; peak[$who]+=" $p"
        done
    done
    local name
    for who in "${servers[@]}"; do
        name="$who"; [ "$who" = ours ] && name=http-serve
        [ "$who" = nginx ] && name="nginx, 1 worker"
        for c in "${LEVELS[@]}"; do
            # shellcheck disable=SC2086
            sample s1-small-files "$S1_TITLE: requests per second" "req/s, higher is better" "c$c" "$name" ${rps[$who,$c]}
            # shellcheck disable=SC2086
            sample s6-p99 "$S1_TITLE: 99th percentile latency" "ms, lower is better" "c$c" "$name" ${p99[$who,$c]}
        done
        # shellcheck disable=SC2086
        sample s1-idle-rss "Peak RSS with 2,000 idle kept-alive connections" "KiB, lower is better" "" "$name" ${peak[$who]}
    done
    local peer a b
    for peer in "${servers[@]:1}"; do
        for c in 64 512 2000; do
            # shellcheck disable=SC2086
            a="$(med ${rps[ours,$c]})"; b="$(med ${rps[$peer,$c]})"
            # shellcheck disable=SC2086
            row17 S1 "http-serve, 1 KiB, wrk -t1 -c$c (errors: ours $(maxof ${err[ours,$c]}), peer $(maxof ${err[$peer,$c]}))" "req/s" "$(fmt "$a")" "$peer" "$(fmt "$b")" "$(ratio "$a" "$b")" "≥ 1.0, 0 errors"
        done
    done
    if have lighttpd; then
        # shellcheck disable=SC2086
        a="$(med ${peak[ours]})"; b="$(med ${peak[lighttpd]})"
        row17 S1 "peak RSS with 2,000 idle kept-alive connections" "KiB" "$(fmt "$a")" "lighttpd" "$(fmt "$b")" "$(ratio "$a" "$b")" "≤ 1.0"
    fi
    # S6: the whole table, then the cliff check.
    local table="| server | c1 | c64 | c512 | c2000 | c8000 | RSS idle → with 2,000 idle (KiB) | per idle connection |
|---|---|---|---|---|---|---|---|"
    for who in "${servers[@]}"; do
        local line="| $who"
        for c in "${LEVELS[@]}"; do
            # shellcheck disable=SC2086
            line+=" | $(fmt "$(med ${rps[$who,$c]})") req/s, p99 $(med ${p99[$who,$c]}) ms, errors $(maxof ${err[$who,$c]})"
        done
        # shellcheck disable=SC2086
        a="$(med ${before[$who]})"; b="$(med ${with[$who]})"
        line+=" | $(fmt "$a") → $(fmt "$b") | $(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "nan" || b == "nan") print "n/a"; else printf "%.1f KiB", (b - a) / 2000 }') |"
        table+=$'\n'"$line"
    done
    S6_TABLE="$table"
    # shellcheck disable=SC2086
    a="$(med ${rps[ours,8000]})"; b="$(med ${rps[ours,64]})"
    row17 S6 "http-serve at c8000 against its own rate at c64" "req/s" "$(fmt "$a")" "itself at c64" "$(fmt "$b")" "$(ratio "$a" "$b")" "≥ 0.8"
}

s2_scenarios() {
    python3 -c "
import os
d = '$WWW/list100k'
os.makedirs(d, exist_ok=True)
for i in range(100000):
    open(os.path.join(d, 'file-%06d.txt' % i), 'w').write('x')
"
    local servers=(ours) who
    have nginx && servers+=(nginx)
    have lighttpd && servers+=(lighttpd)
    declare -A r10 r100 rss10 rss100
    for _ in $(seq "$ROUNDS"); do
        for who in "${servers[@]}"; do
            local r
            "start_$who"
            r="$(wrk_run 1 "${URL}list/")"; r10[$who]+=" ${r% *}"
            rss10[$who]+=" $(peak_rss_kib "$(serving_pid "$who")")"
            stop_server
            "start_$who"
            r="$(wrk_run 1 "${URL}list100k/")"; r100[$who]+=" ${r% *}"
            rss100[$who]+=" $(peak_rss_kib "$(serving_pid "$who")")"
            stop_server
        done
    done
    local name a b peer
    for who in "${servers[@]}"; do
        name="$who"; [ "$who" = ours ] && name=http-serve
        # shellcheck disable=SC2086
        sample s2-listing-10k "A listing of 10,000 files, wrk -c1" "req/s, higher is better" "" "$name" ${r10[$who]}
        # shellcheck disable=SC2086
        sample s2-listing-100k "A listing of 100,000 files, wrk -c1" "req/s, higher is better" "" "$name" ${r100[$who]}
    done
    for peer in "${servers[@]:1}"; do
        # shellcheck disable=SC2086
        a="$(med ${r10[ours]})"; b="$(med ${r10[$peer]})"
        row17 S2 "listing of 10,000 files, wrk -c1" "req/s" "$(fmt "$a")" "$peer" "$(fmt "$b")" "$(ratio "$a" "$b")" "≥ 1.0"
        # shellcheck disable=SC2086
        a="$(med ${r100[ours]})"; b="$(med ${r100[$peer]})"
        # shellcheck disable=SC2086
        row17 S2 "listing of 100,000 files, wrk -c1 (peak RSS KiB: ours $(med ${rss100[ours]}), peer $(med ${rss100[$peer]}))" "req/s" "$(printf '%.1f' "$a")" "$peer" "$(printf '%.1f' "$b")" "$(ratio "$a" "$b")" "≥ 1.0 vs nginx"
    done
    # shellcheck disable=SC2086
    a="$(med ${rss100[ours]})"; b="$(med ${rss10[ours]})"
    row17 S2 "http-serve's peak RSS listing 100,000 files against listing 10,000" "KiB" "$(fmt "$a")" "itself, 10,000" "$(fmt "$b")" "$(ratio "$a" "$b")" "does not grow with the count"
    rm -rf "$WWW/list100k"
}

# iperf3's receiver rate for 1 GiB through loopback, in MiB/s.
iperf_rate() {
    local port; port="$(free_port)"
    iperf3 -s -1 --forceflush -B 127.0.0.1 -p "$port" > "$WORK/iperf.out" 2>&1 &
    local spid=$!
    wait_line "$WORK/iperf.out" 'Server listening' > /dev/null
    iperf3 -c 127.0.0.1 -p "$port" -n 1G -J > "$WORK/iperf.json"
    wait "$spid" 2>/dev/null || true
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second'] / 8 / 1048576)" "$WORK/iperf.json"
}

s3_scenario() {
    local peers=() who
    have iperf3 || log "iperf3 not installed: the loopback limit skipped (apt-get install iperf3)"
    have iperf3 && peers+=(iperf3)
    have nc && peers+=(nc)
    have socat && peers+=(socat)
    declare -A rate
    for _ in $(seq "$ROUNDS"); do
        rate[tcp-echo]+=" $(awk -v t="$(tcp_pair tcp-echo)" 'BEGIN {print 1024 / t}')"
        for who in "${peers[@]}"; do
            if [ "$who" = iperf3 ]; then
                rate[$who]+=" $(iperf_rate)"
            else
                rate[$who]+=" $(awk -v t="$(tcp_pair "$who")" 'BEGIN {print 1024 / t}')"
            fi
        done
    done
    local a b target
    for who in tcp-echo "${peers[@]}"; do
        # shellcheck disable=SC2086
        sample s3-tcp-bulk "1 GiB through loopback, tmpfs to /dev/null" "MiB/s, higher is better" "" "$who" ${rate[$who]}
    done
    # shellcheck disable=SC2086
    a="$(med ${rate[tcp-echo]})"
    for who in "${peers[@]}"; do
        # shellcheck disable=SC2086
        b="$(med ${rate[$who]})"
        case "$who" in iperf3) target="≥ 0.9" ;; nc) target="≥ 1.3" ;; socat) target="≥ 1.5" ;; esac
        row17 S3 "tcp-echo, 1 GiB tmpfs → loopback → /dev/null, until both exit" "MiB/s" "$(fmt "$a")" "$who" "$(fmt "$b")" "$(ratio "$a" "$b")" "$target"
    done
}

# fetch_timed TOOL MODE URL: "seconds peak-RSS-KiB" for 1 GiB, MODE file or pipe.
fetch_timed() {
    local cmd=("$BIN/http-get" -s)
    [ "$1" = curl ] && cmd=(curl -s)
    local s e
    rm -f "$WORK/got.bin"
    s=$(date +%s.%N)
    if [ "$2" = file ]; then
        /usr/bin/time -f "%M" -o "$WORK/time.out" "${cmd[@]}" -o "$WORK/got.bin" "$3"
    else
        /usr/bin/time -f "%M" -o "$WORK/time.out" "${cmd[@]}" "$3" | cat > /dev/null
    fi
    e=$(date +%s.%N)
    if [ "$2" = file ] && [ "$(stat -c %s "$WORK/got.bin")" != $((1 << 30)) ]; then log "$1: the file is not whole"; fi
    rm -f "$WORK/got.bin"
    echo "$(awk -v s="$s" -v e="$e" 'BEGIN {print e - s}') $(tail -1 "$WORK/time.out")"
}

s4_scenario() {
    start_nginx || { log "nginx not installed: http-get scenarios skipped"; return; }
    local url="$URL" mode who t m round order
    declare -A rate rss
    # Writing 1 GiB of fresh tmpfs pages varies a lot between runs here, so
    # more rounds, and the two tools take turns going first.
    for round in $(seq $((ROUNDS + 2))); do
        order="http-get curl"
        [ $((round % 2)) = 0 ] && order="curl http-get"
        for mode in file pipe; do
            for who in $order; do
                read -r t m <<<"$(fetch_timed "$who" "$mode" "${url}1g.bin")"
                rate[$who,$mode]+=" $(awk -v t="$t" 'BEGIN {print 1024 / t}')"; rss[$who,$mode]+=" $m"
            done
        done
    done
    stop_server
    local a b
    for mode in file pipe; do
        local label="with -o to a file on tmpfs"
        [ "$mode" = pipe ] && label="into a pipe (| cat > /dev/null)"
        for who in http-get curl; do
            # shellcheck disable=SC2086
            sample "s4-http-get-$mode" "1 GiB from nginx $label" "MiB/s, higher is better" "" "$who" ${rate[$who,$mode]}
        done
        # shellcheck disable=SC2086
        a="$(med ${rate[http-get,$mode]})"; b="$(med ${rate[curl,$mode]})"
        # shellcheck disable=SC2086
        row17 S4 "http-get, 1 GiB from nginx $label (peak RSS KiB: ours $(maxof ${rss[http-get,$mode]}), curl $(maxof ${rss[curl,$mode]}))" "MiB/s" "$(fmt "$a")" "curl" "$(fmt "$b")" "$(ratio "$a" "$b")" "≥ 1.0, RSS < 4 MiB"
    done
}

# Waits (bounded) until a UDP port is bound on loopback.
wait_udp() {
    for _ in $(seq 200); do
        [ -n "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    log "nothing bound to UDP port $1"; return 1
}
# Waits until a file stops growing (the receiver has drained), bounded.
wait_still() {
    local last=-1 size
    for _ in $(seq 60); do
        size="$(stat -c %s "$1" 2>/dev/null || echo 0)"
        [ "$size" = "$last" ] && return 0
        last="$size"
        sleep 0.1
    done
}
# udp_lossless TOOL SIZE: the highest rate of the ladder at which TOOL
# delivers every datagram of one second's worth to its stdout (a file on
# tmpfs); 0 if it loses some even at the lowest.
UDP_LADDER=(25000 50000 100000 200000 400000 800000)
udp_lossless() {
    local best=0 rate
    for rate in "${UDP_LADDER[@]}"; do
        local out="$WORK/udp.out" rpid port
        rm -f "$out"
        case "$1" in
        udp-echo)
            "$BIN/udp-echo" -l 127.0.0.1:0 > "$out" 2> "$WORK/u.err" < /dev/null & rpid=$!
            port="$(wait_line "$WORK/u.err" '127\.0\.0\.1:[0-9]+' | cut -d: -f2)" ;;
        nc)
            port="$(free_port)"
            nc -lu 127.0.0.1 "$port" > "$out" 2> /dev/null < /dev/null & rpid=$!
            wait_udp "$port" ;;
        socat)
            port="$(free_port)"
            socat -u "UDP-RECV:$port,bind=127.0.0.1" STDOUT > "$out" 2> /dev/null & rpid=$!
            wait_udp "$port" ;;
        esac
        local sent
        sent="$("$BLAST" "127.0.0.1:$port" "$rate" "$rate" "$2" | awk '{print $1}')"
        wait_still "$out"
        kill "$rpid" 2>/dev/null || true; wait "$rpid" 2>/dev/null || true
        local got=$(( $(stat -c %s "$out") / $2 ))
        [ "$got" -ge "$sent" ] || break
        best="$rate"
    done
    echo "$best"
}

s5_scenario() {
    local tools=(udp-echo) who size
    have socat && tools+=(socat)
    have nc && tools+=(nc)
    declare -A best
    for _ in $(seq "$ROUNDS"); do
        for size in 64 1400; do
            for who in "${tools[@]}"; do best[$who,$size]+=" $(udp_lossless "$who" "$size")"; done
        done
    done
    local a b peer bestpeer
    for size in 64 1400; do
        for who in "${tools[@]}"; do
            # shellcheck disable=SC2086
            sample s5-udp "The highest rate delivered to stdout without loss (of ${UDP_LADDER[*]}/s)" "datagrams/s, higher is better" "$size bytes" "$who" ${best[$who,$size]}
        done
        # shellcheck disable=SC2086
        a="$(med ${best[udp-echo,$size]})"; bestpeer=0
        for peer in "${tools[@]:1}"; do
            # shellcheck disable=SC2086
            b="$(med ${best[$peer,$size]})"
            row17 S5 "udp-echo, $size-byte datagrams: highest lossless rate to stdout" "datagrams/s" "$(fmt "$a")" "$peer" "$(fmt "$b")" "$(ratio "$a" "$b")" "≥ 1.0 of the better"
        done
    done
}

speed_scenarios() {
    local saved="$CONNS"
    CONNS=10000
    s1_s6_scenarios
    CONNS="$saved"
    s2_scenarios
    s3_scenario
    s4_scenario
    s5_scenario
}

write_speed() {
    local table header
    table="| # | scenario | metric | ours | peer | peer's | ours/peer | target |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS17[@]}")

The cost of growing work (S6), medians of $ROUNDS rounds; each server holds up to 10,000 connections:

${S6_TABLE:-}"
    header="Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, Linux $(uname -r); $ROUNDS rounds alternated, medians."
    echo "$header"; echo; echo "$table"
    python3 - bench/RESULTS.md "$header" "$table" <<'PY'
import sys
path, header, table = sys.argv[1:4]
text = open(path).read()
begin, end = "<!-- measured: speed -->", "<!-- /measured: speed -->"
part = begin + "\n" + header + "\n\n" + table + "\n" + end
if begin in text:
    text = text[:text.index(begin)] + part + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n## Speed, round two (issue 17)\n\n" + part + "\n"
open(path, "w").write(text)
PY
}
