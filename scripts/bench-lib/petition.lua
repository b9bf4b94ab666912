-- wrk script of scripts/bench: public petition submissions, `POST /api/v1/petitions` with a
-- valid body about the communes given after `--` in turn, each request from its own
-- X-Forwarded-For address (public submission is rate-limited per address; the server runs
-- with --trust-proxy). At the end one line `BENCH key=value ...` is printed for
-- scripts/bench, with the count of each status (`statuses=201:n,408:m`).

local units = {}
local counter = 0
local threads = {}
statuses = {}

-- Runs in the main thread once per wrk thread: number the threads so that their client
-- addresses never collide, and keep them to collect their status counts at the end.
function setup(thread)
   threads[#threads + 1] = thread
   thread:set("tid", #threads)
end

function init(args)
   for i = 1, #args do units[#units + 1] = args[i] end
   assert(#units > 0, "petition.lua needs commune codes after --")
end

local texts = {
   { "environment", "Rác thải đổ bừa bãi ven kênh", "Đoạn kênh gần chợ bị đổ rác nhiều ngày, bốc mùi, đề nghị xã cho thu gom và nhắc nhở." },
   { "construction", "Đèn đường hư hỏng", "Tuyến đường liên ấp có ba bóng đèn hư hơn một tháng, ban đêm đi lại nguy hiểm." },
   { "social_policy", "Hỗ trợ hộ cận nghèo", "Gia đình tôi thuộc diện cận nghèo nhưng chưa được xem xét hỗ trợ bảo hiểm y tế năm nay." },
   { "land", "Cấp giấy chứng nhận quyền sử dụng đất", "Hồ sơ cấp giấy chứng nhận nộp đã quá hạn nhưng chưa có kết quả, đề nghị xem xét." },
}

function request()
   counter = counter + 1
   local t = texts[(counter % #texts) + 1]
   local body = string.format(
      '{"kind":"feedback","field":"%s","unit_code":"%s","title":"%s %d","content":"%s",'
         .. '"petitioner":{"name":"Nguyễn Văn Thử","phone":"0912 345 678","email":"","address":""},'
         .. '"consent":true}',
      t[1], units[(counter % #units) + 1], t[2], counter, t[3])
   local headers = {}
   for k, v in pairs(wrk.headers) do headers[k] = v end
   headers["Content-Type"] = "application/json"
   -- 10.<thread>.<high>.<low>: a fresh address for each of 65 536 requests of a thread.
   headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", (tid or 1) % 256,
      math.floor(counter / 256) % 256, counter % 256)
   return wrk.format("POST", "/api/v1/petitions", headers, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local all = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses") or {}) do
         all[status] = (all[status] or 0) + n
      end
   end
   local list = {}
   for status, n in pairs(all) do list[#list + 1] = status .. ":" .. n end
   table.sort(list)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d max_us=%d mean_us=%.0f "
         .. "non2xx=%d connect=%d read=%d write=%d timeout=%d statuses=%s\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99), latency.max, latency.mean,
      e.status, e.connect, e.read, e.write, e.timeout, table.concat(list, ",")))
end
