//! What a server (or a user's environment) hands the parsers, at random:
//! nothing panics, and the promises hold for any input: a -J name is one
//! safe file name, a cookie never goes to a host it was not set for,
//! no_proxy never matches what a list does not name.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use http_get::cookies::Jar;
use http_get::noproxy::NoProxy;
use url::Url;

proptest! {
    #[test]
    fn content_disposition_names_are_one_safe_name(value in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Some(name) = http_get::disposition::file_name(&value) {
            let name = name.to_string_lossy().into_owned();
            prop_assert!(!name.is_empty());
            prop_assert!(!name.contains('/') && !name.contains('\\') && !name.contains('\0'), "{name:?}");
            prop_assert!(!name.starts_with('.'), "{name:?}");
        }
    }

    #[test]
    fn cookies_stay_with_their_domain(set in "[ -~]{0,80}", other in "[a-z]{1,8}") {
        let mut jar = Jar::default();
        let from = Url::parse("http://www.example.org/a/b").unwrap();
        jar.set(&from, set.as_bytes(), 1_700_000_000);
        let elsewhere = Url::parse(&format!("http://{other}.test/")).unwrap();
        prop_assert_eq!(jar.header(&elsewhere, 1_700_000_000), None);
        let _ = Jar::parse(&set);
    }

    #[test]
    fn no_proxy_never_panics_and_empty_lists_match_nothing(list in "[ -~]{0,60}", host in "[a-z0-9.:\\[\\]]{1,30}", port in any::<u16>()) {
        let _ = NoProxy::parse(&list).matches(&host, port);
        prop_assert!(!NoProxy::parse(" , ,").matches(&host, port));
    }

    #[test]
    fn netrc_and_codings_never_panic(text in "[ -~\\n\\t\"]{0,200}") {
        let _ = http_get::netrc::Netrc::parse(&text).lookup("example.org", None);
        let _ = http_get::decode::codings(std::iter::once(text.as_bytes()));
    }
}
