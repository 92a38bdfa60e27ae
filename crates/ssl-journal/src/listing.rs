//! Reading a provider's listing for one journal entry: every order for the entry's common name created since
//! a day before the intent (clocks differ), all pages, each order read in full when its listing row echoes neither
//! the CSR nor a reference. For a reissue, the reissued order itself is read as well.

use std::collections::BTreeSet;

use ssl_core::model::{OrderFilter, Verb};
use ssl_core::{Error, Provider};

use crate::entry::Entry;
use crate::matching::Listed;
use crate::reference::SpendVerb;

/// Orders a page (the most DigiCert and GoGetSSL serve).
const PAGE: u32 = 1000;

/// Most pages read for one entry (a listing filtered by name and day is short; GoGetSSL's lists every order, 1,000
/// a page). A longer listing is not used to decide anything.
const MAX_PAGES: usize = 50;

/// A provider's listing for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// The orders that may be the entry's.
    Orders(Vec<Listed>),
    /// The provider has no usable listing.
    Unsupported(String),
}

/// List the orders that may belong to `entry`. `known` are order ids the journal has already matched to requests
/// with another CSR key: none of them can be this entry's order, so they are neither returned nor read (GoGetSSL's
/// listing has ids only: without this every reconciliation would read every order of the account).
pub async fn list_for(p: &dyn Provider, entry: &Entry, known: BTreeSet<String>) -> Result<Listing, Error> {
    if !p.capabilities().supports(Verb::ListOrders) {
        return Ok(Listing::Unsupported(format!("{} has no order listing", p.name())));
    }
    let since = (entry.intent_at - time::Duration::days(1)).date();
    let mut filter =
        OrderFilter::new().common_name(entry.intent.common_name.clone()).since(since).exclude_ids(known).limit(PAGE);
    let mut out = Vec::new();
    let mut complete = false;
    for _ in 0..MAX_PAGES {
        let page = match p.list_orders(&filter).await {
            Ok(page) => page,
            Err(Error::Unsupported { .. }) => {
                return Ok(Listing::Unsupported(format!("{} has no order listing", p.name())));
            }
            Err(e) => return Err(e),
        };
        for o in page.orders.iter().filter(|o| filter.matches(o)) {
            let mut l = Listed::from_order(o);
            if l.csr_key.is_none() && l.reference.is_none() {
                // Listing rows often carry no CSR: the order itself does.
                let full = p.get(&o.order_id).await?;
                let f = Listed::from_order(&full);
                l.csr_key = f.csr_key;
                l.reference = f.reference;
                if l.names.is_empty() {
                    l.names = f.names;
                }
            }
            out.push(l);
        }
        match page.next {
            Some(cursor) => filter = filter.cursor(cursor),
            None => {
                complete = true;
                break;
            }
        }
    }
    if !complete {
        // An order on a page not read cannot be ruled out: never decide "absent" on part of a listing.
        return Ok(Listing::Unsupported(format!(
            "the {} listing for `{}` has more than {MAX_PAGES} pages",
            p.name(),
            entry.intent.common_name
        )));
    }
    if entry.intent.verb == SpendVerb::Reissue {
        if let Some(id) = &entry.intent.predecessor {
            out.push(Listed::from_order(&p.get(id).await?));
        }
    }
    Ok(Listing::Orders(out))
}

/// Where a person looks when the listing cannot decide.
pub fn lookup_hint(provider: &str) -> String {
    format!("the {provider} account's order list (web console or API), for an order with this entry's names and CSR")
}
