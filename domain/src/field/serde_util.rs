//! Serde helpers that make field options read and write JSON like Go's `encoding/json`
//! does for PocketBase's structs.

use super::cast::num_value;
use crate::datetime::normalize_datetime;
use serde::{Deserialize, Deserializer, Serializer};

/// Reads a value where `null` means the type's zero value (Go leaves the field untouched).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Writes an optional float as Go does: `null`, or a number without a `.0` when whole.
pub(crate) fn opt_number<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some(f) => serde::Serialize::serialize(&num_value(*f), s),
    }
}

/// Reads a date option: any date PocketBase accepts, normalized to
/// `2006-01-02 15:04:05.000Z`; unparsable text and `null` become `""`.
pub(crate) fn date_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    Ok(raw.map(|s| normalize_datetime(&s)).unwrap_or_default())
}
