//! Streams a trace's (decompressed) bytes as blocks of whole lines, read on a helper thread so that
//! decompression overlaps parsing. Blocks arrive in file order, so the result is the same as a
//! sequential read; at most a few blocks are in memory at once.

use std::io::{self, BufRead};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Bytes read per block (a block is cut after its last newline; the rest starts the next block).
const BLOCK: usize = 1 << 18;
/// Blocks in flight between the reader thread and the parser.
const IN_FLIGHT: usize = 4;

/// Whole-line blocks of a reader, produced on a helper thread.
pub struct LineBlocks {
    rx: Option<Receiver<io::Result<Vec<u8>>>>,
    recycle: SyncSender<Vec<u8>>,
    handle: Option<JoinHandle<()>>,
}

impl LineBlocks {
    /// Starts reading `reader` on a helper thread.
    pub fn spawn(mut reader: Box<dyn BufRead + Send>) -> LineBlocks {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(IN_FLIGHT);
        let (recycle, spare) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
        let handle = std::thread::spawn(move || {
            let mut carry: Vec<u8> = Vec::new();
            loop {
                let mut block = spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(BLOCK));
                block.clear();
                block.append(&mut carry);
                let filled = match fill(&mut reader, &mut block) {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                if filled == 0 {
                    if !block.is_empty() {
                        let _ = tx.send(Ok(block));
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
                if tx.send(Ok(block)).is_err() {
                    return; // the parser stopped
                }
            }
        });
        LineBlocks { rx: Some(rx), recycle, handle: Some(handle) }
    }

    /// The next block (whole lines, the last one possibly without its newline), or `None` at the end.
    pub fn next_block(&mut self) -> Option<io::Result<Vec<u8>>> {
        self.rx.as_ref()?.recv().ok()
    }

    /// Hands a used block back for reuse.
    pub fn give_back(&self, block: Vec<u8>) {
        let _ = self.recycle.try_send(block);
    }
}

impl Drop for LineBlocks {
    fn drop(&mut self) {
        // Closing the channel makes the reader thread stop at its next block; then wait for it.
        self.rx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
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

    fn lines_of(text: Vec<u8>) -> Vec<Vec<u8>> {
        let mut blocks = LineBlocks::spawn(Box::new(io::Cursor::new(text)));
        let mut all = Vec::new();
        while let Some(b) = blocks.next_block() {
            let b = b.unwrap();
            all.extend_from_slice(&b);
            blocks.give_back(b);
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
        let mut blocks = LineBlocks::spawn(Box::new(io::Cursor::new(text)));
        while let Some(b) = blocks.next_block() {
            let b = b.unwrap();
            let whole = b.last() == Some(&b'\n') || b.iter().all(|&c| c == b'y');
            assert!(whole, "a block ends inside a line");
        }
    }
}
