//! Reading an input file (an SWF trace or a CSV job list): opening it, plain or gzip, and streaming its
//! (decompressed) bytes as blocks of whole lines, read on a helper thread so that decompression overlaps
//! parsing, and optionally mapping every block on that thread too (the SWF reader computes its byte
//! classes there). Blocks arrive in file order, so the result is the same as a sequential read; at most
//! a few blocks are in memory at once.

use crate::error::{Error, Result};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Bytes read per block (a block is cut after its last newline; the rest starts the next block).
const BLOCK: usize = 1 << 18;
/// Room in a new block for the start of a line carried over from the previous block (a longer line
/// makes the block grow).
const SLACK: usize = 4096;
/// Blocks in flight between a helper thread and its consumer.
const IN_FLIGHT: usize = 4;

/// The longest line a trace or job list may have, its newline left out: 1 MiB (a real line has a few
/// hundred bytes at most). A longer line is an error naming the file and the line, so that a file that is
/// no text (`/dev/zero` has no newline at all) fails at once instead of filling the memory.
pub const MAX_LINE: usize = 1 << 20;

/// What a reader's `io::Error` (of kind `InvalidData`) carries for a line longer than [`MAX_LINE`]:
/// the line's number (from 1), when the reader that found it counts lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineTooLong {
    pub line: Option<u64>,
}

impl LineTooLong {
    /// The `io::Error` of a line longer than [`MAX_LINE`].
    pub fn error(line: Option<u64>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, LineTooLong { line })
    }

    /// What `e` says, when it is the error of a line longer than [`MAX_LINE`].
    pub fn of(e: &io::Error) -> Option<LineTooLong> {
        e.get_ref()?.downcast_ref::<LineTooLong>().copied()
    }
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line longer than {} MiB, the most a line may have (is the file text?)", MAX_LINE >> 20)
    }
}

impl std::error::Error for LineTooLong {}

