//! Running Tally on a generated directory, phase by phase.

use std::path::Path;
use std::time::Instant;
use tally::{Limits, Policy};

/// Compiles, loads, evaluates and renders; prints `{"phase": seconds}` JSON.
pub fn run(dir: &Path, out: &Path) -> Result<(), String> {
    let total = Instant::now();
    let started = Instant::now();
    let policy = Policy::compile_file(&dir.join("policy.tally")).map_err(|f| f.render(false))?;
    let compile = started.elapsed();
    let started = Instant::now();
    let data = policy
        .load_dir(&dir.join("data"))
        .map_err(|f| f.render(false))?;
    let load = started.elapsed();
    let (results, phases) = policy
        .evaluate_profiled(data, Limits::default())
        .map_err(|f| f.render(false))?;
    let started = Instant::now();
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    for name in results.report_names() {
        let csv = results.csv(&name).unwrap_or_default();
        std::fs::write(out.join(format!("{name}.csv")), csv).map_err(|e| e.to_string())?;
    }
    let render = started.elapsed();
    let mut timings = serde_json::Map::new();
    timings.insert("compile".into(), compile.as_secs_f64().into());
    timings.insert("load".into(), load.as_secs_f64().into());
    for (phase, d) in phases {
        timings.insert(phase.into(), d.as_secs_f64().into());
    }
    timings.insert("render".into(), render.as_secs_f64().into());
    timings.insert("total".into(), total.elapsed().as_secs_f64().into());
    println!("{}", serde_json::Value::Object(timings));
    Ok(())
}
