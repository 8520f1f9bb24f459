//! One fast allocator for the whole process: mimalloc serves Rust's allocations (the
//! `#[global_allocator]` of the binaries) and tree-sitter's C allocations (its syntax trees are
//! many small nodes allocated and freed in bulk; with glibc's malloc, freeing a 1 MB file's tree
//! cost as much as a fifth of its parse).

use std::ffi::c_void;
use std::sync::Once;

/// Rust's allocator for the binaries that link the library (`lambdalint`, the benches).
pub type Global = mimalloc::MiMalloc;

unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
    // SAFETY: plain allocation; a null result is turned into an abort below.
    non_null(unsafe { libmimalloc_sys::mi_malloc(size) }, size)
}

unsafe extern "C" fn ts_calloc(n: usize, size: usize) -> *mut c_void {
    // SAFETY: plain allocation; a null result is turned into an abort below.
    non_null(
        unsafe { libmimalloc_sys::mi_calloc(n, size) },
        n.saturating_mul(size),
    )
}

unsafe extern "C" fn ts_realloc(p: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: `p` was allocated by `ts_malloc`/`ts_calloc`/`ts_realloc` (tree-sitter only frees
    // and grows what it allocated through the installed functions).
    non_null(unsafe { libmimalloc_sys::mi_realloc(p, size) }, size)
}

unsafe extern "C" fn ts_free(p: *mut c_void) {
    // SAFETY: as for `ts_realloc`; `mi_free` accepts null.
    unsafe { libmimalloc_sys::mi_free(p) }
}

/// tree-sitter requires a non-null result for a non-zero size: out of memory aborts, as its
/// own default allocator does.
fn non_null(p: *mut c_void, size: usize) -> *mut c_void {
    if p.is_null() && size > 0 {
        std::process::abort();
    }
    p
}

/// Route tree-sitter's C allocations to mimalloc. Call first thing in `main`, before any
/// parser or tree exists (tree-sitter's requirement); later calls do nothing.
pub fn install_parser_allocator() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: the four functions are one allocator family (mimalloc), never return null for
        // a non-zero size, and return malloc-aligned memory; `Once` makes this run once, and the
        // callers run it before creating any tree-sitter object.
        unsafe {
            tree_sitter::set_allocator(Some(tree_sitter::Allocator {
                malloc: ts_malloc,
                calloc: ts_calloc,
                realloc: ts_realloc,
                free: ts_free,
            }));
        }
    });
}
