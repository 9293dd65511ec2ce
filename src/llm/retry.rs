//! Retry policy: bounded attempts, exponential backoff with jitter, `Retry-After` honoured but capped.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Attempts per call unless configured otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;

/// When and how long to wait before asking again after a retryable failure
/// (429, 5xx, timeout, dropped connection).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles for each further retry.
    #[serde(serialize_with = "as_millis", deserialize_with = "from_millis")]
    pub base_delay: Duration,
    /// Ceiling of the exponential backoff.
    #[serde(serialize_with = "as_millis", deserialize_with = "from_millis")]
    pub max_delay: Duration,
    /// Ceiling on a server's `Retry-After`, so a bad header cannot park a call forever.
    #[serde(serialize_with = "as_millis", deserialize_with = "from_millis")]
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry).
    ///
    /// A server's `Retry-After` is obeyed as given (up to `max_retry_after`);
    /// otherwise the wait is `base_delay · 2^(retry-1)` capped at `max_delay`,
    /// with "equal jitter": half of it fixed, half random.
    pub(crate) fn delay(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_retry_after);
        }
        let exp = retry.saturating_sub(1).min(31);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = full / 2;
        let jitter_ns = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(rng.gen_range(0..=jitter_ns))
    }
}

/// Reads a `Retry-After` value in seconds (integer or decimal), or a
/// `retry-after-ms` value in milliseconds. HTTP dates are not supported.
pub(crate) fn parse_retry_after(seconds: Option<&str>, millis: Option<&str>) -> Option<Duration> {
    let parse = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
    };
    millis
        .and_then(parse)
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
        .or_else(|| {
            seconds
                .and_then(parse)
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
        })
}

fn as_millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn from_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(5),
        };
        let mut rng = rand::thread_rng();
        for _ in 0..50 {
            let d1 = policy.delay(1, None, &mut rng);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = policy.delay(3, None, &mut rng);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            let d9 = policy.delay(9, None, &mut rng);
            assert!(d9 >= Duration::from_millis(500) && d9 <= Duration::from_millis(1000));
            let huge = policy.delay(u32::MAX, None, &mut rng);
            assert!(huge <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_is_obeyed_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let mut rng = rand::thread_rng();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3)), &mut rng),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(86_400)), &mut rng),
            policy.max_retry_after
        );
    }

    #[test]
    fn parses_retry_after_headers() {
        assert_eq!(
            parse_retry_after(Some("2"), None),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse_retry_after(Some("0.5"), None),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after(Some("9"), Some("250")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT"), None),
            None
        );
        assert_eq!(parse_retry_after(Some("-1"), None), None);
        assert_eq!(parse_retry_after(Some("1e300"), None), None);
        assert_eq!(parse_retry_after(None, None), None);
    }
}
