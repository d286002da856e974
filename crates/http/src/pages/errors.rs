//! What the pages say about an error, in the visitor's language. The API's messages are
//! English (`ApiError`'s `Display`); a page says the same in the request's language from the
//! catalogues (`error-<CODE>`), with the values the error carries. A technical detail made by a
//! parser (JSON, the risk language) or a list of problems of a configuration stays as it was
//! written, after a sentence in the page's language.

use smartcustoms_core::ledger::AmountError;
use smartcustoms_core::requests::Problem;

use crate::app::control::Settled;
use crate::app::desk::DeskError;
use crate::app::money::MoneyError;
use crate::app::organisation::OrgError;
use crate::error::ApiError;
use crate::i18n::{current, number, t, t_or, t_with, Lang};

/// The error's message in the request's language.
pub fn text(e: &ApiError) -> String {
    if current() == Lang::En {
        return e.to_string();
    }
    let id = format!("error-{}", e.code());
    let detail = |d: &str| t_with(&id, &[("detail", d.to_string().into())]);
    match e {
        ApiError::Forbidden(role, _) => t_with(&id, &[("role", t_or(&format!("role-{role}"), role).into())]),
        ApiError::TooManySignIns(minutes) => t_with(&id, &[("minutes", (*minutes).into())]),
        ApiError::NotYours(d) | ApiError::UnknownTrader(d) => t_with(&id, &[("id", d.clone().into())]),
        ApiError::Schema { path, message } => {
            t_with(&id, &[("path", path.clone().into()), ("detail", message.clone().into())])
        }
        ApiError::TooLarge(bytes) => t_with(&id, &[("bytes", (*bytes).into())]),
        ApiError::DeclarantMismatch { token, declared } => {
            t_with(&id, &[("token", token.clone().into()), ("declared", declared.clone().into())])
        }
        ApiError::NotAuthorised { filer, declared } => {
            t_with(&id, &[("filer", filer.clone().into()), ("declared", declared.clone().into())])
        }
        ApiError::BadParameter(name, d) | ApiError::StaffInvalid(name, d) => {
            t_with(&id, &[("name", (*name).into()), ("detail", d.clone().into())])
        }
        ApiError::BadHeader(name, d) => t_with(&id, &[("name", (*name).into()), ("detail", (*d).into())]),
        ApiError::UnstorableText(field) => t_with(&id, &[("field", (*field).into())]),
        ApiError::UnsupportedMediaType(media) => t_with(&id, &[("media", (*media).into())]),
        ApiError::InsufficientFunds { available, needed, missing } => t_with(
            &id,
            &[
                ("available", crate::i18n::number_text(available).into()),
                ("needed", crate::i18n::number_text(needed).into()),
                ("missing", crate::i18n::number_text(missing).into()),
            ],
        ),
        ApiError::SurveyInvalid(findings) => t_with(&id, &[("count", findings.len().into())]),
        ApiError::MovementInvalid(findings) => t_with(&id, &[("count", findings.len().into())]),
        ApiError::SealReportInvalid(problems) => t_with(&id, &[("count", problems.len().into())]),
        ApiError::TraceReportInvalid(problems) => t_with(&id, &[("count", problems.len().into())]),
        ApiError::TraceRefused(refusals) => detail(refusals.first().map_or("", |f| f.message.as_str())),
        ApiError::CheckpointEventInvalid(problems) | ApiError::CheckpointInvalid(problems) => {
            t_with(&id, &[("count", problems.len().into())])
        }
        ApiError::DeviceSignature(e) | ApiError::PartnerSignature(e) => detail(e.code()),
        ApiError::PartnerMessage { path, message } => {
            t_with(&id, &[("path", path.clone().into()), ("detail", message.clone().into())])
        }
        ApiError::XmlInvalid(e) => detail(&e.to_string()),
        ApiError::BookingRefused(reasons) => detail(reasons.first().map_or("", |r| r.message.as_str())),
        ApiError::VehicleRefused { reason, .. } => detail(reason),
        ApiError::ReferenceTaken { reference, mrn, fields } => t_with(
            &id,
            &[
                ("reference", reference.clone().into()),
                ("mrn", mrn.clone().into()),
                ("detail", fields.join(", ").into()),
            ],
        ),
        ApiError::TransitRefused(r) => detail(&r.message()),
        ApiError::Settled(s) => settled(s),
        ApiError::RequestInvalid(i) => {
            t_with(&id, &[("field", i.field.into()), ("detail", request(&i.problem).into())])
        }
        ApiError::TariffInvalid(problems)
        | ApiError::AssessmentInvalid(problems)
        | ApiError::DispatchInvalid(problems) => detail(&problems.join("; ")),
        ApiError::MalformedJson(d)
        | ApiError::NotFound(d)
        | ApiError::Conflict(d)
        | ApiError::ProfileSyntax(d)
        | ApiError::PaymentConflict(d)
        | ApiError::BadAmount(d)
        | ApiError::ModelTraining(d)
        | ApiError::SearchQuery(d)
        | ApiError::Answered(d)
        | ApiError::SigningKey(d)
        | ApiError::SignatureRejected(d)
        | ApiError::StakeUnknown(d)
        | ApiError::NoActiveTransit(d)
        | ApiError::PartnerUnknown(d)
        | ApiError::PartnerKey(d) => detail(d),
        ApiError::MissingToken
        | ApiError::InvalidToken
        | ApiError::CsrfMismatch
        | ApiError::CrossOrigin
        | ApiError::BodyTimeout
        | ApiError::Overloaded
        | ApiError::BadPublicKey
        | ApiError::Unavailable => t(&id),
    }
}

