//! A job line into its 18 numbers: the byte classes of a whole block (64 bytes at a time, 16 with SSE2:
//! the reader's only unsafe code), a fast path that reads a plain line's tokens from those classes eight
//! bytes at once, and a byte-by-byte path for everything else, with the message of a malformed line.

use super::{FIELD_NAMES, FIELDS};

/// Parses a field that is not a plain integer (a decimal number, `+5`, `1e3`); `None` if not a finite number.
#[cold]
fn parse_number_slow(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.parse::<f64>().ok().filter(|x| x.is_finite())
}

const LANES_01: u64 = 0x0101_0101_0101_0101;
const LANES_80: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `text` from `i` (the caller checks `i + 8 <= text.len()`), first byte lowest.
#[inline]
pub(super) fn load8(text: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&text[i..i + 8]);
    u64::from_le_bytes(b)
}

/// Bit 7 of each byte of the result is set where that byte of `bad` is not zero.
#[inline]
fn nonzero_bytes(bad: u64) -> u64 {
    (((bad & !LANES_80).wrapping_add(!LANES_80 & (LANES_01 * 0x7f))) | bad) & LANES_80
}

/// How many of the eight bytes of `w` (first byte lowest) lead before one that is not a space (8 if none).
#[inline]
pub(super) fn first_non_space(w: u64) -> usize {
    (nonzero_bytes(w ^ (LANES_01 * b' ' as u64)).trailing_zeros() / 8) as usize
}

/// How many of the eight bytes of `w` lead before one that is not an ASCII digit (8 if none).
#[inline]
fn first_non_digit(w: u64) -> usize {
    let high = (w & (LANES_01 * 0xf0)) ^ (LANES_01 * 0x30); // not zero unless the byte is 0x3_
    let low = ((w & (LANES_01 * 0x0f)) + LANES_01 * 6) & (LANES_01 * 0x10); // 0x10 where the low nibble ≥ 10
    (nonzero_bytes(high | low).trailing_zeros() / 8) as usize
}

/// The value of the `len` bytes of `text` at `at` when they are a decimal number `I.F` with at most
/// 8 digits on either side, 15 in all, and at least one after the point (`552.21`, `.5`); `None`
/// otherwise. Exactly what `str::parse::<f64>` gives: the digits as an integer and 10^|F| are exact in
/// an `f64`, and one division of exact numbers is correctly rounded.
#[inline]
fn decimal_value(text: &[u8], at: usize, len: usize) -> Option<f64> {
    const POW10: [f64; 9] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
    if !(2..=17).contains(&len) || at + len + 8 > text.len() {
        return None;
    }
    let int_word = load8(text, at);
    let int_len = first_non_digit(int_word);
    if int_len >= len - 1 || text[at + int_len] != b'.' {
        return None;
    }
    let frac_len = len - int_len - 1;
    let frac_word = load8(text, at + int_len + 1);
    if frac_len > 8 || first_non_digit(frac_word) < frac_len {
        return None;
    }
    if int_len + frac_len > 15 {
        return None; // the digits might not be exact in an f64
    }
    let int = if int_len == 0 { 0 } else { digits_value(int_word, int_len) };
    let digits = int * 10u64.pow(frac_len as u32) + digits_value(frac_word, frac_len);
    Some(digits as f64 / POW10[frac_len])
}

/// Blank characters inside a line (ASCII whitespace other than the newline).
#[inline]
pub(super) fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r' || c == 0x0c
}

/// Index of the first newline of `text` at or after `from`, or its length.
pub(super) fn line_end(text: &[u8], from: usize) -> usize {
    text[from..].iter().position(|&c| c == b'\n').map_or(text.len(), |p| from + p)
}

/// Splits the job line at the start of `text` (which runs on past the line's end) into its 18 numbers.
/// Returns the index of the line's newline (or the text's length) and whether the line was well formed.
/// (The reader itself uses [`parse_line`] with the masks of a whole block.)
#[cfg(test)]
pub(super) fn parse_fields(text: &[u8], out: &mut [f64; FIELDS]) -> (usize, std::result::Result<(), String>) {
    let mut masks = Masks::default();
    masks.build(text);
    parse_line(text, &masks, 0, out)
}

