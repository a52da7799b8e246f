//! klachtenbus turns a company mailbox into a complaints register that follows the firm's
//! complaints procedure.
//!
//! The modules follow the path a message takes:
//! - [`mailbox`]: IMAP intake (connect, batched fetch, checkpoint, `\Seen` after commit,
//!   the IDLE/poll watch with reconnects);
//! - [`parse`]: mail-parser wrapped so that no message can crash the daemon;
//! - [`store`]: the register in SQLite or PostgreSQL (sqlx), with embedded migrations;
//! - [`detect`]: screening and the explainable complaint heuristics;
//! - [`pipeline`]: routing of what intake stored: screening, detection, cases, directie's
//!   replies, follow-ups;
//! - [`route`]: pure deciders (a directie reply against its case → effects or a refusal);
//! - [`domain`]: the effects a decision has, as values;
//! - [`authority`]: who a mail is from, for decisions (one From, aligned
//!   Authentication-Results per RFC 8601);
//! - [`case`]: case references, the lifecycle state machine, reply commands and tokens;
//! - [`letters`]: tera templates for letters and notices;
//! - [`oauth`]: OAuth2 access tokens for IMAP and SMTP (client credentials, refresh token,
//!   token command);
//! - [`pdf`]: letters on A4 paper for complainants without e-mail;
//! - [`outbox`]: the SMTP worker that sends queued mail once, with retries;
//! - [`calendar`]: the Dutch working-day calendar the deadlines run on;
//! - [`import`]: archived `.eml` files into the register;
//! - [`form`]: the Klachtenformulier for complaints by phone, in person or by letter;
//! - [`report`]: the half-yearly inventory; `store::register`: retention, purge and erase;
//! - [`dossier`]: one case exported with its original messages;
//! - [`config`]: layered settings with errors that name the setting;
//! - [`logging`]: tracing setup and address masking;
//! - [`startup`]: the application assembled from its settings (also in process, for tests);
//! - [`cli`]: the `klachtenbus` commands.

pub mod authority;
pub mod calendar;
pub mod case;
pub mod cli;
pub mod clock;
pub mod config;
pub mod corpus;
pub mod detect;
pub mod documents;
pub mod domain;
pub mod dossier;
pub mod form;
pub mod import;
pub mod letters;
pub mod logging;
pub mod mailbox;
pub mod oauth;
pub mod outbox;
pub mod parse;
pub mod pdf;
pub mod pipeline;
pub mod report;
pub mod route;
pub mod startup;
pub mod store;
