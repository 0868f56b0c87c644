//! Asks Linux to back a large vector with transparent huge pages: a trace of 200,000 jobs fills about
//! 20 MB of fresh memory, and 2 MiB pages take ~10 page faults where 4 KiB pages take ~5,000 (on a
//! virtual machine, a third of the reader's time). A hint only: contents and safety do not change.

/// Below this capacity (in bytes) the hint is not worth a system call.
const WORTH_IT: usize = 4 << 20;

/// Advises the kernel that the (not yet touched) capacity of `v` will be used whole, so that it may
/// map huge pages there as it is first written. Does nothing on other systems, for small vectors, or
/// where transparent huge pages are off.
#[allow(unsafe_code)]
pub fn advise<T>(v: &mut Vec<T>) {
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if bytes < WORTH_IT {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf only reads a system constant; madvise(MADV_HUGEPAGE) on whole pages inside
        // the vector's own allocation only changes how the kernel backs those pages, never their
        // contents or validity; its result is a hint taken or not, so it is ignored.
        unsafe {
            let page = usize::try_from(libc::sysconf(libc::_SC_PAGESIZE)).unwrap_or(0).max(1);
            let start = v.as_mut_ptr() as usize;
            let first_page = start.next_multiple_of(page);
            let len = (start + bytes).saturating_sub(first_page) / page * page;
            if len > 0 {
                libc::madvise(first_page as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn advising_keeps_the_contents() {
        let mut v: Vec<u64> = Vec::with_capacity(1 << 20);
        v.extend(0..1000);
        super::advise(&mut v);
        v.extend(1000..(1 << 20));
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
        let mut small = vec![1u8; 10];
        super::advise(&mut small);
        assert_eq!(small, vec![1u8; 10]);
    }
}
