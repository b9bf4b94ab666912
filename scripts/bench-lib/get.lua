-- wrk script of scripts/bench: GET the paths given after `--` in turn (one, or several model
-- pages). Headers given to wrk with -H go with every request. At the end one line
-- `BENCH key=value ...` is printed for scripts/bench (latencies in microseconds; `non2xx` is
-- wrk's count of answers with a status of 400 or more).

local paths = {}
local counter = 0

function init(args)
   for i = 1, #args do paths[#paths + 1] = args[i] end
   if #paths == 0 then paths = { wrk.path } end
end

function request()
   counter = counter + 1
   return wrk.format(nil, paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d max_us=%d mean_us=%.0f "
         .. "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99), latency.max, latency.mean,
      e.status, e.connect, e.read, e.write, e.timeout))
end
