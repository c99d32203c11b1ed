//! Crockford base32 (docs/protocol.md §1.3): the alphabet of credential codes and short
//! tracking codes, chosen because it has no I, L, O or U and reads aloud unambiguously.

/// The 32 symbols, in value order.
pub(crate) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Whether a reader skips `c` (§1.3): the hyphen U+002D and every character with the
/// Unicode `White_Space` property (`char::is_whitespace`; the 25 code points §1.3 lists).
pub(crate) fn is_skipped(c: char) -> bool {
    c == '-' || c.is_whitespace()
}

/// The value of a typed character (§1.3): ASCII letters in either case, with `O` read as 0
/// and `I`, `L` as 1. Only `a`–`z` are case-folded; every non-ASCII character is invalid.
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

    /// The 25 code points §1.3 lists as white space: Unicode `White_Space`, which is what
    /// `char::is_whitespace` tests. Fails if a Rust upgrade brings a Unicode version that
    /// changes the set; §1.3 must then change with it.
    const WHITE_SPACE: [u32; 25] = [
        0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
        0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
        0x3000,
    ];

    fn every_char() -> impl Iterator<Item = char> {
        (0..=0x10_ffffu32).filter_map(char::from_u32)
    }

    #[test]
    fn skipped_characters_are_the_hyphen_and_exactly_the_listed_white_space() {
        let skipped: Vec<u32> = every_char()
            .filter(|&c| is_skipped(c))
            .map(u32::from)
            .collect();
        let mut want = WHITE_SPACE.to_vec();
        want.push(0x2d);
        want.sort_unstable();
        assert_eq!(skipped, want);
        // Look-alikes that are not skipped, and so are invalid characters.
        for c in [
            '\u{200b}', // zero-width space (not White_Space)
            '\u{feff}', // byte order mark / zero-width no-break space
            '\u{180e}', // Mongolian vowel separator (White_Space before Unicode 6.3)
            '\u{2060}', // word joiner
            '\u{2010}', // hyphen
            '\u{2011}', // non-breaking hyphen
            '\u{2212}', // minus sign
            '\u{ff0d}', // fullwidth hyphen-minus
            '_',
        ] {
            assert!(!is_skipped(c), "U+{:04X}", u32::from(c));
            assert_eq!(value(c), None, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn only_ascii_digits_and_letters_other_than_u_have_a_value() {
        for c in every_char() {
            let want = match c {
                '0'..='9' => Some(c as u8 - b'0'),
                'U' | 'u' => None,
                'A'..='Z' | 'a'..='z' => {
                    let upper = c.to_ascii_uppercase() as u8;
                    let read = match upper {
                        b'O' => b'0',
                        b'I' | b'L' => b'1',
                        other => other,
                    };
                    ALPHABET.iter().position(|&a| a == read).map(|p| p as u8)
                }
                _ => None,
            };
            assert_eq!(value(c), want, "U+{:04X}", u32::from(c));
        }
        // No Unicode case folding or compatibility mapping: each of these is invalid.
        for c in ['Ａ', 'ａ', '０', 'ı', 'İ', '\u{212a}', 'ſ', 'Ο', 'О', 'ℓ'] {
            assert_eq!(value(c), None, "U+{:04X}", u32::from(c));
        }
        assert_eq!(ALPHABET.len(), 32);
        let letters = ('A'..='Z').filter(|&c| value(c).is_some()).count();
        assert_eq!(letters, 25, "every letter but U reads as a symbol");
    }
}
