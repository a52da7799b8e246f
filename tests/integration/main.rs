//! Integration tests: one binary (one link step) with a module per area. They run against
//! real Dovecot, Postfix and PostgreSQL started by `harness`.

mod app;
mod cases;
#[path = "harness.rs"]
mod harness;
mod support;

mod calendar;
mod check;
mod config_cli;
mod corpus;
mod deadlines;
mod detection;
mod dossier;
mod fit;
mod forms;
mod hardening;
mod instances;
mod intake;
mod inventory;
mod oauth;
mod progress;
mod replies;
mod sending;
mod storage;
