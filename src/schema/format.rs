//! A run file's format version: the `format` field every file (and every JSON line) carries.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The format of a file whose current version is `CURRENT`. A file is always written in the
/// current version; reading one keeps the version it was written in. Files from before versions
/// were recorded have no `format` and read as 1; one newer than this sstar knows does not read,
/// with an error that says so, rather than being misread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format<const CURRENT: u32>(u32);

impl<const CURRENT: u32> Format<CURRENT> {
    /// The version files are written in.
    pub const fn current() -> Self {
        Self(CURRENT)
    }

    /// The version of a file that records none: the first.
    pub const fn unrecorded() -> Self {
        Self(1)
    }

    /// The version the file was written in.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl<const CURRENT: u32> Default for Format<CURRENT> {
    /// A record made now: the current version. (A file without the field reads as
    /// [`Format::unrecorded`]: every `format` field says so.)
    fn default() -> Self {
        Self::current()
    }
}

impl<const CURRENT: u32> Serialize for Format<CURRENT> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A file read in an older format is written back in this one: every writer writes the
        // current shape.
        s.serialize_u32(CURRENT)
    }
}

impl<'de, const CURRENT: u32> Deserialize<'de> for Format<CURRENT> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let version = u32::deserialize(d)?;
        if version == 0 || version > CURRENT {
            return Err(serde::de::Error::custom(format!(
                "format {version}, which this sstar does not read (it reads formats 1 to \
                 {CURRENT}): written by a newer sstar?"
            )));
        }
        Ok(Self(version))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::Format;

    #[derive(Debug, Serialize, Deserialize)]
    struct File {
        #[serde(default = "Format::unrecorded")]
        format: Format<3>,
    }

    #[test]
    fn absent_reads_as_the_first_a_newer_one_is_refused_and_writing_writes_the_current() {
        let old: File = serde_json::from_str("{}").expect("reads");
        assert_eq!(old.format.get(), 1);
        assert_eq!(
            serde_json::to_string(&old).expect("json"),
            r#"{"format":3}"#
        );
        let two: File = serde_json::from_str(r#"{"format":2}"#).expect("reads");
        assert_eq!(two.format.get(), 2);
        let newer = serde_json::from_str::<File>(r#"{"format":4}"#).expect_err("refused");
        assert!(newer.to_string().contains("format 4"), "{newer}");
        assert!(serde_json::from_str::<File>(r#"{"format":0}"#).is_err());
    }
}
