"""The generated benchmark policy written as SQL and run by DuckDB.

Usage: python3 duckdb_peer.py GENERATED_DIR OUT_DIR
Prints the time of each phase as JSON. Money is kept in integer cents and
rounded half-to-even exactly like Tally, so the report CSVs compare byte
for byte.
"""
import json
import os
import sys
import time

import duckdb

HALF_EVEN = """
CREATE MACRO div_half_even(n, d) AS (
  CASE WHEN n < 0 THEN -div_half_even_pos(-n, d) ELSE div_half_even_pos(n, d) END
);
"""
HALF_EVEN_POS = """
CREATE MACRO div_half_even_pos(n, d) AS (
  (n // d) + CASE
    WHEN (n % d) * 2 > d THEN 1
    WHEN (n % d) * 2 = d AND (n // d) % 2 = 1 THEN 1
    ELSE 0 END
);
"""
# fiscal year starts in February and is named by the year it ends in
FQ = """
CREATE MACRO fq(d) AS (
  'FY' || CAST(CASE WHEN month(d) >= 2 THEN year(d) + 1 ELSE year(d) END AS VARCHAR)
  || '-Q' || CAST(((month(d) + 10) % 12) // 3 + 1 AS VARCHAR)
);
"""


def cents(col):
    return f"CAST(round(CAST({col} AS DECIMAL(18,2)) * 100) AS BIGINT)"


