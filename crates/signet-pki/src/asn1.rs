//! Small DER helpers shared by the protocol modules.

use der::Reader as _;

/// The exact bytes (tag, length, value) of the first element of the DER SEQUENCE `der`: what a
/// signature over a `tbs…` structure covers, taken as sent rather than re-encoded.
pub(crate) fn first_element(der: &[u8]) -> der::Result<&[u8]> {
    let mut reader = der::SliceReader::new(der)?;
    let tlv = reader.sequence(|inner| {
        let tlv = inner.tlv_bytes()?;
        let rest = inner.remaining_len();
        inner.read_slice(rest)?;
        Ok(tlv)
    })?;
    reader.finish(tlv)
}

/// The byte offset of a DER error, for messages.
pub(crate) fn offset(e: &der::Error) -> Option<u32> {
    e.position().map(u32::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_element_is_taken_verbatim() {
        // SEQUENCE { SEQUENCE { INTEGER 1 }, NULL }
        let der = [0x30, 0x07, 0x30, 0x03, 0x02, 0x01, 0x01, 0x05, 0x00];
        assert_eq!(
            first_element(&der).unwrap(),
            &[0x30, 0x03, 0x02, 0x01, 0x01]
        );
        assert!(first_element(&[0x30, 0x05, 0x30]).is_err());
    }
}
