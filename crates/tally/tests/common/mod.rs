//! Helpers shared by the integration tests.

use tally::{Data, Limits, Policy};

/// Report `name` of `policy` over `data`, computed by the reference
/// evaluation and by the engine on each number of `threads`: asserted to be
/// the same CSV every way, made of the same values, and returned.
pub fn same_every_way(policy: &Policy, data: &Data, name: &str, threads: &[usize]) -> String {
    let results = policy
        .evaluate_reference(data, Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let reference = results
        .csv(name)
        .unwrap_or_else(|| panic!("no report {name}"));
    let values = results.rows(name);
    for &n in threads {
        let limits = Limits {
            threads: Some(n),
            ..Limits::default()
        };
        let got = policy
            .evaluate(data, limits)
            .unwrap_or_else(|f| panic!("{}", f.render(false)));
        assert_eq!(
            got.csv(name).as_deref(),
            Some(reference.as_str()),
            "{name} on {n} threads"
        );
        assert_eq!(got.rows(name), values, "{name}'s values on {n} threads");
    }
    reference
}