/// Why an action on a declaration did nothing: its state now and who changed it last.
pub fn settled(s: &Settled) -> String {
    let state = t_or(&format!("state-{}", s.state.as_str()), s.state.as_str());
    let args = [("id", s.id.to_string().into()), ("state", state.into())];
    match &s.by {
        Some((who, at)) => {
            let mut args = args.to_vec();
            args.push(("by", who.clone().into()));
            args.push(("at", format!("{} UTC", super::minute(*at)).into()));
            t_with("settled-by", &args)
        }
        None => t_with("settled", &args),
    }
}

/// Why an amount of money was not taken.
pub fn money(e: &MoneyError) -> String {
    match e {
        MoneyError::BadAmount(a) => amount(a),
        MoneyError::InsufficientFunds { available, needed, missing } => t_with(
            "error-PAY_003",
            &[
                ("available", number(available.to_decimal()).into()),
                ("needed", number(needed.to_decimal()).into()),
                ("missing", number(missing.to_decimal()).into()),
            ],
        ),
        other => other.to_string(),
    }
}

/// Why a figure is not an amount one payment or refund may carry.
pub fn amount(e: &AmountError) -> String {
    let (id, value) = match e {
        AmountError::SubCent(v) => ("amount-sub-cent", v),
        AmountError::NotPositive(v) => ("amount-not-positive", v),
        AmountError::TooLarge(v) => ("amount-too-large", v),
        AmountError::AbovePaymentLimit(v) => ("amount-above-limit", v),
    };
    let max = smartcustoms_core::ledger::Amount::MAX_PAYMENT.to_decimal();
    t_with(id, &[("value", number(*value).into()), ("max", number(max).into())])
}

/// Why a personal signing key was not made or opened, or a draft not kept.
pub fn desk(e: &DeskError) -> String {
    use smartcustoms_core::sealed_key::SealError;
    match e {
        DeskError::NoKey => t("key-none"),
        DeskError::Mismatch => t("key-mismatch"),
        DeskError::Seal(SealError::BadPassphrase) => t_with(
            "key-passphrase-length",
            &[
                ("min", smartcustoms_core::sealed_key::MIN_PASSPHRASE.into()),
                ("max", smartcustoms_core::sealed_key::MAX_PASSPHRASE.into()),
            ],
        ),
        DeskError::Seal(SealError::WrongPassphrase) => t("key-wrong-passphrase"),
        DeskError::Seal(SealError::Damaged) => t("key-damaged"),
        DeskError::TooBig => t_with("draft-too-big", &[("max", crate::app::desk::MAX_DRAFT_FIELDS.into())]),
        other => other.to_string(),
    }
}

/// Why a change of the organisation's users or authorisations was not made.
pub fn org(e: &OrgError) -> String {
    match (e, current()) {
        (_, Lang::En) => e.to_string(),
        (OrgError::Invalid(_, phrase), _) => phrase.localised(),
        (OrgError::NotFound(what), _) => t_with("error-RES_001", &[("detail", what.clone().into())]),
        (other, _) => other.to_string(),
    }
}

