//! Autobahn's client-driver URL protocol (fuzzingserver mode): what a
//! request path asks for. Case numbers are 1-based over the selected cases;
//! `casetuple=1.2.3` names a case by id. Two plain HTTP routes sit beside
//! it: the browser driver page at `/` and its JSON at `/results`.

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
    /// `/` (plain HTTP): the browser driver page.
    Page,
    /// `/results?agent=NAME[&cases=P&exclude=P]` (plain HTTP): the
    /// selected cases, numbered, with the agent's result of each, as JSON.
    Results(ResultsQuery),
}

/// What `/results` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResultsQuery {
    /// The agent whose results are listed.
    pub agent: Option<String>,
    /// Case patterns to list (all when empty).
    pub cases: String,
    /// Case patterns to leave out.
    pub exclude: String,
}

/// Why a path is not part of the protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The path names no command.
    #[error(
        "unknown path {0:?} (expected /, /results, /getCaseCount, /runCase, /getCaseInfo, /getCaseStatus or /updateReports)"
    )]
    UnknownPath(String),
    /// A command that needs a case got none, or a bad one.
    #[error("{0} needs case=N (1-based) or casetuple=ID")]
    NoCase(&'static str),
}

impl Route {
    /// Whether the route is answered over plain HTTP, not a WebSocket.
    pub fn is_plain_http(&self) -> bool {
        matches!(self, Route::Page | Route::Results(_))
    }

    /// Parses a request target (`/runCase?case=3&agent=x`).
    pub fn parse(target: &str) -> Result<Route, RouteError> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut case = None;
        let mut agent = None;
        let mut results = ResultsQuery::default();
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
                "cases" => results.cases = v.into_owned(),
                "exclude" => results.exclude = v.into_owned(),
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
            "" | "/index.html" => Route::Page,
            "/results" => Route::Results(ResultsQuery { agent, ..results }),
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
        assert!(matches!(
            Route::parse("/nothing"),
            Err(RouteError::UnknownPath(_))
        ));
    }

    #[test]
    fn plain_http_paths() {
        assert_eq!(Route::parse("/"), Ok(Route::Page));
        assert_eq!(Route::parse("/?agent=x&cases=1.*"), Ok(Route::Page));
        assert_eq!(
            Route::parse("/results?agent=a%20b&cases=1.*,2.*&exclude=2.2"),
            Ok(Route::Results(ResultsQuery {
                agent: Some("a b".into()),
                cases: "1.*,2.*".into(),
                exclude: "2.2".into(),
            }))
        );
        assert!(Route::Page.is_plain_http());
        assert!(!Route::CaseCount.is_plain_http());
    }
}
