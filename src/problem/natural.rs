//! Natural ("human") ordering of names: `2` before `10`, `a2` before `a10`.

use std::cmp::Ordering;

/// Compares two names so that runs of ASCII digits compare as numbers.
///
/// Everything else compares byte-wise (which for UTF-8 is code-point order).
/// Names equal as numbers but spelled differently (`01` and `1`) fall back to
/// plain string order, so the result is a total order consistent with `==`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut x = a.as_bytes();
    let mut y = b.as_bytes();
    while let (Some(&cx), Some(&cy)) = (x.first(), y.first()) {
        if cx.is_ascii_digit() && cy.is_ascii_digit() {
            let (nx, rest_x) = split_digits(x);
            let (ny, rest_y) = split_digits(y);
            let ord = cmp_numbers(nx, ny);
            if ord != Ordering::Equal {
                return ord;
            }
            x = rest_x;
            y = rest_y;
        } else if cx != cy {
            return cx.cmp(&cy);
        } else {
            x = &x[1..];
            y = &y[1..];
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

/// Splits off the leading run of ASCII digits.
fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Compares two digit runs as unbounded non-negative integers.
fn cmp_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_leading_zeros(a);
    let b = strip_leading_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_leading_zeros(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| c != b'0').unwrap_or(s.len());
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(sorted(&["10", "2", "1"]), ["1", "2", "10"]);
    }

    #[test]
    fn embedded_numbers_compare_by_value() {
        assert_eq!(
            sorted(&["a10", "a2", "b1", "a1b"]),
            ["a1b", "a2", "a10", "b1"]
        );
        assert_eq!(
            sorted(&["t1_10", "t1_9", "t10_1"]),
            ["t1_9", "t1_10", "t10_1"]
        );
    }

    #[test]
    fn numbers_longer_than_u64_compare_by_value() {
        let big = "123456789012345678901234567890";
        let bigger = "123456789012345678901234567891";
        assert_eq!(natural_cmp(big, bigger), Ordering::Less);
        assert_eq!(natural_cmp("99999999999999999999", big), Ordering::Less);
    }

    #[test]
    fn prefix_sorts_first() {
        assert_eq!(natural_cmp("a", "a1"), Ordering::Less);
        assert_eq!(natural_cmp("abc", "ab"), Ordering::Greater);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
    }

    #[test]
    fn leading_zeros_tie_break_is_total() {
        assert_eq!(natural_cmp("01", "1"), "01".cmp("1"));
        assert_eq!(natural_cmp("1", "01"), "1".cmp("01"));
        assert_eq!(natural_cmp("007", "7"), Ordering::Less);
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
        assert_eq!(natural_cmp("002", "10"), Ordering::Less);
    }

    #[test]
    fn digits_sort_before_letters() {
        assert_eq!(sorted(&["a", "1", "B"]), ["1", "B", "a"]);
    }
}
