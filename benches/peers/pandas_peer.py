"""The generated benchmark policy written as a straightforward pandas script.

Usage: python3 pandas_peer.py GENERATED_DIR OUT_DIR
Prints the time of each phase as JSON. Money is kept in integer cents and
rounded half-to-even exactly like Tally, so the report CSVs compare byte
for byte.
"""
import json
import os
import sys
import time

import pandas as pd

from duckdb_peer import dec, m, write


def fq(dates):
    year = dates.dt.year + (dates.dt.month >= 2).astype(int)
    quarter = ((dates.dt.month + 10) % 12) // 3 + 1
    return "FY" + year.astype(str) + "-Q" + quarter.astype(str)


def to_cents(col):
    parts = col.str.split(".", n=1, expand=True)
    whole = parts[0].astype("int64")
    frac = parts[1].fillna("0").str.ljust(2, "0").str[:2].astype("int64") if parts.shape[1] > 1 else 0
    return whole * 100 + frac


def div_half_even(n, d):
    q, r = divmod(int(n), int(d))
    if 2 * r > d or (2 * r == d and q % 2 == 1):
        q += 1
    return q


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    phases = {}
    t = time.perf_counter()
    data = os.path.join(src, "data")
    read = lambda name: pd.read_csv(os.path.join(data, f"{name}.csv"), dtype=str, keep_default_na=False)
    reps, accounts, opps, owners, quotas = (read(n) for n in ("reps", "accounts", "opportunities", "territory_owners", "quotas"))
    rules = pd.read_csv(os.path.join(src, "rules.csv"), dtype=str, keep_default_na=False)
    phases["load"] = time.perf_counter() - t

    t = time.perf_counter()
    accounts["employees_n"] = accounts["employees"].astype("int64")
    rules["priority_n"] = rules["priority"].astype("int64")
    cand = accounts.merge(rules, on=["postal_prefix", "country", "industry"], suffixes=("", "_rule"))
    ok = (cand["state_rule"].eq("") | cand["state_rule"].eq(cand["state"])) & (
        cand["employees_n"] >= cand["emp_min"].astype("int64")
    ) & (cand["emp_max"].eq("") | (cand["employees_n"] < pd.to_numeric(cand["emp_max"], errors="coerce")))
    cand = cand[ok].sort_values("priority_n")
    assigned = cand.drop_duplicates("id")[["id", "territory"]]
    phases["assign"] = time.perf_counter() - t

    t = time.perf_counter()
    deals = opps[opps["stage"] == "Closed Won"].copy()
    deals["amount_c"] = to_cents(deals["amount"])
    deals["d"] = pd.to_datetime(deals["close_date"])
    deals = deals.merge(assigned.rename(columns={"id": "account_id"}), on="account_id", how="left")
    owners = owners.reset_index().rename(columns={"index": "ord"})
    owners["start"] = pd.to_datetime(owners["start_date"])
    owners["end"] = pd.to_datetime(owners["end_date"].replace("", None))
    ae = deals[["id", "territory", "d"]].merge(owners[owners["role"] == "AE"], on="territory")
    ae = ae[(ae["start"] <= ae["d"]) & (ae["end"].isna() | (ae["d"] <= ae["end"]))]
    ae = ae.sort_values("ord").drop_duplicates("id")[["id", "rep_id"]].rename(columns={"rep_id": "ae"})
    deals = deals.merge(ae, on="id", how="left")
    split = deals[deals["co_owner_id"] != ""]
    owner_part, owner_rem = divmod_series(split["amount_c"] * 60)
    co_part, co_rem = divmod_series(split["amount_c"] * 40)
    missing = split["amount_c"] - owner_part - co_part
    owner_extra = ((missing > 0) & (owner_rem >= co_rem)).astype("int64")
    co_extra = missing - owner_extra
    single = deals[deals["co_owner_id"] == ""]
    revenue = pd.concat([
        pd.DataFrame({"id": split["id"], "payee": split["owner_id"], "d": split["d"], "amount": owner_part + owner_extra}),
        pd.DataFrame({"id": split["id"], "payee": split["co_owner_id"], "d": split["d"], "amount": co_part + co_extra}),
        pd.DataFrame({"id": single["id"], "payee": single["ae"].fillna(single["owner_id"]), "d": single["d"], "amount": single["amount_c"]}),
    ])
    manager_of = dict(zip(reps["id"], reps["manager_id"]))
    rows = []
    level = revenue
    for _ in range(50):
        level = level.assign(payee=level["payee"].map(manager_of)).query("payee != '' and payee == payee")
        if level.empty:
            break
        rows.append(level)
    managers = pd.concat(rows) if rows else revenue.iloc[0:0]
    phases["credit"] = time.perf_counter() - t

    t = time.perf_counter()
    revenue["q"] = fq(revenue["d"])
    bookings = revenue.groupby(["payee", "q"])["amount"].sum()
    quotas["amount_c"] = to_cents(quotas["amount"])
    quota = quotas.groupby(["rep_id", "period"])["amount_c"].sum()
    plan = []
    for rep in reps.loc[reps["role"] == "AE", "id"]:
        for q in ("FY2026-Q1", "FY2026-Q2", "FY2026-Q3", "FY2026-Q4"):
            b = int(bookings.get((rep, q), 0))
            qu = int(quota.get((rep, q), 0))
            hcp = 0
            if qu > 0:
                v = 2 * b
                hcp = min(v, qu) * 4 + max(min(v, 2 * qu) - qu, 0) * 8 + max(v - 2 * qu, 0) * 12
            plan.append((rep, q, b, qu, hcp))
    phases["plans"] = time.perf_counter() - t

    t = time.perf_counter()
    att = []
    for rep, q, b, qu, hcp in sorted((p for p in plan if p[3] > 0), key=lambda p: (p[1], p[0])):
        c = div_half_even(hcp, 200)
        att.append([rep, q, m(b), m(qu), dec(div_half_even(b * 10000, qu), 4), m(c), m(min(c, 3000000))])
    write(out, "attainment", ["rep", "quarter", "bookings", "quota", "attainment", "commission", "payout"], att)
    rv = revenue.merge(deals[["id", "territory"]], on="id")
    g = rv.groupby([rv["territory"].fillna("\uffff"), "q"]).agg(deals=("id", "nunique"), total=("amount", "sum")).reset_index()
    g = g.sort_values(["territory", "q"])
    rows = [[("" if t == "\uffff" else t), q, n, m(s)] for t, q, n, s in g.itertuples(index=False)]
    rows.append(["Total", "", rv["id"].nunique(), m(rv["amount"].sum())])
    write(out, "bookings_by_territory", ["territory", "quarter", "deals", "bookings"], rows)
    open_ = opps[~opps["stage"].isin(["Closed Won", "Closed Lost"])].copy()
    open_["q"] = fq(pd.to_datetime(open_["close_date"]))
    open_["amount_c"] = to_cents(open_["amount"])
    f = open_.groupby("q").agg(n=("id", "size"), s=("amount_c", "sum")).reset_index().sort_values("q")
    write(out, "forecast", ["quarter", "deals", "pipeline"], [[q, n, m(s)] for q, n, s in f.itertuples(index=False)])
    mr = managers.groupby("payee").agg(total=("amount", "sum"), deals=("id", "nunique")).reset_index()
    mr = mr.sort_values(["total", "payee"], ascending=[False, True])
    write(out, "manager_rollup", ["manager", "total", "deals"], [[p, m(s), n] for p, s, n in mr.itertuples(index=False)])
    phases["reports"] = time.perf_counter() - t
    print(json.dumps(phases))


def divmod_series(values):
    return values // 100, values % 100


if __name__ == "__main__":
    main()
