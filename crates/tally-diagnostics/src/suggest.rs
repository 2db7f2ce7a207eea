//! "Did you mean" suggestions by edit distance.

/// The candidate closest to `name`, if it is close enough to be a likely
/// typo (case-insensitive Damerau–Levenshtein distance of at most a third of
/// the name's length, and at least 1).
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest_many(name, candidates, 1).into_iter().next()
}

/// Up to `max` candidates close to `name`, best first (ties by name).
pub fn closest_many<'a, I>(name: &str, candidates: I, max: usize) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter_map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
            let prefix = c.to_lowercase().starts_with(&lower) && lower.len() >= 3;
            (d <= limit || prefix).then_some((if prefix { d.min(limit) } else { d }, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(max)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        let cols = ["country", "state", "industry", "employees"];
        assert_eq!(closest("contry", cols), Some("country".to_string()));
        assert_eq!(closest("employes", cols), Some("employees".to_string()));
        assert_eq!(closest("xyz", cols), None);
    }
}
