//! Id counters: one per name (`digicert.order`, `gogetssl.invoice`...), starting at a base the provider picks, kept
//! across resets so an id is never handed out twice by one state directory.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ids(BTreeMap<String, i64>);

impl Ids {
    /// The next value of counter `name` (`base` when it is new or below `base`).
    pub(crate) fn next(&mut self, name: &str, base: i64) -> i64 {
        let c = self.0.entry(name.to_owned()).or_insert(base);
        if *c < base {
            *c = base;
        }
        let v = *c;
        *c += 1;
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_start_at_their_base_and_never_repeat() {
        let mut ids = Ids::default();
        assert_eq!(ids.next("a.order", 100), 100);
        assert_eq!(ids.next("a.order", 100), 101);
        assert_eq!(ids.next("b.order", 7), 7);
        assert_eq!(ids.next("a.order", 500), 500);
    }
}
