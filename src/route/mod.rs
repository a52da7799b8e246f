//! Pure deciders: given what is known about a case and a mail, what should happen. Each
//! returns effects ([`crate::domain::effect::Effect`]) or a refusal, and is tested as a
//! table of cases without a database or a mail server.

pub mod reply;
