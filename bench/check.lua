-- wrk script of bench/compare: prints the latency percentiles in a form
-- the script reads. (Bodies are not handed to Lua: copying every body into
-- a Lua string would measure wrk, not the server. bench/compare checks the
-- status of every response and the bytes read per response instead, and
-- bench/loadgen compares every body byte for byte.)
function done(summary, latency, requests)
  io.write(string.format("latency_p50_us %d\nlatency_p99_us %d\n", latency:percentile(50), latency:percentile(99)))
end