def money(expr):
    return f"printf('%d.%02d', ({expr}) // 100, ({expr}) % 100)"


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    phases = {}
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for macro in (HALF_EVEN_POS, HALF_EVEN, FQ):
        con.execute(macro)
    t = time.perf_counter()
    data = os.path.join(src, "data")
    for name in ("reps", "accounts", "opportunities", "territory_owners", "quotas"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT row_number() OVER () AS ord, * FROM "
            f"read_csv('{data}/{name}.csv', header=true, all_varchar=true)"
        )
    con.execute(f"CREATE TABLE rules AS SELECT * FROM read_csv('{src}/rules.csv', header=true, all_varchar=true)")
    phases["load"] = time.perf_counter() - t

    t = time.perf_counter()
    con.execute("""
      CREATE TABLE assigned AS
      SELECT a.id, arg_min(r.territory, CAST(r.priority AS INTEGER)) AS territory
      FROM accounts a JOIN rules r
        ON r.postal_prefix = a.postal_prefix AND r.country = a.country AND r.industry = a.industry
       AND (r.state IS NULL OR r.state = a.state)
       AND CAST(a.employees AS BIGINT) >= CAST(r.emp_min AS BIGINT)
       AND (r.emp_max IS NULL OR CAST(a.employees AS BIGINT) < CAST(r.emp_max AS BIGINT))
      GROUP BY a.id
    """)
    phases["assign"] = time.perf_counter() - t

    t = time.perf_counter()
    con.execute(f"""
      CREATE TABLE deals AS
      SELECT o.ord, o.id, o.owner_id, o.co_owner_id, o.product, CAST(o.close_date AS DATE) AS d,
             {cents('o.amount')} AS amount, s.territory
      FROM opportunities o LEFT JOIN assigned s ON s.id = o.account_id
      WHERE o.stage = 'Closed Won'
    """)
    con.execute("""
      CREATE TABLE roles AS
      SELECT d.id, o.role, arg_min(o.rep_id, o.ord) AS rep
      FROM deals d JOIN territory_owners o
        ON o.territory = d.territory AND CAST(o.start_date AS DATE) <= d.d
       AND (o.end_date IS NULL OR d.d <= CAST(o.end_date AS DATE))
      GROUP BY d.id, o.role
    """)
    con.execute("""
      CREATE TABLE revenue AS
      WITH x AS (
        SELECT d.*, ae.rep AS ae FROM deals d LEFT JOIN roles ae ON ae.id = d.id AND ae.role = 'AE'
      ), split AS (
        SELECT id, d, amount, owner_id AS payee, amount * 60 // 100 AS base, (amount * 60) % 100 AS rem, 1 AS pos
        FROM x WHERE co_owner_id IS NOT NULL
        UNION ALL
        SELECT id, d, amount, co_owner_id, amount * 40 // 100, (amount * 40) % 100, 2
        FROM x WHERE co_owner_id IS NOT NULL
      ), ranked AS (
        SELECT *, amount - sum(base) OVER (PARTITION BY id) AS missing,
               row_number() OVER (PARTITION BY id ORDER BY rem DESC, pos) AS rnk
        FROM split
      )
      SELECT id, payee, d, base + CASE WHEN rnk <= missing THEN 1 ELSE 0 END AS amount FROM ranked
      UNION ALL
      SELECT id, COALESCE(ae, owner_id), d, amount FROM x WHERE co_owner_id IS NULL
    """)
    con.execute("""
      CREATE TABLE manager_credits AS
      WITH RECURSIVE chain(id, payee, d, amount, depth) AS (
        SELECT r.id, p.manager_id, r.d, r.amount, 1 FROM revenue r JOIN reps p ON p.id = r.payee
        WHERE p.manager_id IS NOT NULL
        UNION ALL
        SELECT c.id, p.manager_id, c.d, c.amount, c.depth + 1 FROM chain c JOIN reps p ON p.id = c.payee
        WHERE p.manager_id IS NOT NULL AND c.depth < 50
      )
      SELECT id, payee, d, amount FROM chain
    """)
    phases["credit"] = time.perf_counter() - t

    t = time.perf_counter()
    con.execute(f"""
      CREATE TABLE plan AS
      WITH qs AS (SELECT unnest(['FY2026-Q1','FY2026-Q2','FY2026-Q3','FY2026-Q4']) AS q),
      aes AS (SELECT id, ord FROM reps WHERE role = 'AE'),
      b AS (SELECT payee, fq(d) AS q, sum(amount) AS bookings FROM revenue GROUP BY payee, fq(d)),
      qu AS (SELECT rep_id, period, sum({cents('amount')}) AS quota FROM quotas GROUP BY rep_id, period),
      g AS (
        SELECT aes.id AS rep, aes.ord, qs.q, COALESCE(b.bookings, 0) AS bookings, COALESCE(qu.quota, 0) AS quota
        FROM aes CROSS JOIN qs
        LEFT JOIN b ON b.payee = aes.id AND b.q = qs.q
        LEFT JOIN qu ON qu.rep_id = aes.id AND qu.period = qs.q
      )
      SELECT *       FROM g
    """)
    # exact marginal tiers: bands at 50% and 100% of quota (quota in cents,
    # so 50% of it may be a half cent: work in half-cents)
    con.execute("""
      CREATE TABLE comp AS
      SELECT rep, ord, q, bookings, quota,
        CASE WHEN quota > 0 THEN
          -- value in half-cents, bounds in half-cents, rates in percent: result in half-cent-percent
          (least(2 * bookings, quota) * 4
           + greatest(least(2 * bookings, 2 * quota) - quota, 0) * 8
           + greatest(2 * bookings - 2 * quota, 0) * 12)
        ELSE 0 END AS commission_hcp
      FROM plan
    """)
    phases["plans"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = con.execute(f"""
      SELECT rep, q, bookings, quota,
        -- attainment rounded to 4 places, half to even, as a normalised decimal
        div_half_even(bookings * 10000, quota) AS att_e4,
        div_half_even(commission_hcp, 200) AS commission
      FROM comp WHERE quota > 0 ORDER BY q, rep
    """).fetchall()
    write(out, "attainment", ["rep", "quarter", "bookings", "quota", "attainment", "commission", "payout"], [
        [rep, q, m(b), m(qu), dec(a, 4), m(c), m(min(c, 3000000))] for rep, q, b, qu, a, c in rows
    ])
    rows = con.execute("""
      SELECT deals.territory, fq(revenue.d) AS q, count(DISTINCT id), sum(revenue.amount),
             CASE WHEN deals.territory IS NULL THEN 1 ELSE 0 END AS nulls
      FROM revenue JOIN deals USING (id) GROUP BY deals.territory, q ORDER BY nulls, deals.territory, q
    """).fetchall()
    total = con.execute("SELECT count(DISTINCT id), sum(amount) FROM revenue").fetchone()
    write(out, "bookings_by_territory", ["territory", "quarter", "deals", "bookings"],
          [[t or "", q, n, m(s)] for t, q, n, s, _ in rows] + [["Total", "", total[0], m(total[1])]])
    rows = con.execute(f"""
      SELECT fq(CAST(close_date AS DATE)) AS q, count(*), sum({cents('amount')})
      FROM opportunities WHERE stage NOT IN ('Closed Won', 'Closed Lost') GROUP BY q ORDER BY q
    """).fetchall()
    write(out, "forecast", ["quarter", "deals", "pipeline"], [[q, n, m(s)] for q, n, s in rows])
    rows = con.execute("""
      SELECT payee, sum(amount) AS total, count(DISTINCT id) FROM manager_credits
      GROUP BY payee ORDER BY total DESC, payee
    """).fetchall()
    write(out, "manager_rollup", ["manager", "total", "deals"], [[p, m(s), n] for p, s, n in rows])
    phases["reports"] = time.perf_counter() - t
    print(json.dumps(phases))


def m(c):
    c = int(c)
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def dec(n, places):
    """A scaled integer as a normalised decimal (no trailing zeros)."""
    n = int(n)
    sign = "-" if n < 0 else ""
    n = abs(n)
    whole, frac = divmod(n, 10 ** places)
    frac = f"{frac:0{places}d}".rstrip("0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def write(out, name, header, rows):
    with open(os.path.join(out, f"{name}.csv"), "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


if __name__ == "__main__":
    main()