/// What is wrong with a request for documents or an answer, in the request's language.
pub fn request(p: &Problem) -> String {
    use smartcustoms_core::requests::{DUE_HOURS, MAX_ANSWER, MAX_FILES, MAX_FILE_BYTES, MAX_FILE_NAME, MAX_QUESTION};
    if current() == Lang::En {
        return p.to_string();
    }
    match p {
        Problem::QuestionLength => t_with("request-question-length", &[("max", MAX_QUESTION.into())]),
        Problem::DueHours => {
            t_with("request-due-hours", &[("min", (*DUE_HOURS.start()).into()), ("max", (*DUE_HOURS.end()).into())])
        }
        Problem::AnswerLength => t_with("request-answer-length", &[("max", MAX_ANSWER.into())]),
        Problem::Empty => t("request-empty"),
        Problem::TooManyFiles => t_with("request-too-many-files", &[("max", MAX_FILES.into())]),
        Problem::FileName(name) => {
            t_with("request-file-name", &[("name", format!("{name:?}").into()), ("max", MAX_FILE_NAME.into())])
        }
        Problem::MediaType(name, media) => {
            t_with("request-media-type", &[("name", name.clone().into()), ("media", media.clone().into())])
        }
        Problem::FileSize(name, bytes) => t_with(
            "request-file-size",
            &[
                ("name", name.clone().into()),
                ("bytes", (*bytes).into()),
                ("max", (MAX_FILE_BYTES / (1024 * 1024)).into()),
            ],
        ),
        Problem::NotBase64(name) => t_with("request-not-base64", &[("name", format!("{name:?}").into())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::i18n::{has_message, in_language};
    use smartcustoms_core::ledger::Amount;
    use smartcustoms_core::timestamp::Timestamp;
    use smartcustoms_core::workflow::State;

    #[test]
    fn every_error_code_has_its_sentence_in_both_languages() {
        for kind in ErrorKind::ALL {
            for lang in Lang::ALL {
                assert!(has_message(lang, &format!("error-{}", kind.code())), "error-{} in {lang:?}", kind.code());
            }
        }
    }

    #[test]
    fn english_pages_say_what_the_api_says() {
        let errors = [
            ApiError::TooManySignIns(15),
            ApiError::CsrfMismatch,
            ApiError::NotAuthorised { filer: "BROKER1".into(), declared: "IMP2".into() },
            ApiError::BadParameter("limit", "must be 1 to 500".into()),
        ];
        for e in errors {
            assert_eq!(in_language(Lang::En, || text(&e)), e.to_string());
        }
    }

    #[test]
    fn russian_pages_say_errors_in_russian_with_their_values() {
        let ru = |e: ApiError| in_language(Lang::Ru, || text(&e));
        let limited = ru(ApiError::TooManySignIns(15));
        assert!(limited.starts_with("Слишком много") && limited.contains("15"), "{limited}");
        let broker = ru(ApiError::NotAuthorised { filer: "BROKER1".into(), declared: "IMP2".into() });
        assert!(broker.contains("BROKER1") && broker.contains("IMP2") && broker.contains("полномочия"), "{broker}");
        let funds = ru(ApiError::InsufficientFunds {
            available: "1200.50".into(),
            needed: "3000.00".into(),
            missing: "1799.50".into(),
        });
        assert!(funds.contains("1\u{a0}200,50") && funds.contains("1\u{a0}799,50"), "{funds}");
        let forbidden = ru(ApiError::Forbidden("officer", "write risk profiles"));
        assert!(forbidden.starts_with("Ваша роль") && !forbidden.contains("officer"), "{forbidden}");
        assert!(!ru(ApiError::Unavailable).is_ascii());
    }

    #[test]
    fn who_decided_first_is_said_in_the_page_language() {
        let s = Settled {
            id: smartcustoms_core::ids::DeclarationId::generate(),
            state: State::Released,
            by: Some(("n.petrova".into(), Timestamp::from_micros(1_796_306_700_000_000))),
        };
        let en = in_language(Lang::En, || settled(&s));
        assert!(en.starts_with("Nothing was changed") && en.contains("by n.petrova, 2026-12-03 14:05 UTC"), "{en}");
        let ru = in_language(Lang::Ru, || settled(&s));
        assert!(
            ru.starts_with("Ничего не изменено") && ru.contains("Выпущена") && ru.contains("03.12.2026 14:05"),
            "{ru}"
        );
    }

    #[test]
    fn amounts_keys_and_requests_have_russian_texts() {
        let ru = |f: &dyn Fn() -> String| in_language(Lang::Ru, f);
        let sub_cent = MoneyError::BadAmount(AmountError::SubCent("1.005".parse().unwrap_or_default()));
        let amount = ru(&|| money(&sub_cent));
        assert!(amount.contains("1,005") && amount.contains("знаков"), "{amount}");
        let short = MoneyError::InsufficientFunds {
            available: Amount::from_cents(100),
            needed: Amount::from_cents(250),
            missing: Amount::from_cents(150),
        };
        let funds = ru(&|| money(&short));
        assert!(funds.contains("1,00") && funds.contains("2,50") && funds.contains("1,50"), "{funds}");
        assert!(ru(&|| desk(&DeskError::Mismatch)).contains("не совпадают"));
        let file = Problem::FileSize("scan.pdf".into(), 7_000_000);
        let said = ru(&|| request(&file));
        assert!(said.contains("scan.pdf") && said.contains("7\u{a0}000\u{a0}000") && said.contains("5 МБ"), "{said}");
        assert_eq!(in_language(Lang::En, || request(&Problem::Empty)), Problem::Empty.to_string());
    }
}
