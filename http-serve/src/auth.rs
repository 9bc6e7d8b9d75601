//! `--auth USER:PASSWORD` (or `USER:sha256:HEX`): HTTP Basic
//! authentication (RFC 7617) for the whole site.
//!
//! Passwords are kept only as SHA-256 digests, and every check hashes
//! what the client sent and compares digests of user and password with
//! every credential in constant time (no early exit, no length leak), so
//! the time an answer takes says nothing about how much matched. The
//! `Authorization` field is never logged.

use std::fmt;

use base64::Engine;
use sha2::{Digest, Sha256};
use shared::http::headers::Headers;
use subtle::{Choice, ConstantTimeEq};

use crate::response::Response;

/// The realm browsers show in their password prompt.
pub const REALM: &str = "http-serve";

/// One user who may enter.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// SHA-256 of the user name (compared in constant time like the
    /// password, so names of different lengths take the same time).
    user: [u8; 32],
    /// The name, for messages.
    name: String,
    /// SHA-256 of the password.
    password: [u8; 32],
}

// Never print a digest: it is as good as a password to an offline guesser.
impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credential({:?}, password withheld)", self.name)
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Parses `USER:PASSWORD` or `USER:sha256:HEX` (HEX: 64 hex digits, the
/// SHA-256 of the password, as `printf %s PASSWORD | sha256sum` prints).
pub fn parse(s: &str) -> Result<Credential, String> {
    let Some((user, rest)) = s.split_once(':') else {
        return Err("expected USER:PASSWORD or USER:sha256:HEX".to_string());
    };
    if user.is_empty() {
        return Err("the user name is empty".to_string());
    }
    if user.chars().any(char::is_control) || rest.chars().any(char::is_control) {
        return Err("user and password must not contain control characters".to_string());
    }
    let password = match rest.strip_prefix("sha256:") {
        Some(hex) => parse_hex(hex).ok_or_else(|| "after sha256: give 64 hex digits".to_string())?,
        None => sha256(rest.as_bytes()),
    };
    Ok(Credential { user: sha256(user.as_bytes()), name: user.to_string(), password })
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// The user and password of a Basic `Authorization` field, if it holds
/// them.
fn basic(headers: &Headers) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = shared::http::headers::trim(headers.get("authorization")?);
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, token) = value.split_at(space);
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(shared::http::headers::trim(token)).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

/// True when the request carries the user and password of one of
/// `users`. Every credential is compared, whatever matched before.
pub fn allows(users: &[Credential], headers: &Headers) -> bool {
    let Some((user, password)) = basic(headers) else { return false };
    let (user, password) = (sha256(&user), sha256(&password));
    let mut ok = Choice::from(0);
    for c in users {
        ok |= c.user.ct_eq(&user) & c.password.ct_eq(&password);
    }
    ok.into()
}

/// The answer without (good) credentials: 401 with the challenge.
pub fn challenge() -> Response {
    Response::page(401, "This folder needs a user name and password.")
        .header("WWW-Authenticate", format_args!("Basic realm=\"{REALM}\", charset=\"UTF-8\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> Headers {
        [("Authorization", value)].into_iter().collect()
    }

    fn basic_of(user_pass: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(user_pass))
    }

    #[test]
    fn parse_table() {
        // printf %s 'secret' | sha256sum
        let hex = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";
        let cases: &[(&str, Result<(&str, &str), &str>)] = &[
            ("ann:secret", Ok(("ann", "secret"))),
            ("ann:pa:ss", Ok(("ann", "pa:ss"))),
            ("ann:", Ok(("ann", ""))),
            ("no-colon", Err("expected USER:PASSWORD or USER:sha256:HEX")),
            (":secret", Err("the user name is empty")),
            ("ann:sha256:abc", Err("after sha256: give 64 hex digits")),
            ("ann:a\u{7}b", Err("user and password must not contain control characters")),
        ];
        for (input, want) in cases {
            let got = parse(input);
            match want {
                Ok((user, pass)) => {
                    let c = got.unwrap();
                    assert_eq!((c.name.as_str(), c.password), (*user, sha256(pass.as_bytes())), "{input}");
                }
                Err(e) => assert_eq!(got.unwrap_err(), *e, "{input}"),
            }
        }
        assert_eq!(parse(&format!("ann:sha256:{hex}")).unwrap(), parse("ann:secret").unwrap());
        assert_eq!(parse(&format!("ann:sha256:{}", hex.to_uppercase())).unwrap(), parse("ann:secret").unwrap());
        assert!(!format!("{:?}", parse("ann:secret").unwrap()).contains("secret"));
    }

    #[test]
    fn allows_table() {
        let users = vec![parse("ann:secret").unwrap(), parse("bob:hunter2").unwrap()];
        let cases: &[(Option<String>, bool)] = &[
            (Some(basic_of("ann:secret")), true),
            (Some(basic_of("bob:hunter2")), true),
            (Some(basic_of("ann:hunter2")), false),
            (Some(basic_of("ann:secret ")), false),
            (Some(basic_of("ann")), false),
            (Some(basic_of("carl:secret")), false),
            (Some(basic_of(":")), false),
            (Some(format!("basic  {}", base64::engine::general_purpose::STANDARD.encode("ann:secret"))), true),
            (Some("Bearer abc".into()), false),
            (Some("Basic !!!notbase64".into()), false),
            (Some("Basic".into()), false),
            (None, false),
        ];
        for (value, want) in cases {
            let headers = match value {
                Some(v) => with_auth(v),
                None => Headers::default(),
            };
            assert_eq!(allows(&users, &headers), *want, "{value:?}");
        }
    }

    #[test]
    fn challenge_names_the_scheme_and_realm() {
        let r = challenge();
        assert_eq!(r.status, 401);
        assert_eq!(r.field("WWW-Authenticate"), Some("Basic realm=\"http-serve\", charset=\"UTF-8\""));
    }
}
