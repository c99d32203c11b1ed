//! Reading typed symbols (docs/protocol.md §1.3) as both readers do it: credential codes
//! (§6.5, `check_code`) and short tracking codes (§7.4, `normalize_short_code`). Each code
//! point class §1.3 names is tried in both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amanat::{check_code, normalize_short_code, CodeCheck};

/// §1.3's white space: the 25 code points with the Unicode `White_Space` property.
const WHITE_SPACE: [char; 25] = [
    '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', '\u{20}', '\u{85}', '\u{a0}', '\u{1680}',
    '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}',
    '\u{2008}', '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
];

/// Characters a reader does not skip and that have no value: each is an invalid character.
const INVALID: [char; 16] = [
    '\u{200b}', // zero-width space
    '\u{feff}', // zero-width no-break space (byte order mark)
    '\u{180e}', // Mongolian vowel separator
    '\u{2010}', // hyphen
    '\u{2212}', // minus sign
    '\u{ff0d}', // fullwidth hyphen-minus
    'Ａ',       // fullwidth A
    'ａ',       // fullwidth a
    '０',       // fullwidth 0
    'ı',        // dotless i
    'İ',        // capital I with dot above
    '\u{212a}', // Kelvin sign
    'Ο',        // Greek capital omicron
    'О',        // Cyrillic capital O
    'U', 'u',
];

/// §6.5's example code.
const CODE: &str = "0000-0G40-R40M-30E2-0918-5GR3-8EJD";

fn symbols(s: &str) -> Vec<char> {
    s.chars().filter(|&c| c != '-').collect()
}

#[test]
fn every_white_space_character_and_the_hyphen_are_skipped() {
    let plain: String = symbols(CODE).into_iter().collect();
    for ws in WHITE_SPACE {
        // Before, between every two symbols, and after.
        let mut typed = String::from(ws);
        for c in plain.chars() {
            typed.push(c);
            typed.push(ws);
            typed.push('-');
        }
        assert_eq!(check_code(&typed), CodeCheck::Valid, "U+{:04X}", ws as u32);
        let short = format!("{ws}0t6p{ws}-{ws}PTA4-{ws}{ws}j03a{ws}");
        assert_eq!(
            normalize_short_code(&short).unwrap(),
            "0T6P-PTA4-J03A",
            "U+{:04X}",
            ws as u32
        );
    }
}

#[test]
fn other_characters_are_invalid_where_they_stand() {
    for bad in INVALID {
        // After five symbols: the position counts symbols, not skipped characters.
        let typed = format!("0000-0{bad}G40");
        assert_eq!(
            check_code(&typed),
            CodeCheck::InvalidCharacter { position: 5 },
            "U+{:04X}",
            bad as u32
        );
        let short = format!("0T6P-P{bad}TA4-J03A");
        assert_eq!(
            normalize_short_code(&short).map_err(|e| e.code()),
            Err("BAD_ENCODING"),
            "U+{:04X}",
            bad as u32
        );
    }
}

#[test]
fn only_ascii_letters_fold_and_o_i_l_read_as_digits() {
    assert_eq!(
        check_code("oooo 0g4o r40m-30e2 0918 5gr3 8ejd"),
        CodeCheck::Valid
    );
    assert_eq!(
        normalize_short_code("oilO-LIol-abcd").unwrap(),
        "0110-1101-ABCD"
    );
    // 11 or 13 symbols: not a short code.
    for s in ["0T6P-PTA4-J03", "0T6P-PTA4-J03A-0"] {
        assert_eq!(
            normalize_short_code(s).map_err(|e| e.code()),
            Err("BAD_ENCODING")
        );
    }
    // A 29th symbol is "too long" even when the first 28 are a valid code.
    assert_eq!(check_code(&format!("{CODE}0")), CodeCheck::TooLong);
}
