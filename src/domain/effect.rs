//! What a decision changes in the register, as data: the deciders return a list of
//! effects, the runner writes them in order in one transaction.

use chrono::NaiveDate;

use crate::case::{Category, Outcome, Status};

/// One change to a case (or a letter about it), in the order it is to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The case moves to this status (stamping the moment it was confirmed, given its
    /// position or closed).
    SetStatus(Status),
    /// The position is now due on this (working) day.
    SetPositionBy(NaiveDate),
    SetCategory(Category),
    SetEmployee(String),
    SetOutcome(Outcome),
    /// A measure taken after the complaint, in the case's category as it then is.
    AddMeasure {
        text: String,
        category: Option<String>,
    },
    /// A timeline entry by the decision's author.
    Event {
        kind: String,
        detail: String,
    },
    /// A letter to the complainant.
    Letter(LetterKind),
    /// Directie posted the printed acknowledgement (`position: false`) or position letter.
    LetterPosted {
        position: bool,
    },
    /// The position letter as a draft, to the directie member who wrote it, who sends it
    /// with `VERSTUUR`.
    Draft(String),
}

/// Which letter a decision sends the complainant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterKind {
    /// The bevestigingsbrief. `promised`: the position date had passed when the complaint
    /// was confirmed; the letter apologises and promises this date instead (the register
    /// keeps the missed deadline). `kifid`: the 8-week mark falls on or before the promised
    /// date (the letter names Kifid).
    Acknowledgement {
        promised: Option<NaiveDate>,
        kifid: bool,
    },
    /// The standpuntbrief, with the position as directie wrote it.
    Position(String),
    /// The verlengingsbrief: the position deadline moved from `previous` (None when that
    /// date has passed: the letter does not repeat it).
    Extension {
        previous: Option<NaiveDate>,
        reason: String,
        kifid: bool,
    },
}
