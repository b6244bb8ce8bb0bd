//! Autobahn's client-driver URL protocol (fuzzingserver mode): what a
//! request path asks for. Case numbers are 1-based over the selected cases;
//! `casetuple=1.2.3` names a case by id.

use url::form_urlencoded;

/// A case named by a request: its 1-based number or its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseRef {
    /// `case=N`, 1-based over the selected cases.
    Number(usize),
    /// `casetuple=1.2.3`.
    Id(String),
}

/// What a request path asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/getCaseCount`: the number of selected cases, as a text message.
    CaseCount,
    /// `/getCaseInfo?case=N`: id and description as JSON.
    CaseInfo(CaseRef),
    /// `/getCaseStatus?case=N&agent=NAME`: the agent's result as JSON.
    CaseStatus(CaseRef, Option<String>),
    /// `/runCase?case=N&agent=NAME`: runs the case on this connection.
    RunCase(CaseRef, Option<String>),
    /// `/updateReports[?agent=NAME]`: writes the reports (of every agent
    /// without a name).
    UpdateReports(Option<String>),
}

/// Why a path is not part of the protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The path names no command.
    #[error(
        "unknown path {0:?} (expected /getCaseCount, /runCase, /getCaseInfo, /getCaseStatus or /updateReports)"
    )]
    UnknownPath(String),
    /// A command that needs a case got none, or a bad one.
    #[error("{0} needs case=N (1-based) or casetuple=ID")]
    NoCase(&'static str),
}

impl Route {
    /// Parses a request target (`/runCase?case=3&agent=x`).
    pub fn parse(target: &str) -> Result<Route, RouteError> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut case = None;
        let mut agent = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "case" => {
                    case = v
                        .trim()
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .map(CaseRef::Number)
                }
                "casetuple" => case = Some(CaseRef::Id(v.trim().to_string())),
                "agent" if !v.is_empty() => agent = Some(v.into_owned()),
                _ => {}
            }
        }
        let need = |name| case.clone().ok_or(RouteError::NoCase(name));
        Ok(match path.trim_end_matches('/') {
            "/getCaseCount" => Route::CaseCount,
            "/getCaseInfo" => Route::CaseInfo(need("getCaseInfo")?),
            "/getCaseStatus" => Route::CaseStatus(need("getCaseStatus")?, agent),
            "/runCase" => Route::RunCase(need("runCase")?, agent),
            "/updateReports" => Route::UpdateReports(agent),
            _ => return Err(RouteError::UnknownPath(path.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autobahn_paths() {
        assert_eq!(Route::parse("/getCaseCount"), Ok(Route::CaseCount));
        assert_eq!(
            Route::parse("/runCase?case=3&agent=my%20client"),
            Ok(Route::RunCase(CaseRef::Number(3), Some("my client".into())))
        );
        assert_eq!(
            Route::parse("/runCase?casetuple=1.2.3&agent=x"),
            Ok(Route::RunCase(
                CaseRef::Id("1.2.3".into()),
                Some("x".into())
            ))
        );
        assert_eq!(
            Route::parse("/getCaseStatus?case=1&agent=a"),
            Ok(Route::CaseStatus(CaseRef::Number(1), Some("a".into())))
        );
        assert_eq!(
            Route::parse("/updateReports"),
            Ok(Route::UpdateReports(None))
        );
        assert_eq!(
            Route::parse("/runCase?case=0"),
            Err(RouteError::NoCase("runCase"))
        );
        assert!(matches!(Route::parse("/"), Err(RouteError::UnknownPath(_))));
    }
}
