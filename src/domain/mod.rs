//! The pure core: what a decision changes, as values. No async, no database, no mail,
//! no templates: deciders in [`crate::route`] return [`effect::Effect`]s, and the store
//! writes them in one transaction.

pub mod effect;
pub mod excerpt;
pub mod name;
pub mod refusal;
