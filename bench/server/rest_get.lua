-- wrk script: an authenticated GET (the ID token in Authorization, as the seed's clients
-- send it), paced: each connection waits BENCH_DELAY_MS between requests, so
-- connections x 1000 / delay sets the offered rate (wrk 4 has no -R).
local token = os.getenv("CLOUMER_TOKEN") or ""
local path = os.getenv("BENCH_PATH") or "/stream/mypage"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "20")

request = function()
    return wrk.format("GET", path, { ["Authorization"] = token })
end

delay = function()
    return delay_ms
end

done = function(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format("%s: %d requests in %.1f s = %.0f req/s; non-2xx %d; socket errors %d\n",
        path, summary.requests, seconds, summary.requests / seconds, e.status,
        e.connect + e.read + e.write + e.timeout))
    for _, p in ipairs({ 50, 90, 99, 99.9 }) do
        io.write(string.format("  p%-5g %.2f ms\n", p, latency:percentile(p) / 1000))
    end
    io.write(string.format("  max    %.2f ms\n", latency.max / 1000))
end
