//! Just enough DER to read the RSA components out of the PKCS#8 document aws-lc-rs produces
//! for a generated key (aws-lc-rs has no accessor for the private components).

use crate::Error;

use super::server_error;

/// The nine integers of an RFC 8017 `RSAPrivateKey`, big-endian without leading zeros.
pub(crate) struct RsaComponents {
    /// `n, e, d, p, q, dp, dq, qi`, in this order.
    pub(crate) values: [Vec<u8>; 8],
}

/// Reads one TLV with `tag` at the start of `input`; returns (contents, rest).
fn tlv(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), Error> {
    let bad = || server_error("unexpected DER in a generated RSA key");
    let (&t, rest) = input.split_first().ok_or_else(bad)?;
    if t != tag {
        return Err(bad());
    }
    let (&first, mut rest) = rest.split_first().ok_or_else(bad)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(bad());
        }
        let (bytes, tail) = rest.split_at(count);
        rest = tail;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    if rest.len() < len {
        return Err(bad());
    }
    Ok(rest.split_at(len))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;

/// Parses PKCS#8 `PrivateKeyInfo` wrapping an `RSAPrivateKey`.
pub(crate) fn rsa_components(pkcs8: &[u8]) -> Result<RsaComponents, Error> {
    let (info, _) = tlv(pkcs8, SEQUENCE)?;
    let (_, rest) = tlv(info, INTEGER)?;
    let (_, rest) = tlv(rest, SEQUENCE)?;
    let (octets, _) = tlv(rest, OCTET_STRING)?;
    let (key, _) = tlv(octets, SEQUENCE)?;
    let (_, mut rest) = tlv(key, INTEGER)?;
    let mut values: [Vec<u8>; 8] = Default::default();
    for slot in &mut values {
        let (int, tail) = tlv(rest, INTEGER)?;
        rest = tail;
        let start = int.iter().position(|b| *b != 0).unwrap_or(int.len());
        *slot = int[start..].to_vec();
    }
    Ok(RsaComponents { values })
}
