//! The bodies of Tally's fuzz targets, shared by the libFuzzer binaries in
//! `fuzz/fuzz_targets/` and by `tests/fuzz_corpus.rs`, which replays the
//! committed corpus on the stable toolchain. Each body takes raw bytes and
//! panics on a bug: a panic anywhere below it, a diagnostic that points
//! outside its file, an internal error (`E0000`), or a broken invariant
//! (formatting not idempotent, a formatted file that means something else).
//! See `fuzz/README.md` for what each target checks.

#![allow(
    dead_code,
    missing_docs,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "fuzz bodies report bugs by panicking"
)]

use std::sync::OnceLock;
use tally::{Limits, NoImports, Policy};
use tally_check::{Checked, Program, TableId};
use tally_data::{Format, LoadLimits, Loaded};
use tally_diagnostics::{Diagnostic, FileId, SourceMap};

/// Every diagnostic's spans lie inside the text of the file they name, on
/// character boundaries, and the diagnostics render (human and JSON).
fn assert_diagnostics_in_range(diags: &[Diagnostic], sources: &SourceMap) {
    for d in diags {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let span = label.span;
            assert!(span.lo() <= span.hi(), "reversed span: {d:?}");
            if let Some(file) = sources.get(span.file) {
                let text = file.text.as_str();
                assert!(
                    span.hi() <= text.len()
                        && text.is_char_boundary(span.lo())
                        && text.is_char_boundary(span.hi()),
                    "span {}..{} outside `{}` ({} bytes): {d:?}",
                    span.lo(),
                    span.hi(),
                    file.name,
                    text.len()
                );
            }
        }
    }
    let _ = tally_diagnostics::render_human(diags, sources, Default::default());
    let _ = tally_diagnostics::render_json(diags, sources);
}

fn assert_no_internal_error(checked: &Checked) {
    if let Some(d) = checked.diagnostics.iter().find(|d| d.code == "E0000") {
        panic!("internal error in the checker: {d:?}");
    }
}

// ---------------------------------------------------------------- parse

/// `parse`: `tally_syntax::parse` (and the expression and REPL-entry
/// parsers) on arbitrary UTF-8 never panic, and every diagnostic and
/// declaration span lies inside the text.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = tally_syntax::parse(FileId(0), text);
    let mut sources = SourceMap::new();
    sources.add("fuzz.tally", text);
    assert_diagnostics_in_range(&parsed.diagnostics, &sources);
    for decl in &parsed.module.decls {
        assert!(
            decl.span.hi() <= text.len() && decl.span.lo() <= decl.span.hi(),
            "declaration span outside the text: {:?}",
            decl.span
        );
    }
    if let Err(diags) = tally_syntax::parse_expr(FileId(0), text) {
        assert_diagnostics_in_range(&diags, &sources);
    }
    if let Err(diags) = tally_syntax::parse_repl_entry(FileId(0), text) {
        assert_diagnostics_in_range(&diags, &sources);
    }
}

// ---------------------------------------------------------------- check

/// `check`: `tally_check::check_source` (no imports) on arbitrary UTF-8
/// never panics or reports an internal error, and its diagnostics point
/// inside the files they name.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checked = tally_check::check_source("fuzz.tally", text, &NoImports);
    assert_no_internal_error(&checked);
    assert_diagnostics_in_range(&checked.diagnostics, &checked.program.sources);
}

// ---------------------------------------------------------------- fmt

/// `fmt_roundtrip`: a file that parses without diagnostics formats without
/// a panic; the formatter may refuse with a self-check error, but when it
/// succeeds its output is a fixed point (formatting again gives the same
/// text) and parses to the same declarations.
pub fn fmt_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = tally_syntax::parse(FileId(0), text);
    if !parsed.diagnostics.is_empty() {
        return;
    }
    let formatted = match tally_fmt::format_source(text) {
        Ok(formatted) => formatted,
        Err(tally_fmt::FormatError::SelfCheck(why)) => {
            if std::env::var_os("TALLY_FUZZ_STRICT_FMT").is_some() {
                panic!("self-check refused a file that parses: {why}");
            }
            return;
        }
        Err(tally_fmt::FormatError::Syntax(diags)) => {
            panic!("format_source found syntax errors the parser did not: {diags:?}")
        }
    };
    let again = tally_syntax::parse(FileId(0), &formatted);
    assert!(
        again.diagnostics.is_empty(),
        "formatted text does not parse: {:?}\n{formatted}",
        again.diagnostics
    );
    assert!(
        tally_fmt::same_ast(&parsed.module, &again.module),
        "formatting changed the declarations:\n{formatted}"
    );
    match tally_fmt::format_source(&formatted) {
        Ok(twice) => assert_eq!(
            twice, formatted,
            "formatting is not idempotent; first pass:\n{formatted}"
        ),
        Err(e) => panic!("formatted text does not format again: {e}\n{formatted}"),
    }
}