/// Opens a trace or job list for streaming: gzip (detected by its magic bytes, whatever the name) or
/// plain text, without the UTF-8 byte-order mark that some editors write at the start of a text file.
pub fn open_trace(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    // three bytes: the first read of a plain file then holds a whole byte-order mark
    let mut magic = [0u8; 3];
    let n = read_up_to(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
    let gzip = magic[..n].starts_with(&[0x1f, 0x8b]);
    let head = io::Cursor::new(magic[..n].to_vec());
    let raw = head.chain(file);
    const BUF: usize = 1 << 16;
    let reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(raw)))
    } else {
        Box::new(BufReader::with_capacity(BUF, raw))
    };
    skip_bom(reader).map_err(|e| Error::io(path, e))
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// `reader` after its leading UTF-8 byte-order mark, if it has one.
fn skip_bom(mut reader: Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let start = reader.fill_buf()?;
    if start.len() >= BOM.len() || start.is_empty() {
        if start.starts_with(BOM) {
            reader.consume(BOM.len());
        }
        return Ok(reader);
    }
    // a first read shorter than the mark: read its length, and put back what is not a mark
    let mut head = [0u8; 3];
    let n = read_up_to(&mut reader, &mut head)?;
    if head[..n] == *BOM {
        return Ok(reader);
    }
    Ok(Box::new(io::Cursor::new(head[..n].to_vec()).chain(reader)))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A helper thread producing items in order, with a channel to hand used items back for reuse.
struct Stage<T> {
    rx: Option<Receiver<io::Result<T>>>,
    recycle: SyncSender<T>,
    handle: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Stage<T> {
    /// Runs `work(output, used items)` on a new thread.
    fn spawn(name: &str, work: impl FnOnce(SyncSender<io::Result<T>>, Receiver<T>) + Send + 'static) -> Stage<T> {
        let (tx, rx) = sync_channel::<io::Result<T>>(IN_FLIGHT);
        let (recycle, spare) = sync_channel::<T>(IN_FLIGHT + 2);
        let handle = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || work(tx, spare))
            .expect("the reader's helper thread starts");
        Stage { rx: Some(rx), recycle, handle: Some(handle) }
    }

    fn next(&mut self) -> Option<io::Result<T>> {
        self.rx.as_ref()?.recv().ok()
    }

    fn give_back(&self, item: T) {
        let _ = self.recycle.try_send(item);
    }
}

impl<T> Drop for Stage<T> {
    fn drop(&mut self) {
        // Closing the channel makes the thread stop at its next item; then wait for it.
        self.rx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Cuts what `reader` gives into blocks of whole lines (a block ends after its last newline; the rest
/// starts the next block), taking empty blocks from `spare` (else allocating them), and hands each to
/// `emit` until the end, an error, or `emit` returning false (its consumer stopped). A line longer than
/// [`MAX_LINE`] is an error ([`LineTooLong`], without its number: the line after those of the blocks
/// handed out before).
fn cut_blocks(
    mut reader: Box<dyn BufRead + Send>,
    mut spare: impl FnMut() -> Option<Vec<u8>>,
    mut emit: impl FnMut(io::Result<Vec<u8>>) -> bool,
) {
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut block = spare().unwrap_or_else(|| Vec::with_capacity(BLOCK + SLACK));
        block.clear();
        block.append(&mut carry);
        let filled = match fill(&mut reader, &mut block) {
            Ok(n) => n,
            Err(e) => {
                emit(Err(e));
                return;
            }
        };
        if filled == 0 {
            if !block.is_empty() {
                emit(Ok(block));
            }
            return;
        }
        // Only a line carried over from earlier blocks can make a block this long, and it is the block's
        // first line.
        if block.len() > MAX_LINE && block.iter().position(|&c| c == b'\n').is_none_or(|p| p > MAX_LINE) {
            emit(Err(LineTooLong::error(None)));
            return;
        }
        match block.iter().rposition(|&c| c == b'\n') {
            Some(p) => carry.extend_from_slice(&block[p + 1..]),
            None => {
                // a line longer than the block: keep reading it
                carry = block;
                continue;
            }
        }
        let keep = block.len() - carry.len();
        block.truncate(keep);
        if !emit(Ok(block)) {
            return;
        }
    }
}

/// The blocks of a reader, each with a value `map` computed from it on the same helper thread (so that
/// decompression and mapping overlap the consumer's work).
pub struct MappedBlocks<T>(Stage<(Vec<u8>, T)>);

impl<T: Default + Send + 'static> MappedBlocks<T> {
    /// Starts reading `reader` and mapping its blocks; `map(block, its index from 0, value)` fills a
    /// (reused) value from a block.
    pub fn spawn(reader: Box<dyn BufRead + Send>, map: fn(&[u8], usize, &mut T)) -> MappedBlocks<T> {
        MappedBlocks(Stage::spawn("read blocks", move |tx, spare| {
            // a used block comes back with its value: the value waits here for the next block
            let values = std::cell::RefCell::new(Vec::<T>::new());
            let mut index = 0;
            cut_blocks(
                reader,
                || {
                    let (block, value) = spare.try_recv().ok()?;
                    values.borrow_mut().push(value);
                    Some(block)
                },
                |block| {
                    let item = block.map(|block| {
                        let mut value = values.borrow_mut().pop().unwrap_or_default();
                        map(&block, index, &mut value);
                        index += 1;
                        (block, value)
                    });
                    tx.send(item).is_ok()
                },
            );
        }))
    }

    /// The next block and its value, or `None` at the end.
    pub fn next_block(&mut self) -> Option<io::Result<(Vec<u8>, T)>> {
        self.0.next()
    }

    /// Hands a used block and its value back for reuse.
    pub fn give_back(&self, block: Vec<u8>, value: T) {
        self.0.give_back((block, value));
    }
}

/// Appends up to `BLOCK` more bytes from `reader` to `block`; returns how many.
fn fill(reader: &mut Box<dyn BufRead + Send>, block: &mut Vec<u8>) -> io::Result<usize> {
    let mut added = 0;
    while added < BLOCK {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let take = available.len().min(BLOCK - added);
        block.extend_from_slice(&available[..take]);
        reader.consume(take);
        added += take;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks of `text`, with nothing computed beside them.
    fn blocks_of(text: Vec<u8>) -> MappedBlocks<()> {
        MappedBlocks::spawn(Box::new(io::Cursor::new(text)), |_, _, _| {})
    }

    fn lines_of(text: Vec<u8>) -> Vec<Vec<u8>> {
        let mut blocks = blocks_of(text);
        let mut all = Vec::new();
        while let Some(b) = blocks.next_block() {
            let (b, ()) = b.unwrap();
            all.extend_from_slice(&b);
            blocks.give_back(b, ());
        }
        all.split(|&c| c == b'\n').map(|l| l.to_vec()).collect()
    }

    #[test]
    fn blocks_reassemble_the_input_and_never_split_a_line() {
        let mut text = Vec::new();
        for i in 0..100_000u32 {
            text.extend_from_slice(format!("line {i} {}\n", "x".repeat((i % 50) as usize)).as_bytes());
        }
        text.extend_from_slice(&vec![b'y'; 3 * BLOCK]); // a last line longer than a block, no newline
        let lines = lines_of(text.clone());
        assert_eq!(lines.len(), 100_001);
        assert_eq!(lines[12345], format!("line 12345 {}", "x".repeat(12345 % 50)).into_bytes());
        assert_eq!(lines[100_000].len(), 3 * BLOCK);
        let mut blocks = blocks_of(text);
        while let Some(b) = blocks.next_block() {
            let (b, ()) = b.unwrap();
            let whole = b.last() == Some(&b'\n') || b.iter().all(|&c| c == b'y');
            assert!(whole, "a block ends inside a line");
        }
    }

    #[test]
    fn a_line_longer_than_max_line_ends_the_blocks_with_an_error() {
        // lines of exactly the limit pass, in a block of their own or after a carried start
        let mut text = format!("a\n{}\n", "x".repeat(MAX_LINE)).into_bytes();
        text.extend_from_slice(&vec![b'y'; MAX_LINE + 1]);
        text.extend_from_slice(b"\nz\n");
        let mut blocks = blocks_of(text);
        let mut lines = 0;
        let error = loop {
            match blocks.next_block() {
                Some(Ok((b, ()))) => lines += b.iter().filter(|&&c| c == b'\n').count(),
                Some(Err(e)) => break e,
                None => panic!("no error"),
            }
        };
        assert_eq!((lines, LineTooLong::of(&error)), (2, Some(LineTooLong { line: None })));
        assert!(blocks.next_block().is_none(), "nothing after the error");
    }

    #[test]
    fn a_byte_order_mark_is_skipped_even_when_the_first_read_is_short() {
        let read = |bytes: &[u8], capacity: usize| {
            let inner = std::io::BufReader::with_capacity(capacity, io::Cursor::new(bytes.to_vec()));
            let mut text = Vec::new();
            skip_bom(Box::new(inner)).unwrap().read_to_end(&mut text).unwrap();
            text
        };
        for capacity in [1, 2, 64] {
            assert_eq!(read(b"\xef\xbb\xbf; MaxProcs: 4\n", capacity), b"; MaxProcs: 4\n");
            assert_eq!(read(b"\xef\xbbx", capacity), b"\xef\xbbx");
            assert_eq!(read(b"ab", capacity), b"ab");
            assert_eq!(read(b"", capacity), b"");
        }
    }

    #[test]
    fn mapped_blocks_come_in_order_with_their_values() {
        let text: String = (0..200_000u32).map(|i| format!("{i}\n")).collect();
        let count_lines = |block: &[u8], index: usize, v: &mut (usize, usize)| {
            *v = (block.iter().filter(|&&c| c == b'\n').count(), index)
        };
        let mut blocks =
            MappedBlocks::<(usize, usize)>::spawn(Box::new(io::Cursor::new(text.into_bytes())), count_lines);
        let (mut next, mut total_blocks) = (0u32, 0);
        while let Some(item) = blocks.next_block() {
            let (block, (lines, index)) = item.unwrap();
            assert_eq!(index, total_blocks, "blocks are numbered in order");
            let numbers: Vec<u32> = block
                .split(|&c| c == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| std::str::from_utf8(l).unwrap().parse().unwrap())
                .collect();
            assert_eq!(numbers.len(), lines);
            for x in numbers {
                assert_eq!(x, next);
                next += 1;
            }
            total_blocks += 1;
            blocks.give_back(block, (lines, index));
        }
        assert_eq!(next, 200_000);
        assert!(total_blocks > 1);
    }
}
