#!/bin/sh
# Seeds the fuzz corpora from the repository's own inputs. Run from the
# repository root: `sh fuzz/seed.sh`. Existing corpus files are kept.
set -eu
C=fuzz/corpus
mkdir -p $C/parse $C/check $C/fmt_roundtrip $C/load_csv $C/load_json $C/eval

# Policies: the examples, the standard library and every ui case.
for f in $(find examples stdlib tests/ui -name '*.tally' | sort); do
  n=seed-$(echo "$f" | tr '/' '_')
  for t in parse check fmt_roundtrip; do cp "$f" "$C/$t/$n"; done
done

# Data: the examples' files, and files that fit the loaders' schema
# (fuzz/targets/bodies.rs, SCHEMA).
for f in $(find examples -path '*/data/*' -name '*.csv' | sort); do
  cp "$f" "$C/load_csv/seed-$(echo "$f" | tr '/' '_')"
done
for f in $(find examples -path '*/data/*' \( -name '*.json' -o -name '*.jsonl' \) | sort); do
  cp "$f" "$C/load_json/seed-$(echo "$f" | tr '/' '_')"
done
cat > $C/load_csv/seed-schema.csv <<'CSV'
id,name,count,ratio,share,amount,start,end,Signed On,active,period,territory,parent_id
A,Alpha,1,1.5,12.5%,100.00,2025-01-01,,03/15/2025,true,FY2025-Q1,NY,
B,"Beta, ""B""",-2,,0.25,99.95 EUR,2025-02-01,2025-12-31,,no,FY2026,East,A
C,"multi
line",9223372036854775807,0.0000001,100%,-1,2024-02-29,2024-03-01,12/31/1999,YES,fy2025-m12,World,B
CSV
printf 'id,count,share,amount,start,active,territory\r\nA,1,1%%,1,2025-01-01,1,West\r\n' > $C/load_csv/seed-crlf.csv
printf '\357\273\277id,count,share,amount,start,active,territory\nA,1,1%%,1,2025-01-01,0,NJ\n' > $C/load_csv/seed-bom.csv
cat > $C/load_json/seed-schema.json <<'JSON'
[
  {"id": "A", "name": "Alpha", "count": 1, "ratio": 1.5, "share": "12.5%", "amount": "100.00", "start": "2025-01-01", "end": null, "Signed On": "03/15/2025", "active": true, "period": "FY2025-Q1", "territory": "NY", "parent_id": null},
  {"id": "B", "count": "-2", "share": 0.25, "amount": "99.95 EUR", "start": "2025-02-01", "end": "2025-12-31", "active": "no", "territory": "East", "parent_id": "A"}
]
JSON
cat > $C/load_json/seed-schema.jsonl <<'JSONL'
{"id": "A", "name": "Alpha", "count": 1, "ratio": 1.5, "share": "12.5%", "amount": "100.00", "start": "2025-01-01", "active": true, "territory": "NY"}

{"id": "B", "count": 123456789012345678901234567890, "share": 1e3, "amount": 5, "start": "2025-02-30", "active": 1, "territory": "Mars", "parent_id": "Z"}
JSONL

# eval: generated policies (mode byte, count, fragment picks, data picks),
# each fragment appended to the base, and the example policies run on
# empty tables.
python3 - <<'PY'
import os, random
C = "fuzz/corpus/eval"
random.seed(7)
def put(name, data):
    with open(os.path.join(C, name), "wb") as f:
        f.write(data)
for i in range(20):
    frags = [i, (i + 4) % 20, (i + 8) % 20]
    put(f"seed-frag-{i:02}", bytes([0, len(frags)] + frags + [0] * 30))
for i in range(12):
    n = random.randint(1, 7)
    frags = [random.randrange(20) for _ in range(n)]
    data = [random.randrange(256) for _ in range(30)]
    put(f"seed-random-{i:02}", bytes([2, n] + frags + data))
put("seed-all-credit", bytes([0, 7, 0, 4, 5, 6, 7, 10, 15] + [1] * 30))
# Mode 1: each fragment as text after the base.
import re
body = open("fuzz/targets/bodies.rs").read()
block = body.split("pub const FRAGMENTS")[1].split("];")[0]
for i, lit in enumerate(re.findall(r'^    "((?:[^"\\]|\\.)*)",$', block, re.M)):
    text = lit.replace("\\n", "\n").replace('\\"', '"')
    put(f"seed-text-{i:02}", b"\x01" + text.encode())
PY
i=0
for f in examples/acme/policy.tally examples/northwind/policy.tally; do
  i=$((i + 1))
  { printf '\003'; cat "$f"; } > $C/eval/seed-policy-$i
done
