//! Reading `--trace` output in tests: each line reduced to its shape
//! (every number becomes `N`, a Windows `socket N` handle reads `fd N`),
//! so a test states the sequence of primitives and steps, never timings,
//! descriptor numbers, ports or byte counts.

/// The shape of a trace line: `accept(fd 3) = fd 4, peer 127.0.0.1:5123`
/// reads `accept(fd N) = fd N, peer N.N.N.N:N`.
pub fn shape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    // In a number; in a word (`AF_INET6`, `TLSv1_3` keep their digits).
    let (mut in_number, mut in_word) = (false, false);
    for c in line.chars() {
        if c.is_ascii_digit() && !in_word {
            if !in_number {
                out.push('N');
            }
            in_number = true;
            continue;
        }
        in_word = c.is_ascii_alphanumeric() || c == '_';
        in_number = false;
        out.push(c);
    }
    // Windows names its sockets by handle; the lesson's words are the same.
    out.replace("socket N", "fd N")
}

/// The shapes of `lines`, in order.
pub fn shapes(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| shape(l)).collect()
}

/// Asserts that `lines` hold, in this order (others may come between),
/// a line starting with each of `expected` (each written as a shape).
/// The panic shows every shape, so a failure reads as a diff.
pub fn assert_in_order(lines: &[String], expected: &[&str]) {
    let shapes = shapes(lines);
    let mut at = 0;
    for want in expected {
        match shapes[at..].iter().position(|s| s.starts_with(want)) {
            Some(i) => at += i + 1,
            None => panic!("no `{want}` after line {at} in the trace:\n{}", shapes.join("\n")),
        }
    }
}

/// How many lines start with `prefix` (a shape).
pub fn count(lines: &[String], prefix: &str) -> usize {
    shapes(lines).iter().filter(|s| s.starts_with(prefix)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_hide_numbers_and_handles() {
        let cases = [
            ("accept(fd 3) = fd 4, peer [::ffff:127.0.0.1]:51234", "accept(fd N) = fd N, peer [::ffff:N.N.N.N]:N"),
            ("recv(socket 312) = 74 bytes", "recv(fd N) = N bytes"),
            ("socket(AF_INET6, SOCK_STREAM) = socket 296", "socket(AF_INET6, SOCK_STREAM) = fd N"),
        ];
        for (line, want) in cases {
            assert_eq!(shape(line), want, "{line}");
        }
    }

    #[test]
    fn order_is_checked() {
        let lines: Vec<String> = ["socket(AF_INET, SOCK_STREAM) = fd 3", "x", "close(fd 3)"].map(String::from).into();
        assert_in_order(&lines, &["socket(", "close(fd N)"]);
        assert!(std::panic::catch_unwind(|| assert_in_order(&lines, &["close(", "socket("])).is_err());
    }
}
