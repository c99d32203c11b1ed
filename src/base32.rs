//! Crockford base32 (docs/protocol.md §1.3): the alphabet of credential codes and short
//! tracking codes, chosen because it has no I, L, O or U and reads aloud unambiguously.

/// The 32 symbols, in value order.
pub(crate) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The value of a typed character; lowercase and the look-alikes O, I and L are accepted.
pub(crate) fn value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u8)
}

/// Writes the top `count * 5` bits of `bytes` (big-endian) as `count` symbols.
pub(crate) fn encode_bits(bytes: &[u8], count: usize) -> String {
    let mut out = String::with_capacity(count);
    for i in 0..count {
        let mut v = 0u8;
        for j in 0..5 {
            let bit = i * 5 + j;
            let b = bytes
                .get(bit / 8)
                .map_or(0, |byte| (byte >> (7 - bit % 8)) & 1);
            v = (v << 1) | b;
        }
        out.push(ALPHABET[v as usize] as char);
    }
    out
}

/// Groups symbols in fours with hyphens: `ABCD-EFGH-…`.
pub(crate) fn group4(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_bits_big_endian() {
        assert_eq!(encode_bits(&[0xff, 0x00], 3), "ZW0");
        assert_eq!(encode_bits(&[0x08, 0x86], 3), "123");
        assert_eq!(value('o'), Some(0));
        assert_eq!(value('L'), Some(1));
        assert_eq!(value('U'), None);
        assert_eq!(group4("ABCDEFGHJ"), "ABCD-EFGH-J");
    }
}
