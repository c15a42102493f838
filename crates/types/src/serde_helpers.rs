//! Small field-level (de)serializers shared by the models.

use serde::{Deserialize, Deserializer};

use crate::money::DecimalText;

/// Reads an optional value written either as a JSON string or as a JSON number, keeping its exact
/// text (`"1"` and `1` both become `"1"`). Used for `frequency.value` and `conversionRate`.
pub(crate) fn opt_string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<DecimalText>::deserialize(deserializer)?.map(|text| text.0))
}