// ---------------------------------------------------------------- loading

/// The policy the loader targets read data for: one table with every
/// column type, a header alias, a date format, a reference (to the table
/// itself, so it resolves), a territory, and effective dates. Its report
/// reads every column so a loaded table is also evaluated.
pub const SCHEMA: &str = r#"settings {
  currency = USD
}

territories {
  World {
    East { NY  NJ }
    West
  }
}

table rows effective(start, end) {
  id: Text key
  name: Text?
  count: Int
  ratio: Decimal?
  share: Percent
  amount: Money
  start: Date
  end: Date?
  signed: Date?       from "Signed On" format "%m/%d/%Y"
  active: Bool
  period: Period?
  territory: Territory
  parent: rows?       from "parent_id"
}

report all_rows "Every row" {
  from rows
  columns {
    id, name, count, ratio, share, amount, start, end, signed, active, period, territory,
    parent_name = parent?.name, east = territory within East, quarter = fiscal_quarter(start),
  }
}

report by_territory "By territory" {
  from rows.at(2025-06-30)
  group by territory
  columns { n = count(), total = sum(count), top = max(share) }
  order by territory
  totals
}
"#;

/// The checked [`SCHEMA`] (compiled once).
pub fn schema() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let checked = tally_check::check_source("schema.tally", SCHEMA, &NoImports);
        assert!(
            !checked.has_errors(),
            "the fuzz schema does not check: {:?}",
            checked.diagnostics
        );
        checked.program
    })
}

fn rows_table(program: &Program) -> TableId {
    program
        .table_named("rows")
        .expect("the schema declares `rows`")
}

fn load_limits() -> LoadLimits {
    LoadLimits {
        max_rows_per_table: Some(1000),
        ..LoadLimits::default()
    }
}

fn eval_limits() -> Limits {
    Limits {
        max_steps: Some(100_000),
        max_output_rows: Some(10_000),
        ..Limits::default()
    }
}

/// Checks one load: diagnostics in range; a clean load evaluates.
fn after_load(program: &Program, loaded: Loaded) {
    assert_diagnostics_in_range(&loaded.diagnostics, &loaded.sources);
    if loaded.has_errors() {
        return;
    }
    if let Err(e) = tally_eval::evaluate(program, loaded.store, eval_limits()) {
        let d = e.to_diagnostic();
        assert_diagnostics_in_range(&[d], &program.sources);
    }
}

/// `load_csv`: arbitrary bytes as the CSV file of the schema's table.
pub fn load_csv(data: &[u8]) {
    let program = schema();
    let table = rows_table(program);
    let loaded = tally_data::load_table_bytes(
        program,
        table,
        "rows.csv",
        data,
        Format::Csv,
        &load_limits(),
    );
    after_load(program, loaded);
}

/// `load_json`: arbitrary bytes as a JSON file and as a JSON Lines file of
/// the schema's table, and, when they are JSON, as rows a host hands to
/// `Policy::tables_from_json`.
pub fn load_json(data: &[u8]) {
    let program = schema();
    let table = rows_table(program);
    for (name, format) in [
        ("rows.json", Format::Json),
        ("rows.jsonl", Format::JsonLines),
    ] {
        let loaded =
            tally_data::load_table_bytes(program, table, name, data, format, &load_limits());
        after_load(program, loaded);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let policy = schema_policy();
        match policy.tables_from_json(&[("rows", value)]) {
            Ok(loaded) => {
                if let Err(f) = policy.evaluate(&loaded, eval_limits()) {
                    assert_diagnostics_in_range(&f.diagnostics, &f.sources);
                }
            }
            Err(f) => assert_diagnostics_in_range(&f.diagnostics, &f.sources),
        }
    }
}

fn schema_policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::compile("schema.tally", SCHEMA, &NoImports)
            .unwrap_or_else(|f| panic!("the fuzz schema does not compile:\n{f}"))
    })
}

// ---------------------------------------------------------------- eval

/// The tables every generated policy declares (the fixed data below fits
/// them).
pub const EVAL_BASE: &str = r#"territories {
  World {
    East { NY  NJ }
    West
  }
}

table reps {
  id: Text key
  name: Text
  role: Text
  manager: reps?      from "manager_id"
  home: Territory?
}