/// Splits the job line starting at `start` in `text` into its 18 numbers: from the block's masks when the
/// line is plain (spaces, integers and short decimals), else byte by byte. Returns the index of the
/// line's newline (or the text's length) and whether the line was well formed.
#[inline]
pub(super) fn parse_line(
    text: &[u8],
    masks: &Masks,
    start: usize,
    out: &mut [f64; FIELDS],
) -> (usize, std::result::Result<(), String>) {
    match parse_fields_by_mask(text, masks, start, out) {
        Some(end) => (end, Ok(())),
        None => {
            let (end, parsed) = parse_fields_bytewise(&text[start..], out);
            (start + end, parsed)
        }
    }
}

/// The character classes of 64 bytes of a block, one bit per byte (bit j: byte j of the word).
#[derive(Clone, Copy, Debug, Default)]
struct Word {
    /// Spaces and newlines (and every bit past the end of the text).
    sep: u64,
    /// Newlines.
    nl: u64,
    /// Minus signs.
    minus: u64,
    /// Decimal points.
    dot: u64,
    /// Every other byte that is not a digit: tabs, carriage returns, letters, `+`, ...
    other: u64,
}

impl Word {
    /// Classifies up to 64 bytes (the bits past `chunk.len()` are separators).
    #[inline]
    fn of(chunk: &[u8]) -> Word {
        let mut m = Word { sep: if chunk.len() < 64 { u64::MAX << chunk.len() } else { 0 }, ..Word::default() };
        for (j, &c) in chunk.iter().enumerate() {
            let (space, newline, minus, dot) = (c == b' ', c == b'\n', c == b'-', c == b'.');
            let digit = c.wrapping_sub(b'0') < 10;
            m.sep |= u64::from(space | newline) << j;
            m.nl |= u64::from(newline) << j;
            m.minus |= u64::from(minus) << j;
            m.dot |= u64::from(dot) << j;
            m.other |= u64::from(!(digit | space | newline | minus | dot)) << j;
        }
        m
    }
}

/// The classes of a whole block, computed once, a [`Word`] per 64 bytes.
#[derive(Debug, Default)]
pub(super) struct Masks {
    words: Vec<Word>,
}

impl Masks {
    pub(super) fn build(&mut self, text: &[u8]) {
        self.words.clear();
        let mut chunks = text.chunks_exact(64);
        self.words.extend(chunks.by_ref().map(Word::of_64));
        let tail = chunks.remainder();
        if !tail.is_empty() {
            self.words.push(Word::of(tail));
        }
    }
}

impl Word {
    /// [`Word::of`] 64 bytes, 16 at a time with SSE2 (part of every x86-64 processor).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline]
    #[allow(unsafe_code)]
    fn of_64(chunk: &[u8]) -> Word {
        use std::arch::x86_64::{__m128i, _mm_or_si128, _mm_set1_epi8, _mm_sub_epi8};
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8};
        assert!(chunk.len() >= 64);
        let mut m = Word::default();
        for k in 0..4 {
            // SAFETY: SSE2 is in every x86-64 processor (the target enables it), and the load reads
            // the 16 bytes at 16k of `chunk`, which has at least 64.
            let [sep, newline, minus, dot, known] = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k).cast::<__m128i>());
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let (space, newline, minus, dot) = (is(b' '), is(b'\n'), is(b'-'), is(b'.'));
                // a digit is a byte b with b - '0' (wrapping) ≤ 9
                let nine = _mm_set1_epi8(9);
                let digit = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), nine), nine);
                let sep = _mm_or_si128(space, newline);
                let known = _mm_or_si128(_mm_or_si128(sep, digit), _mm_or_si128(minus, dot));
                [sep, newline, minus, dot, known].map(|x| u64::from(_mm_movemask_epi8(x) as u16))
            };
            let shift = 16 * k;
            m.sep |= sep << shift;
            m.nl |= newline << shift;
            m.minus |= minus << shift;
            m.dot |= dot << shift;
            m.other |= (!known & 0xffff) << shift;
        }
        m
    }

    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline]
    fn of_64(chunk: &[u8]) -> Word {
        Word::of(chunk)
    }
}

