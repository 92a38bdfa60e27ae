//! `ssl-orders submit ORDER_ID`: send a draft to the CA ([`ssl_core::Provider::submit`], `Verb::Submit`), then
//! print the order as `status` does. Providers without drafts answer that they have none (exit 1).

use crate::commands::{Session, print_order};
use crate::fail::Failure;

/// Submit `order_id` and print the order.
pub(crate) async fn submit(s: &Session, order_id: &str) -> Result<(), Failure> {
    let o = s.provider.submit(order_id).await?;
    print_order(s, &o);
    Ok(())
}
