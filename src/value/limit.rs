//! The size cap on single objects: no string, bytes, list or map may take
//! more than [`MAX_OBJECT_BYTES`], and no text built by printing a value may
//! grow past it either.
//!
//! Rust aborts the process when an allocation fails, so a script that
//! doubles a string forty times, or pushes onto a list forever, would die
//! without a report. Every operation that builds an object whose size the
//! program controls asks [`check_size`] (or one of the helpers built on it)
//! *before* allocating, and gets a catchable `ValueError` instead. Growth of
//! an existing buffer goes through [`reserve`], which also caps the
//! doubling (a list of 60 million values must not ask for room for 120
//! million) and turns an allocation failure into the same error.
//!
//! Sizes count bytes, not elements: a list slot is 16 bytes, so a list holds
//! at most 2^26 values.

use super::error::value_error;
use super::NResult;

/// The largest single object: 1 GiB.
pub const MAX_OBJECT_BYTES: usize = 1 << 30;

/// Checks that `count` items of `item_bytes` each stay within the cap.
/// `what` names the thing being built, as the error message shows it
/// (`"string"`, `"list"`, `"repeat() result"`).
#[inline]
pub fn check_size(count: usize, item_bytes: usize, what: &str) -> NResult<()> {
    let total = count as u128 * item_bytes as u128;
    if total > MAX_OBJECT_BYTES as u128 {
        return too_large(what, total);
    }
    Ok(())
}

/// The error for an object past the cap.
#[cold]
pub fn too_large<T>(what: &str, bytes: u128) -> NResult<T> {
    value_error(format!(
        "{what} too large: {bytes} bytes, more than the 1 GiB limit"
    ))
}

/// Makes room for `extra` more items in `items`, within the cap: grows by
/// doubling like `Vec::push` would, but never past the cap, and reports a
/// failed allocation as a `ValueError` rather than aborting.
pub fn reserve<T>(items: &mut Vec<T>, extra: usize, what: &str) -> NResult<()> {
    let size = std::mem::size_of::<T>().max(1);
    match grown_capacity(items.len(), items.capacity(), extra, size) {
        Err(bytes) => too_large(what, bytes),
        Ok(None) => Ok(()),
        Ok(Some(target)) => match items.try_reserve_exact(target - items.len()) {
            Ok(()) => Ok(()),
            Err(_) => out_of_memory(what, target as u128 * size as u128),
        },
    }
}

/// The capacity to grow a buffer of `len` items of `size` bytes (room for
/// `capacity`) to, so that it takes `extra` more: `None` when it has room
/// already, `Err(bytes)` when the result would pass the cap.
fn grown_capacity(
    len: usize,
    capacity: usize,
    extra: usize,
    size: usize,
) -> Result<Option<usize>, u128> {
    let wanted = len as u128 + extra as u128;
    if wanted * size as u128 > MAX_OBJECT_BYTES as u128 {
        return Err(wanted * size as u128);
    }
    let wanted = wanted as usize;
    if wanted <= capacity {
        return Ok(None);
    }
    let max = MAX_OBJECT_BYTES / size;
    Ok(Some(wanted.max(capacity.saturating_mul(2)).min(max)))
}

/// An empty vector with room for `count` items, within the cap.
pub fn vec_with_capacity<T>(count: usize, what: &str) -> NResult<Vec<T>> {
    let mut v = Vec::new();
    reserve(&mut v, count, what)?;
    Ok(v)
}

/// An empty string with room for `bytes` bytes, within the cap.
pub fn string_with_capacity(bytes: usize, what: &str) -> NResult<String> {
    check_size(bytes, 1, what)?;
    let mut s = String::new();
    match s.try_reserve_exact(bytes) {
        Ok(()) => Ok(s),
        Err(_) => out_of_memory(what, bytes as u128),
    }
}

/// Makes room for `more` bytes at the end of `text`, within the cap (for
/// text built piece by piece: printing, `join`, JSON).
pub fn grow_string(text: &mut String, more: usize, what: &str) -> NResult<()> {
    let wanted = text.len() as u128 + more as u128;
    if wanted > MAX_OBJECT_BYTES as u128 {
        return too_large(what, wanted);
    }
    match text.try_reserve(more) {
        Ok(()) => Ok(()),
        Err(_) => out_of_memory(what, wanted),
    }
}

/// The error for an allocation the system refused.
#[cold]
pub fn out_of_memory<T>(what: &str, bytes: u128) -> NResult<T> {
    value_error(format!(
        "out of memory: cannot allocate {bytes} bytes for {what}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_size_counts_bytes() {
        assert!(check_size(MAX_OBJECT_BYTES, 1, "string").is_ok());
        assert!(check_size(MAX_OBJECT_BYTES + 1, 1, "string").is_err());
        assert!(check_size(MAX_OBJECT_BYTES / 16, 16, "list").is_ok());
        assert!(check_size(MAX_OBJECT_BYTES / 16 + 1, 16, "list").is_err());
        assert!(check_size(usize::MAX, usize::MAX, "list").is_err());
    }

    #[test]
    fn growth_doubles_up_to_the_cap() {
        let max = MAX_OBJECT_BYTES / 16;
        assert_eq!(grown_capacity(3, 4, 1, 16), Ok(None));
        assert_eq!(grown_capacity(4, 4, 1, 16), Ok(Some(8)));
        assert_eq!(grown_capacity(4, 4, 100, 16), Ok(Some(104)));
        // Doubling would ask for room for 2 * (max - 1) values; the cap
        // keeps it at `max`.
        assert_eq!(grown_capacity(max - 1, max - 1, 1, 16), Ok(Some(max)));
        assert!(grown_capacity(max, max, 1, 16).is_err());
        assert!(grown_capacity(usize::MAX, usize::MAX, usize::MAX, 16).is_err());
        let mut v = vec![1u8, 2];
        assert!(reserve(&mut v, 10, "bytes").is_ok());
        assert!(v.capacity() >= 12);
        assert!(reserve(&mut v, MAX_OBJECT_BYTES, "bytes").is_err());
    }
}
