#!/usr/bin/env python3
"""Drive an Open311 GeoReport v2 endpoint with off-the-shelf client libraries, unchanged.

  pip install civicbot==0.4.0 georeport==0.3.1
  python3 open311_client_check.py BASE_URL [API_KEY]
      BASE_URL e.g. http://127.0.0.1:8080/open311/v2  (or env BASE_URL)
      API_KEY  (or env API_KEY)
  env SERVICE_CODE  service to file against (must be listed by services.json)
  env UNIT_CODE     value sent as attribute[unit_code]
  env SKIP_GEOREPORT=1  skip the second library's read-only cross-check

civicbot.Open311Client does every call (list, definition, POST, read back, filters);
georeport.GeoReport (read-only library) repeats the reads. Prints one JSON document
with what came back; exits 1 on any missing/mismatched field, 2 on usage error.

In danvan: crates/web/tests/open311.rs runs it against the test server when
DANVAN_OPEN311_PYTHON names a Python with both packages (scripts/test makes one).
"""
import datetime as dt
import json
import os
import sys

from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client, Open311Error
from civicbot.registry import Endpoint

problems = []


def need(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BASE_URL")
    api_key = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("API_KEY")
    code = os.environ.get("SERVICE_CODE")
    unit = os.environ.get("UNIT_CODE")
    if not (base and api_key and code and unit):
        print("usage: BASE_URL API_KEY with env SERVICE_CODE and UNIT_CODE", file=sys.stderr)
        return 2
    out = {"base_url": base}
    lat, lng = 21.028511, 105.804817
    desc = "open311 client check: street light out"

    # No per-host politeness delay against our own test server (default is 0.5 s/call).
    http = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0))
    ep = Endpoint(id="danvan", name="danvan", base_url=base, write=True)
    c = Open311Client(ep, http)

    # 1. services.json (library raises unless it is a JSON array)
    services = c.list_services()
    out["service_codes"] = [s.get("service_code") for s in services]
    print("services:", ", ".join(map(str, out["service_codes"])), file=sys.stderr)
    svc = next((s for s in services if str(s.get("service_code")) == code), None)
    if not need(svc is not None, f"service {code!r} not in services.json"):
        return finish(out)
    for k in ("service_code", "service_name", "metadata", "type"):
        need(k in svc, f"services.json entry lacks {k!r}")

    # 2. services/{code}.json
    d = c.get_service_definition(code)
    out["definition"] = d
    need(isinstance(d, dict) and str(d.get("service_code")) == code,
         "definition is not an object with the right service_code")
    attrs = d.get("attributes") if isinstance(d, dict) else None
    need(isinstance(attrs, list), "definition.attributes is not a list")
    ua = next((a for a in attrs or [] if a.get("code") == "unit_code"), None)
    if need(ua is not None, "definition has no attribute with code 'unit_code'"):
        for k in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
            need(k in ua, f"unit_code attribute lacks {k!r}")
    if attrs:
        need(svc.get("metadata") is True, "services.json says metadata != true for a service with attributes")

    # 3. POST requests.json; validate_remote re-reads services + definition and checks
    #    the required attribute / allowed values client-side before sending.
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    p = c.create_request(code, dry_run=False, confirm="SEND", api_key=api_key,
                         validate_remote=True, lat=lat, lng=lng, description=desc,
                         email="citizen@example.org", first_name="Lan", last_name="Nguyen",
                         address_string="1 Example St", attributes={"unit_code": unit})
    out["post_form_sent"] = p.redacted_form()
    out["post_response"] = p.response
    r = p.response
    need(isinstance(r, list) and len(r) == 1 and isinstance(r[0], dict),
         "POST response is not a one-element JSON array")
    rid = r[0].get("service_request_id") if isinstance(r, list) and r and isinstance(r[0], dict) else None
    if not need(rid not in (None, ""), "POST response has no service_request_id"):
        return finish(out)
    rid = str(rid)

    # 4. requests/{id}.json
    got = c.get_request(rid)
    out["read_back"] = got
    if need(isinstance(got, dict), "requests/{id}.json gave nothing"):
        need(str(got.get("service_request_id")) == rid, "read back wrong service_request_id")
        need(str(got.get("service_code")) == code, "read back wrong service_code")
        need(got.get("status") in ("open", "closed"), "status not open/closed")
        need(got.get("description") == desc, "description not stored")
        need(isinstance(got.get("lat"), (int, float)) and abs(got["lat"] - lat) < 1e-5, "lat wrong or not a number")
        need(isinstance(got.get("long"), (int, float)) and abs(got["long"] - lng) < 1e-5, "long wrong or not a number")
        for k in ("service_name", "requested_datetime", "updated_datetime", "address"):
            need(k in got, f"read back lacks {k!r}")
        try:
            t = dt.datetime.fromisoformat(str(got.get("requested_datetime")).replace("Z", "+00:00"))
            need(t.tzinfo is not None, "requested_datetime has no UTC offset")
        except ValueError:
            need(False, "requested_datetime is not W3C/ISO 8601")

    # 5. requests.json with the spec's filters
    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    w3c = lambda x: x.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    by_id = c.list_requests(service_request_ids=[rid])
    need([str(x.get("service_request_id")) for x in by_id] == [rid], "requests.json?service_request_id= wrong")
    rows = c.list_requests(service_code=code, status="open", start_date=w3c(before), end_date=w3c(now))
    need(rid in [str(x.get("service_request_id")) for x in rows],
         "requests.json?service_code&status=open&start_date&end_date misses the new request")
    rows = c.list_requests(service_code=code, status="closed")
    need(rid not in [str(x.get("service_request_id")) for x in rows], "status=closed returned an open request")
    out["filters_checked"] = True

    # 6. the same reads through a second, independent library
    if os.environ.get("SKIP_GEOREPORT") != "1":
        from georeport import GeoReport
        g = GeoReport(base)
        gs = g.get_service_list()
        need(code in [str(s.get("service_code")) for s in gs], "georeport: service not listed")
        gd = g.get_service_definition(code)
        need(str(gd.get("service_code")) == code, "georeport: definition mismatch")
        gr = g.get_service_request(rid)  # does response.json()[0]
        need(str(gr.get("service_request_id")) == rid, "georeport: read back mismatch")
        gl = g.get_service_requests(service_request_id=rid)
        need([str(x.get("service_request_id")) for x in gl] == [rid], "georeport: filter mismatch")
        out["georeport_checked"] = True
    return finish(out)


def finish(out):
    out["problems"] = problems
    print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (HttpError, Open311Error, ValueError) as e:  # ValueError: bad JSON / ValidationError
        print(json.dumps({"error": type(e).__name__, "detail": str(e), "problems": problems}, indent=2))
        sys.exit(1)