/// Digits as byte values 0..=9 in the high `k` bytes of `d` (first digit lowest), zeros below: their
/// decimal value (at most 8 digits).
#[inline]
fn combine_digits(mut d: u64) -> u64 {
    d = (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff_00ff_00ff;
    d = (d.wrapping_mul(100).wrapping_add(d >> 16)) & 0x0000_ffff_0000_ffff;
    (d.wrapping_mul(10_000).wrapping_add(d >> 32)) & 0xffff_ffff
}

/// The value of the first `k` (1 ≤ k ≤ 8) bytes of `w`, all ASCII digits, read as a decimal number.
#[inline]
fn digits_value(w: u64, k: usize) -> u64 {
    let mask = if k == 8 { u64::MAX } else { (1u64 << (8 * k)) - 1 };
    // digits as values 0..=9, shifted so that the missing leading digits are zeros
    combine_digits((w.wrapping_sub(LANES_01 * b'0' as u64) & mask) << (8 * (8 - k)))
}

/// The value of a token of `len` (1 ≤ len ≤ 16) bytes at `at` that the masks show to be digits with at
/// most a leading minus sign; `None` for a lone `-`. The caller checks that 16 bytes from `at` are
/// in the text.
#[inline]
fn integer_value(text: &[u8], at: usize, len: usize) -> Option<f64> {
    let word = load8(text, at);
    let neg = word & 0xff == u64::from(b'-');
    // a leading `-` becomes a leading `0` (bytes after the token only borrow from bytes further on,
    // which the shift drops)
    let head = (word + 3 * u64::from(neg)).wrapping_sub(LANES_01 * u64::from(b'0'));
    let v = if len <= 4 {
        if len == usize::from(neg) {
            return None;
        }
        // four digits at most: two steps on 32 bits
        let d = (head as u32) << (32 - 8 * len);
        let d = (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff;
        u64::from((d.wrapping_mul(100).wrapping_add(d >> 16)) & 0xffff)
    } else if len <= 8 {
        combine_digits(head << (64 - 8 * len))
    } else {
        let low = combine_digits(load8(text, at + len - 8).wrapping_sub(LANES_01 * u64::from(b'0')));
        combine_digits(head << (128 - 8 * len)) * 100_000_000 + low
    };
    // u64 → f64 rounds to nearest, as `str::parse` does; the sign is set without a branch ("-0" is −0)
    Some(f64::from_bits((v as f64).to_bits() | u64::from(neg) << 63))
}

/// The value of any other token of `len` bytes at `at` (it may run across the line's 64th byte):
/// an integer of up to 16 bytes (checked, then read by [`integer_value`]) or a short decimal; `None` when it
/// is anything else (the caller then reads the line byte by byte).
#[inline]
fn token_value(text: &[u8], at: usize, len: usize) -> Option<f64> {
    let neg = usize::from(text[at] == b'-');
    let digits = len - neg;
    let all_digits = |from: usize, k: usize| first_non_digit(load8(text, from)) >= k;
    if len <= 16 && digits >= 1 && all_digits(at + neg, digits.min(8)) && (digits <= 8 || all_digits(at + len - 8, 8)) {
        integer_value(text, at, len)
    } else {
        decimal_value(text, at + neg, digits).map(|v| if neg == 1 { -v } else { v })
    }
}

/// The fast path of [`parse_line`], for lines of up to 127 bytes: the line's token boundaries come from
/// the block's masks (computed once per block), realigned to the line's start as two 64-bit windows, so
/// that the tokens' values do not wait on one another and the branches see the same pattern on every
/// line of a trace; each value is read from eight bytes at once. Returns the index of the line's
/// newline for a well-formed line; `None` (the caller then reads the line byte by byte) for anything
/// else: bytes other than spaces, digits, signs and points, long or non-decimal numbers, a wrong number
/// of fields, longer lines, the last bytes of the text.
#[inline]
fn parse_fields_by_mask(text: &[u8], masks: &Masks, start: usize, out: &mut [f64; FIELDS]) -> Option<usize> {
    const PAST_END: Word = Word { sep: u64::MAX, nl: 0, minus: 0, dot: 0, other: 0 };
    let (w, shift) = (start / 64, start % 64);
    let word = |k: usize| masks.words.get(w + k).copied().unwrap_or(PAST_END);
    let (w0, w1, w2) = (word(0), word(1), word(2));
    // the bits of a class from the line's start: bytes 0..64 and 64..128 of the line
    let window = |class: fn(&Word) -> u64| -> [u64; 2] {
        let join = |low: u64, high: u64| (low >> shift) | (high << 1) << (63 - shift);
        [join(class(&w0), class(&w1)), join(class(&w1), class(&w2))]
    };
    let nl = window(|m| m.nl);
    let end = if nl[0] != 0 {
        nl[0].trailing_zeros() as usize
    } else if nl[1] != 0 {
        64 + nl[1].trailing_zeros() as usize
    } else {
        return None;
    };
    if start + end + 24 > text.len() {
        return None;
    }
    let within = if end < 64 { [(1u64 << end) - 1, 0] } else { [u64::MAX, (1u64 << (end - 64)) - 1] };
    let (sep, minus, dot, other) = (window(|m| m.sep), window(|m| m.minus), window(|m| m.dot), window(|m| m.other));
    let tokens = [!sep[0] & within[0], !sep[1] & within[1]];
    let starts = [tokens[0] & !(tokens[0] << 1), tokens[1] & !((tokens[1] << 1) | tokens[0] >> 63)];
    if (starts[0].count_ones() + starts[1].count_ones()) as usize != FIELDS
        || (other[0] | minus[0] & !starts[0]) & within[0] != 0
        || (other[1] | minus[1] & !starts[1]) & within[1] != 0
    {
        return None;
    }
    let mut n = 0;
    for half in 0..2 {
        let (second_sep, sep, dot) = (sep[1], sep[half], dot[half]);
        let mut starts = starts[half];
        while starts != 0 {
            let s = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let at = start + 64 * half + s;
            let after = sep >> s; // separators from the token on
            let len = after.trailing_zeros() as usize;
            if after == 0 {
                // the token runs on past the line's 64th byte (its end is in the second window)
                out[n] = token_value(text, at, 64 - s + second_sep.trailing_zeros() as usize)?;
                n += 1;
                continue;
            }
            let plain = (dot >> s).trailing_zeros() as usize >= len;
            if UNUSED >> n & 1 == 1 {
                // a field the reader does not use: only checked to be a number (at least one digit,
                // at most one point)
                let dots = ((dot >> s) & ((1u64 << len) - 1)).count_ones() as usize;
                if dots > 1 || len <= usize::from(text[at] == b'-') + dots {
                    return None;
                }
                out[n] = 0.0;
            } else if len == 2 && u16::from_le_bytes([text[at], text[at + 1]]) == u16::from_le_bytes(*b"-1") {
                out[n] = -1.0; // "not known", the commonest token of a trace
            } else if plain && len <= 16 {
                out[n] = integer_value(text, at, len)?;
            } else {
                out[n] = token_value(text, at, len)?;
            }
            n += 1;
        }
    }
    Some(start + end)
}

/// The general path of [`parse_line`], byte by byte (eight at a time where it can).
#[inline]
fn parse_fields_bytewise(text: &[u8], out: &mut [f64; FIELDS]) -> (usize, std::result::Result<(), String>) {
    let len = text.len();
    let mut n = 0;
    let mut i = 0;
    loop {
        // runs of spaces, eight bytes at a time
        while i + 8 <= len {
            let spaces = first_non_space(load8(text, i));
            i += spaces;
            if spaces < 8 {
                break;
            }
        }
        while i < len && is_blank(text[i]) {
            i += 1;
        }
        if i >= len || text[i] == b'\n' {
            break;
        }
        let start = i;
        let neg = text[i] == b'-';
        if neg {
            i += 1;
        }
        // up to 8 digits at once
        if i + 9 <= len {
            let w = load8(text, i);
            let k = first_non_digit(w);
            if (1..=8).contains(&k) && (text[i + k] == b'\n' || is_blank(text[i + k])) {
                let v = digits_value(w, k) as f64;
                i += k;
                if n == FIELDS {
                    return too_many_fields(text, i);
                }
                out[n] = if neg { -v } else { v };
                n += 1;
                continue;
            }
        }
        let digits = i;
        let mut v: i64 = 0;
        while i < len && i - digits < 18 {
            let d = text[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v * 10 + d as i64;
            i += 1;
        }
        let value = if i > digits && (i == len || text[i] == b'\n' || is_blank(text[i])) {
            if neg { -(v as f64) } else { v as f64 }
        } else {
            while i < len && !text[i].is_ascii_whitespace() {
                i += 1;
            }
            let token = &text[start..i];
            match parse_number_slow(token) {
                Some(x) => x,
                None if n < FIELDS => {
                    let message =
                        format!("field {} ({}) is not a number: `{}`", n + 1, FIELD_NAMES[n], shown_token(token));
                    return (line_end(text, i), Err(message));
                }
                None => f64::NAN,
            }
        };
        if n == FIELDS {
            return too_many_fields(text, i);
        }
        out[n] = value;
        n += 1;
    }
    (i, if n < FIELDS { Err(format!("expected {FIELDS} fields, found {n}")) } else { Ok(()) })
}

/// The result for a line that goes on past its 18th field, which ends at `i`: how many fields it has.
#[cold]
fn too_many_fields(text: &[u8], i: usize) -> (usize, std::result::Result<(), String>) {
    let end = line_end(text, i);
    let more = text[i..end].split(|&c| c.is_ascii_whitespace()).filter(|t| !t.is_empty()).count();
    (end, Err(format!("expected {FIELDS} fields, found {}", FIELDS + 1 + more)))
}

/// The fields the reader does not use (wait time, average cpu time, used memory, executable), bit k
/// for field k + 1: the fast path only checks that they are numbers and leaves their values at 0.
const UNUSED: u32 = 1 << 2 | 1 << 5 | 1 << 6 | 1 << 13;

/// A token for a message: at most 40 bytes of it (a binary file's first "token" can be long).
#[cold]
pub(super) fn shown_token(token: &[u8]) -> String {
    match token.len() {
        0..=40 => String::from_utf8_lossy(token).into_owned(),
        n => format!("{}… ({n} bytes)", String::from_utf8_lossy(&token[..40])),
    }
}

#[cfg(test)]
mod tests {
    use super::super::conventions::to_time;
    use super::*;
    use crate::model::Time;
    use crate::model::time::SECOND;

    #[test]
    fn eight_byte_scanning_agrees_with_byte_by_byte() {
        let pad = |t: &str| {
            let mut b = t.as_bytes().to_vec();
            b.resize(8, b' ');
            load8(&b, 0)
        };
        assert_eq!(first_non_space(pad("   12")), 3);
        assert_eq!(first_non_space(pad("        ")), 8);
        assert_eq!(first_non_space(pad("\t")), 0);
        assert_eq!(first_non_digit(pad("1234 ")), 4);
        assert_eq!(first_non_digit(pad("12345678")), 8);
        assert_eq!(first_non_digit(pad("9/:0")), 1); // '/' and ':' sit just outside '0'..='9'
        assert_eq!(first_non_digit(pad("-1")), 0);
        for (text, k) in [("7 ", 1), ("42\n", 2), ("1234567", 7), ("12345678", 8), ("00000109", 8)] {
            assert_eq!(digits_value(pad(text), k), text.trim().parse::<u64>().unwrap(), "{text}");
        }
        let mut rng = crate::rng::stream(1, "swar");
        for _ in 0..10_000 {
            use rand::RngExt;
            let x: u64 = rng.random_range(0..100_000_000);
            let t = x.to_string();
            assert_eq!(digits_value(pad(&t), t.len()), x);
            assert_eq!(first_non_digit(pad(&t)), t.len());
        }
        // a whole line through both paths
        let mut f = [0.0; FIELDS];
        let line = b"  123456789   -1 0 7 12345678 1.5 -1 64 3600 -1 1 5 5 -1 1 1 -1 -1\n   more";
        assert_eq!(parse_fields(line, &mut f), (66, Ok(())));
        assert_eq!(&f[..6], &[123456789.0, -1.0, 0.0, 7.0, 12345678.0, 1.5]);
        assert_eq!(&f[16..], &[-1.0, -1.0]);
    }

    /// The mask path and the byte-by-byte path agree on random lines (spacing, signs, long numbers,
    /// decimals, tabs, wrong field counts, junk), wherever the line sits in the text.
    #[test]
    fn mask_parsing_agrees_with_bytewise_parsing() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(7, "mask");
        let mut fast_taken = 0;
        for case in 0..20_000 {
            let messy = case % 2 == 1; // tabs, long numbers, decimals, junk
            let wide = case % 4 == 0; // wide spacing: lines longer than the fast path's 127 bytes
            let fields = if case % 10 == 3 { rng.random_range(15..21) } else { FIELDS };
            let mut line = String::new();
            for f in 0..fields {
                let gap = rng.random_range(match (f, wide) {
                    (0, _) => 0..6,
                    (_, true) => 1..9,
                    (_, false) => 1..3,
                });
                for _ in 0..gap {
                    line.push(if messy && rng.random::<f64>() < 0.02 { '\t' } else { ' ' });
                }
                let digits = |rng: &mut crate::rng::Rng, most: u32| {
                    let k = rng.random_range(1..=most);
                    rng.random_range(0..10u64.pow(k))
                };
                let token = match rng.random_range(0..24) {
                    0 | 1 => "-1".to_string(),
                    2 if messy => format!("{}", rng.random_range(0..u64::MAX / 2)),
                    3 if messy => format!("{:.2}", rng.random::<f64>() * 1000.0),
                    4 if messy && rng.random::<f64>() < 0.2 => {
                        ["x1", "-", ".", "1.2.3", "5.", "-.5", "--1", "1-2", "+3", "1e3"][rng.random_range(0..10)]
                            .to_string()
                    }
                    5 if messy => format!("{}", digits(&mut rng, 16)),
                    6 => format!("-{}", digits(&mut rng, 8)),
                    _ => format!("{}", digits(&mut rng, 9)),
                };
                line.push_str(&token);
            }
            let trailing = " ".repeat(rng.random_range(0..3));
            // the line starts anywhere in a 64-byte word of the block's masks
            let earlier = format!("{}\n", "5 ".repeat(rng.random_range(0..40)));
            let text = format!("{earlier}{line}{trailing}\n{}", "9 ".repeat(60));
            let text = text.as_bytes();
            let mut masks = Masks::default();
            masks.build(text);
            let at = earlier.len() + line.bytes().take_while(|&c| is_blank(c)).count();
            let (mut a, mut b) = ([0.0; FIELDS], [0.0; FIELDS]);
            let (end, parsed) = parse_fields_bytewise(&text[earlier.len()..], &mut a);
            let slow = (earlier.len() + end, parsed);
            // the fast path leaves the values of the fields the reader does not use at 0; the
            // values compare bit for bit (−0 is not 0)
            let used = |f: [f64; FIELDS]| {
                (0..FIELDS).filter(|k| UNUSED >> k & 1 == 0).map(|k| f[k].to_bits()).collect::<Vec<_>>()
            };
            if let Some(fast) = parse_fields_by_mask(text, &masks, at, &mut b) {
                fast_taken += 1;
                assert_eq!((fast, Ok(())), slow, "{line:?}");
                assert_eq!(used(a), used(b), "{line:?}");
            }
            let mut c = [0.0; FIELDS];
            assert_eq!(parse_line(text, &masks, at, &mut c), slow);
            if slow.1.is_ok() {
                assert_eq!(used(a), used(c));
            }
        }
        assert!(fast_taken > 5_000, "the fast path was taken {fast_taken} times"); // of about 13,000 plain lines
        // a token longer than a window
        let long = format!("1 {} 3\n{}", "7".repeat(100), " ".repeat(100));
        let mut f = [0.0; FIELDS];
        assert_eq!(parse_fields(long.as_bytes(), &mut f), (104, Err("expected 18 fields, found 3".into())));
    }

    /// The 16-bytes-at-a-time byte classes equal the plain loop's, on every byte value.
    #[test]
    fn byte_classes_agree_with_the_plain_loop() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(5, "classes");
        let alphabet = b" \n-.0123456789\t\rx+e;";
        for case in 0..2_004 {
            let chunk: Vec<u8> = match case {
                0..4 => (0..64).map(|i| (64 * case + i) as u8).collect(), // every byte value once
                _ if case % 2 == 0 => (0..64).map(|_| rng.random::<u8>()).collect(),
                _ => (0..64).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect(),
            };
            let (fast, plain) = (Word::of_64(&chunk), Word::of(&chunk));
            assert_eq!(
                (fast.sep, fast.nl, fast.minus, fast.dot, fast.other),
                (plain.sep, plain.nl, plain.minus, plain.dot, plain.other),
                "{chunk:?}"
            );
        }
    }

    #[test]
    fn decimals_and_time_rounding_agree_with_the_standard_library() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(3, "decimals");
        let digits = |rng: &mut crate::rng::Rng, k: usize| -> String {
            (0..k).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
        };
        for _ in 0..20_000 {
            let (int_len, frac_len) = (rng.random_range(0..10), rng.random_range(0..10));
            let token = format!("{}.{}", digits(&mut rng, int_len), digits(&mut rng, frac_len));
            let text = format!("{token}{}", " ".repeat(16));
            let fast = decimal_value(text.as_bytes(), 0, token.len());
            let exact = token.parse::<f64>().ok();
            if int_len <= 8 && (1..=8).contains(&frac_len) && int_len + frac_len <= 15 {
                assert_eq!(fast, exact, "{token}");
            } else {
                assert_eq!(fast, None, "{token}");
            }
            if let Some(secs) = exact {
                assert_eq!(to_time(secs), (secs * SECOND as f64).round() as Time, "{token}");
            }
        }
        assert_eq!(to_time(2.5), 2_500_000);
        assert_eq!(to_time(0.0000005), 1); // half a microsecond rounds up
        assert_eq!(to_time(-3.0), 0);
    }

    #[test]
    fn bad_lines_are_described() {
        let mut f = [0.0; FIELDS];
        assert_eq!(parse_fields(b"1 2 3\n4 5", &mut f), (5, Err("expected 18 fields, found 3".into())));
        let (end, e) = parse_fields(b"1 2 3 x 5 6 7 8 9 10 11 12 13 14 15 16 17 18\nnext", &mut f);
        assert_eq!(end, 44);
        let e = e.unwrap_err();
        assert_eq!(e, "field 4 (run time) is not a number: `x`");
        // the fields the reader does not use are still checked
        let padding = " ".repeat(40);
        for junk in ["1.2.3", ".", "-", "-."] {
            let line = format!("1 2 {junk} 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n{padding}");
            let e = parse_fields(line.as_bytes(), &mut f).1.unwrap_err();
            assert_eq!(e, format!("field 3 (wait time) is not a number: `{junk}`"));
        }
        let line = format!("1 2 5. 4 5 -.5 7 8 9 10 11 12 13 14 15 16 17 18\n{padding}");
        assert!(parse_fields(line.as_bytes(), &mut f).1.is_ok());
        assert!(parse_fields(b"1 2.5 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", &mut f).1.is_ok());
        assert_eq!(f[1], 2.5);
    }
}
