//! Negotiation both ways: every good offer is accepted and the response
//! passes the client's check; every bad offer is declined for its rule;
//! every bad response fails for its rule.

use super::*;
use crate::codec::Role;

fn choose(header: &str) -> ServerChoice {
    choose_offer(header, &ServerConfig::default()).unwrap()
}

#[test]
fn every_good_offer_is_accepted_and_its_response_passes() {
    for set in cases::offer_sets() {
        let header = offers_header(&set.offers);
        let choice = choose(&header);
        let (index, agreement) = choice.accepted.expect(set.name);
        assert_eq!(index, 0, "{}: the first offer is acceptable", set.name);
        assert_eq!(agreement.offer, set.offers[0], "{}", set.name);
        let response = choice.response_header().unwrap();
        let checked = check_response(&set.offers, Some(&response));
        assert_eq!(checked, Ok(Some(agreement)), "{}: {response}", set.name);
    }
}

#[test]
fn every_bad_offer_is_declined_for_its_rule() {
    for bad in cases::bad_offers() {
        let choice = choose(bad.header);
        assert_eq!(choice.accepted, None, "{}", bad.name);
        assert_eq!(choice.response_header(), None, "{}", bad.name);
        assert_eq!(
            choice.declined,
            [(0, Decline::Param(bad.error.clone()))],
            "{}",
            bad.name
        );
        // Followed by a good offer, the good one is taken.
        let choice = choose(&format!("{}, permessage-deflate", bad.header));
        assert_eq!(choice.accepted.map(|(i, _)| i), Some(1), "{}", bad.name);
    }
}

#[test]
fn every_bad_response_fails_for_its_rule() {
    for bad in cases::bad_responses() {
        assert_eq!(
            check_response(&bad.offers, Some(bad.header)),
            Err(bad.error.clone()),
            "{}",
            bad.name
        );
    }
}

#[test]
fn autobahn_13_7_takes_the_first_offer_it_supports() {
    let p = DeflateParams::new;
    let offers = [
        p().server_no_context_takeover().server_max_window_bits(9),
        p().server_no_context_takeover(),
        p(),
    ];
    let choice = choose(&offers_header(&offers));
    assert_eq!(
        choice.response_header().as_deref(),
        Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=9")
    );
    // A zlib-only server that cannot go below 9 still takes the first one.
    let zlib = ServerConfig {
        smallest_server_window_bits: 9,
        ..ServerConfig::default()
    };
    let choice = choose_offer(&offers_header(&offers), &zlib).unwrap();
    assert_eq!(choice.accepted.map(|(i, _)| i), Some(0));
}

#[test]
fn a_window_the_server_cannot_honour_is_declined() {
    let zlib = ServerConfig {
        smallest_server_window_bits: 9,
        ..ServerConfig::default()
    };
    let header = "permessage-deflate; server_max_window_bits=8, permessage-deflate";
    let choice = choose_offer(header, &zlib).unwrap();
    assert_eq!(
        choice.declined,
        [(
            0,
            Decline::WindowTooSmall {
                requested: 8,
                smallest: 9
            }
        )]
    );
    assert_eq!(
        choice.response_header().as_deref(),
        Some("permessage-deflate")
    );
    // With its own small-window encoder the server honours 8.
    let choice = choose("permessage-deflate; server_max_window_bits=8");
    assert_eq!(choice.accepted.unwrap().1.server_to_client().window_bits, 8);
}

#[test]
fn server_preferences_narrow_what_the_offer_allows() {
    let config = ServerConfig {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        server_max_window_bits: 12,
        client_max_window_bits: Some(10),
        smallest_server_window_bits: 8,
    };
    let table = [
        (
            "permessage-deflate",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=12",
        ),
        (
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=12; client_max_window_bits=10",
        ),
        (
            "permessage-deflate; server_max_window_bits=9; client_max_window_bits=8",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=9; client_max_window_bits=8",
        ),
        (
            "permessage-deflate; server_max_window_bits=15; client_max_window_bits=15",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=12; client_max_window_bits=10",
        ),
    ];
    for (offer, want) in table {
        let choice = choose_offer(offer, &config).unwrap();
        let response = choice.response_header().unwrap();
        assert_eq!(response, want, "{offer}");
        let offers = [choice.accepted.unwrap().1.offer];
        assert!(check_response(&offers, Some(&response)).is_ok(), "{offer}");
    }
}

#[test]
fn what_a_response_may_add_or_narrow() {
    let p = DeflateParams::new;
    let table = [
        // §7.1.1.1: the server MAY add server_no_context_takeover.
        (p(), "permessage-deflate; server_no_context_takeover"),
        // §7.1.1.2: and client_no_context_takeover.
        (p(), "permessage-deflate; client_no_context_takeover"),
        // §7.1.2.1: server_max_window_bits although not offered.
        (p(), "permessage-deflate; server_max_window_bits=8"),
        // The same or a smaller value than offered.
        (
            p().server_max_window_bits(10),
            "permessage-deflate; server_max_window_bits=10",
        ),
        (
            p().server_max_window_bits(10),
            "permessage-deflate; server_max_window_bits=8",
        ),
        // client_max_window_bits may be answered with any value when offered.
        (
            p().client_max_window_bits(None),
            "permessage-deflate; client_max_window_bits=8",
        ),
        (p(), "x-other, permessage-deflate"),
    ];
    for (offer, response) in table {
        assert!(
            check_response(&[offer], Some(response)).is_ok(),
            "{response}"
        );
    }
    // A value above the offered hint: the client keeps to its own hint.
    let offer = p().client_max_window_bits(Some(9));
    let a = check_response(
        &[offer],
        Some("permessage-deflate; client_max_window_bits=12"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(a.receiving(Role::Server).window_bits, 12);
    assert_eq!(a.sending(Role::Client).window_bits, 9);
}

#[test]
fn a_declined_or_absent_extension_is_no_agreement() {
    let offers = [DeflateParams::new()];
    assert_eq!(check_response(&offers, None), Ok(None));
    assert_eq!(check_response(&offers, Some("x-other")), Ok(None));
    assert_eq!(check_response(&[], None), Ok(None));
    assert_eq!(choose("x-other; a=1").accepted, None);
}

#[test]
fn several_offers_fit_the_first_matching_one() {
    let p = DeflateParams::new;
    let offers = [p().server_max_window_bits(9), p()];
    let response = "permessage-deflate; server_max_window_bits=10";
    let a = check_response(&offers, Some(response)).unwrap().unwrap();
    assert_eq!(
        a.offer, offers[1],
        "wider than the first offer, fine for the second"
    );
    // Fitting none, the error is the one against the first offer.
    let offers = [
        p().server_max_window_bits(9),
        p().server_no_context_takeover(),
    ];
    assert_eq!(
        check_response(&offers, Some(response)),
        Err(ResponseError::ServerWindowWider {
            offered: 9,
            got: 10
        })
    );
}

#[test]
fn malformed_values_are_syntax_errors_on_both_sides() {
    let bad = "permessage-deflate; server_max_window_bits=\"1 0\"";
    let err = SyntaxError {
        at: 43,
        kind: SyntaxKind::QuotedNotToken,
    };
    assert_eq!(choose_offer(bad, &ServerConfig::default()), Err(err));
    assert_eq!(
        check_response(&[DeflateParams::new()], Some(bad)),
        Err(ResponseError::Syntax(err))
    );
}
