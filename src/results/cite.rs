//! How a requirement's section is cited: a bare number is RFC 6455's
//! (`5.2`); a section of another RFC carries its name (`RFC 7692 §6.1`).

/// The citation of `section`.
pub fn cite(section: &str) -> String {
    if section.starts_with("RFC ") {
        section.to_string()
    } else {
        format!("RFC 6455 §{section}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bare_sections_are_rfc_6455s() {
        assert_eq!(super::cite("5.2"), "RFC 6455 §5.2");
        assert_eq!(super::cite("RFC 7692 §6.1"), "RFC 7692 §6.1");
    }
}