table deals {
  id: Text key
  owner: reps
  helper: reps?
  amount: Money
  closed: Date
  stage: Text
  seats: Int
  discount: Percent?
  ratio: Decimal
}

table quotas {
  rep: reps
  period: Period
  amount: Money
}

table owners effective(start, end) {
  territory: Territory
  rep: reps
  start: Date
  end: Date?
}
"#;

/// Declarations a generated policy picks from (by byte). Together they
/// reach every kind of declaration and most runtime errors: unique
/// overlaps, none payees, rollup cycles, zero tier bases, currencies,
/// overflow, division by zero, missing keys, dates out of range.
pub const FRAGMENTS: &[&str] = &[
    // 0
    "settings {\n  currency = USD\n  fiscal_year_start = February\n  rounding = half_up\n}\n",
    // 1
    "assign deals.segment (first match) {\n  rule \"Big\" when amount >= 1000 USD then \"Enterprise\"\n  rule \"Many\" when seats > 10 then \"Mid\"\n  otherwise \"SMB\"\n}\n",
    // 2
    "assign deals.tier (unique) {\n  rule \"Won\" when stage == \"Won\" then 1\n  rule \"Large\" when seats >= 100 then 2\n}\n",
    // 3
    "assign reps.zone (first match) {\n  rule \"AE east\" when role == \"AE\" and home within East then NY\n  rule \"West\" when home == West then West\n}\n",
    // 4
    "credit deals where stage == \"Won\" on closed {\n  revenue (first match) {\n    rule \"Split\" when helper is some then owner gets 60%, helper gets 40%\n    otherwise owner gets 100%\n  }\n  rollup revenue via manager as manager\n}\n",
    // 5
    "credit deals on closed {\n  let t = owner.home\n  revenue (all match) {\n    rule \"Owner\" when seats > 0 then owner gets 100%\n    rule \"Helper\" when ratio > 1 and helper is some then helper gets 50%\n  }\n}\n",
    // 6
    "plan comp \"Commission\" {\n  for r in reps where role == \"AE\"\n  for q in quarters(FY2025)\n  bookings = credits.where(payee == r and date in q).sum(amount)\n  quota = quotas.where(rep == r and period == q).sum(amount)\n  attainment = if quota > 0 USD then bookings / quota else 0%\n  commission = tiered marginal (bookings) {\n    up to 1000 USD => 4%\n    up to 100_000 USD => 8%\n    above => 12%\n  }\n  payout = min(commission, 30_000 USD)\n}\n",
    // 7
    "plan bonus \"Bonus\" {\n  for r in reps\n  for m in months(FY2025-Q2)\n  total = deals.where(owner == r and closed in m).sum(amount)\n  quota = quotas.where(rep == r).sum(amount)\n  bonus = if quota > 0 USD then tiered retro (total of quota) {\n    up to 100% => 1%\n    above => 2%\n  } else 0 USD\n}\n",
    // 8
    "report by_owner \"By owner\" {\n  from deals where closed >= 2025-01-01\n  group by owner = owner.name, quarter = fiscal_quarter(closed)\n  columns { n = count(), total = sum(amount), avg_seats = avg(seats), top = max(amount), first_id = first(id) }\n  order by total desc, owner\n  limit 5\n  totals\n}\n",
    // 9
    "report flat \"Flat\" {\n  from deals\n  columns { id, per_seat = amount / seats, scaled = seats * seats * seats, share = discount ?? 0%, mgr = owner.manager?.name, moved = add_months(closed, seats) }\n  order by closed desc\n}\n",
    // 10
    "report credit_rows \"Credits\" {\n  from credits\n  columns { deal, payee, role, rule, share, amount, date, days = days_between(date, 2026-01-01) }\n}\n",
    // 11
    "report owners_now \"Owners\" {\n  from owners.at(2025-06-30)\n  columns { territory, rep = rep.name, path = territory.path, up = territory.ancestor(1) }\n}\n",
    // 12
    "const rates = {\"Won\": 100%, \"Lost\": 0%}\nconst big = [\"D-1\", \"D-2\"]\nfn weight(d: deals) -> Percent = rates[d.stage] ?? 50%\nreport weighted \"Weighted\" {\n  from deals where id in big or seats > 5\n  columns { id, w = weight(deals[id]), amt = amount * weight(deals[id]), r = round(ratio, 2) }\n}\n",
    // 13
    "report of_report \"Of report\" {\n  from by_owner where n > 0\n  columns { owner, total }\n}\n",
    // 14
    "report lookups \"Lookups\" {\n  from reps\n  columns { id, boss = reps[id].manager?.id, deals = deals.where(owner == id).count(), any = deals.any(seats > 1000), only = quotas.where(rep == id).only(period) }\n}\n",
    // 15
    "report money \"Money\" {\n  from deals\n  group by stage\n  columns { total = sum(amount), low = min(amount), avg = avg(amount), abs_total = abs(sum(amount)), cur = currency(sum(amount)), amt = amount_of(sum(amount)) }\n}\n",
    // 16
    "report sorted \"Sorted\" {\n  from deals.sort(seats desc)\n  columns { id, s = clamp(seats, 0, 100), l = len(id), u = upper(stage), c = concat(id, \"-\", stage), ratio_pct = ratio as Percent }\n  limit 3\n}\n",
    // 17
    "test \"segments\" {\n  given deals = [\n    { id: \"T-1\", owner: \"R-1\", helper: none, amount: 5 USD, closed: 2025-01-01, stage: \"Won\", seats: 1, discount: none, ratio: 1.5 },\n  ]\n  given reps = [{ id: \"R-1\", name: \"A\", role: \"AE\", manager: none, home: NY }]\n  expect deals[\"T-1\"].seats == 1\n}\n",
    // 18
    "report dates \"Dates\" {\n  from deals\n  columns { id, fy = fiscal_year(closed), fm = fiscal_month(closed), later = add_days(closed, seats * 1000), s = start(fiscal_quarter(closed)), e = end(fiscal_year(closed)) }\n}\n",
    // 19
    "report ratios \"Ratios\" {\n  from deals\n  columns { id, q = ratio / seats, p = (discount ?? 0%) * (discount ?? 0%), i = seats / 3, n = -seats }\n}\n",
];

