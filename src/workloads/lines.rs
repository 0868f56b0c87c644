//! Streams a trace's (decompressed) bytes as blocks of whole lines, read on a helper thread so that
//! decompression overlaps parsing, and optionally maps every block on that thread too (the SWF reader
//! computes its byte classes there). Blocks arrive in file order, so the result is the same as a
//! sequential read; at most a few blocks are in memory at once.

use std::io::{self, BufRead};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Bytes read per block (a block is cut after its last newline; the rest starts the next block).
const BLOCK: usize = 1 << 18;
/// Room in a new block for the start of a line carried over from the previous block (a longer line
/// makes the block grow).
const SLACK: usize = 4096;
/// Blocks in flight between a helper thread and its consumer.
const IN_FLIGHT: usize = 4;

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
/// `emit` until the end, an error, or `emit` returning false (its consumer stopped).
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
