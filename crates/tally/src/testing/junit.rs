//! JUnit XML for CI systems (GitHub Actions, GitLab, Jenkins).

use super::{Outcome, TestReport};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML document for the reports of one `tally test` run.
pub fn junit_xml(reports: &[TestReport]) -> String {
    let tests: usize = reports.iter().map(|r| r.cases.len()).sum();
    let failures: usize = reports.iter().map(TestReport::failures).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"tally\" tests=\"{tests}\" failures=\"{failures}\">\n"
    ));
    for r in reports {
        let time: f64 = r.cases.iter().map(|c| c.duration.as_secs_f64()).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{time:.3}\">\n",
            escape(&r.policy),
            r.cases.len(),
            r.failures()
        ));
        for c in &r.cases {
            let name = format!("{} \"{}\"", c.kind, c.name);
            let head = format!(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3}\"",
                escape(&r.policy),
                escape(&name),
                escape(&c.location),
                c.duration.as_secs_f64()
            );
            match &c.outcome {
                Outcome::Failed(why) => {
                    let first = why.lines().next().unwrap_or("failed");
                    out.push_str(&format!(
                        "{head}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        escape(first),
                        escape(why)
                    ));
                }
                _ => out.push_str(&format!("{head}/>\n")),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