/// Fragments that need another: `(fragment, any of these)`. Plans and
/// reports over `credits` need a credit block; a report of a report needs
/// that report.
const NEEDS: &[(usize, &[usize])] = &[(6, &[4, 5]), (10, &[4, 5]), (13, &[8])];

/// [`EVAL_BASE`] with the fragments `picks` names (indexes into
/// [`FRAGMENTS`]), each once, in index order, and the fragments those
/// need: a policy that always compiles.
pub fn fragment_policy(picks: &[usize]) -> String {
    let mut chosen = [false; FRAGMENTS.len()];
    for &i in picks {
        if let Some(c) = chosen.get_mut(i) {
            *c = true;
        }
    }
    for &(fragment, any_of) in NEEDS {
        if chosen[fragment] && !any_of.iter().any(|&i| chosen[i]) {
            chosen[any_of[0]] = true;
        }
    }
    let mut text = EVAL_BASE.to_string();
    for (fragment, _) in FRAGMENTS.iter().zip(chosen).filter(|(_, c)| *c) {
        text.push('\n');
        text.push_str(fragment);
    }
    text
}

/// Cells of the fixed data set that a byte may replace, with the values it
/// picks from.
const AMOUNTS: &[&str] = &[
    "100.00",
    "0",
    "-50.005",
    "1 EUR",
    "79228162514264337593543950335",
    "0.0000000000000000000000000001",
    "12345.678 USD",
];
const SEATS: &[i64] = &[1, 0, -1, 12, 1000, i64::MAX, i64::MIN];
const DATES: &[&str] = &[
    "2025-03-15",
    "2025-05-31",
    "2024-12-31",
    "9999-12-31",
    "0001-01-01",
    "2025-02-28",
];
const RATIOS: &[&str] = &["1.5", "0", "-2", "7922816251426433759354395033.5", "3"];
const MANAGERS: &[Option<&str>] = &[None, Some("R-1"), Some("R-2"), Some("R-3")];
const STAGES: &[&str] = &["Won", "Lost", "Won", "Open"];

/// Reads bytes one at a time; zero when they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<'v, T>(&mut self, values: &'v [T]) -> &'v T {
        &values[usize::from(self.next()) % values.len()]
    }
}

/// The fixed data set, with some cells chosen by `bytes`.
fn eval_tables(bytes: &mut Bytes<'_>) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let mut reps = Vec::new();
    for (i, (role, home)) in [("AE", "NY"), ("AE", "West"), ("VP", "World")]
        .into_iter()
        .enumerate()
    {
        let manager = *bytes.pick(MANAGERS);
        reps.push(json!({
            "id": format!("R-{}", i + 1),
            "name": format!("Rep {}", i + 1),
            "role": role,
            "manager_id": manager,
            "home": home,
        }));
    }
    let mut deals = Vec::new();
    for i in 0..4 {
        let owner = format!("R-{}", i % 3 + 1);
        let helper = (i % 2 == 1).then(|| format!("R-{}", (i + 1) % 3 + 1));
        let amount = *bytes.pick(AMOUNTS);
        let seats = *bytes.pick(SEATS);
        let closed = *bytes.pick(DATES);
        let ratio = *bytes.pick(RATIOS);
        let stage = *bytes.pick(STAGES);
        deals.push(json!({
            "id": format!("D-{}", i + 1),
            "owner": owner,
            "helper": helper,
            "amount": amount,
            "closed": closed,
            "stage": stage,
            "seats": seats,
            "discount": if i == 0 { None } else { Some("10%") },
            "ratio": ratio,
        }));
    }
    let quotas = json!([
        { "rep": "R-1", "period": "FY2025-Q2", "amount": *bytes.pick(AMOUNTS) },
        { "rep": "R-2", "period": "FY2025-Q1", "amount": "1000.00" },
    ]);
    let owners = json!([
        { "territory": "NY", "rep": "R-1", "start": "2025-01-01", "end": null },
        { "territory": "West", "rep": "R-2", "start": *bytes.pick(DATES), "end": "2025-12-31" },
    ]);
    vec![
        ("reps", serde_json::Value::Array(reps)),
        ("deals", serde_json::Value::Array(deals)),
        ("quotas", quotas),
        ("owners", owners),
    ]
}

/// Compiles `text`; when it checks, evaluates it over `tables` within the
/// fuzz limits (and, when the optimised evaluation succeeds, checks that
/// the reference evaluation agrees on every report).
fn compile_and_run(text: &str, tables: &[(&str, serde_json::Value)]) {
    let checked = tally_check::check_source("fuzz.tally", text, &NoImports);
    assert_no_internal_error(&checked);
    assert_diagnostics_in_range(&checked.diagnostics, &checked.program.sources);
    let trace = std::env::var_os("TALLY_FUZZ_TRACE").is_some();
    let Ok(policy) = Policy::compile("fuzz.tally", text, &NoImports) else {
        if trace {
            let first = checked.diagnostics.iter().find(|d| d.is_error());
            eprintln!("eval: does not compile: {:?}", first.map(|d| &d.message));
        }
        return;
    };
    let data = match policy.tables_from_json(tables) {
        Ok(data) => data,
        Err(f) => {
            if trace {
                eprintln!("eval: data does not load: {}", f.render(false));
            }
            assert_diagnostics_in_range(&f.diagnostics, &f.sources);
            return;
        }
    };
    let fast = policy.evaluate(&data, eval_limits());
    let reference = policy.evaluate_reference(&data, eval_limits());
    if trace {
        match &fast {
            Ok(r) => eprintln!("eval: ok, reports {:?}", r.report_names()),
            Err(f) => eprintln!("eval: runtime error {}", f.render(false)),
        }
    }
    match (&fast, &reference) {
        (Ok(fast), Ok(reference)) => {
            for name in fast.report_names() {
                assert_eq!(
                    fast.csv(&name),
                    reference.csv(&name),
                    "report `{name}` differs from the reference evaluation"
                );
            }
        }
        (Err(f), _) | (_, Err(f)) => assert_diagnostics_in_range(&f.diagnostics, &f.sources),
    }
}

/// `eval`: small generated policies over small data; compile and
/// evaluate must never panic or hang (the limits bound every run).
///
/// The first byte picks the mode:
/// - even: the next byte is a count, then each byte picks a fragment of
///   [`FRAGMENTS`] (see [`fragment_policy`]: the policy always compiles);
///   the remaining bytes pick cells of the fixed data set;
/// - `1 mod 4`: the rest (UTF-8) is appended to [`EVAL_BASE`] and run over
///   the fixed data set;
/// - `3 mod 4`: the rest (UTF-8) is a whole policy, run with every table
///   empty.
pub fn eval(data: &[u8]) {
    let mut bytes = Bytes(data);
    let mode = bytes.next();
    if mode % 2 == 0 {
        let count = usize::from(bytes.next() % 8);
        let picks: Vec<usize> = (0..count)
            .map(|_| usize::from(bytes.next()) % FRAGMENTS.len())
            .collect();
        let text = fragment_policy(&picks);
        let tables = eval_tables(&mut bytes);
        compile_and_run(&text, &tables);
        return;
    }
    let Ok(rest) = std::str::from_utf8(bytes.0) else {
        return;
    };
    if mode % 4 == 1 {
        let text = format!("{EVAL_BASE}\n{rest}");
        let tables = eval_tables(&mut Bytes(&[]));
        compile_and_run(&text, &tables);
    } else {
        compile_and_run(rest, &[]);
    }
}
