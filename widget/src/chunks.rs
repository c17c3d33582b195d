//! The widget's code that waits for a press, split off the takeover. The release build
//! (`scripts/build-widget`) splits the WebAssembly at each function here with `wasm-split-cli`:
//! the takeover module holds the view and what the locked paywall does by itself, and each chunk
//! is fetched on the first call of its function — or earlier, by its `preload_*`, at the first
//! sign of intent ([`prefetch_for`]) or in parallel with Stripe.js and the purchase at Buy.
//!
//! The paywall's flow and view call them through [`CALLS`] (the mount code hands it over), so
//! nothing under `paywall/` names this file, which uses it.
//!
//! - `checkout` ([`open_card_form`]): the card form and the wallet buttons once Stripe.js is
//!   there, paying by card or wallet, the receipt offered after a wallet payment (passes are
//!   bought the same way);
//! - `restore` ([`restore`]): the forms asking for a restore code and redeeming it (typed, or
//!   from the mail's link);
//! - `codes` ([`open_code_form`]): "Have a code?", its field and the server's answer.
//!
//! A chunk renders its part of the view itself, into a container the takeover's view holds
//! (`paywall::state::Parts`), so neither the takeover nor the server's painted HTML carries it.
//!
//! A chunk that cannot be fetched is `ChunkUnavailable`: the paywall says it is not available,
//! and nothing of the failure is kept, so the next press fetches again.
//!
//! Without the `split` feature (the wasm tests, the server's rendering) the same functions run
//! from the one module, and the preloads have nothing to do.

// The splitting macro declares each chunk's entry point as an `unsafe extern "C"` import with
// `#[unsafe(no_mangle)]`, which the splitter rewires; no unsafe code of ours is here.
#![cfg_attr(all(feature = "split", target_family = "wasm"), allow(unsafe_code))]

#[cfg(all(feature = "split", target_family = "wasm"))]
use std::{future::Future, pin::Pin};

use crate::paywall::{ChunkCall, ChunkCalls, ChunkUnavailable, Flow, Intent, RestoreTask};

/// The entry points, as the paywall's flow and view call them.
pub const CALLS: ChunkCalls = ChunkCalls {
    preload_checkout: call_preload_checkout,
    open_card_form: call_open_card_form,
    restore: call_restore,
    open_code_form: call_open_code_form,
    prefetch: prefetch_for,
};

fn call_preload_checkout() -> ChunkCall {
    Box::pin(async { preload_checkout().await.map_err(ChunkUnavailable::from) })
}

fn call_open_card_form(flow: Flow, button_height: Option<f64>) -> ChunkCall {
    Box::pin(open_card_form(flow, button_height))
}

fn call_restore(flow: Flow, task: RestoreTask) -> ChunkCall {
    Box::pin(restore(flow, task))
}

fn call_open_code_form(flow: Flow) -> ChunkCall {
    Box::pin(open_code_form(flow, ()))
}

/// A split-loader failure is the paywall's "chunk unavailable".
impl From<leptos::wasm_split::SplitLoaderError> for ChunkUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkUnavailable
    }
}

/// A step of a chunk, handed back to the caller to run: a split function cannot be `async`.
#[cfg(all(feature = "split", target_family = "wasm"))]
type Step = Pin<Box<dyn Future<Output = ()>>>;

/// Declares one chunk's entry point: split off the takeover under `split`, a plain async
/// function otherwise, with the same signature either way.
macro_rules! chunk {
    ($(#[$doc:meta])* $chunk:ident, $preload:ident, fn $name:ident($flow:ident, $step:ident: $kind:ty) $body:block) => {
        $(#[$doc])*
        #[cfg(all(feature = "split", target_family = "wasm"))]
        #[leptos::wasm_split::wasm_split(
            $chunk,
            fallible,
            wasm_split_path = ::leptos::wasm_split,
            preload(
                /// Fetches the chunk without running anything in it.
                $preload
            ),
            return_wrapper(let step = _; { step.await; Ok(()) } -> Result<(), ChunkUnavailable>)
        )]
        pub fn $name($flow: Flow, $step: $kind) -> Step {
            Box::pin(async move $body)
        }

        $(#[$doc])*
        #[cfg(not(all(feature = "split", target_family = "wasm")))]
        pub async fn $name($flow: Flow, $step: $kind) -> Result<(), ChunkUnavailable> {
            $body;
            Ok(())
        }

        /// Fetches the chunk without running anything in it (here: nothing to fetch).
        #[cfg(not(all(feature = "split", target_family = "wasm")))]
        pub async fn $preload() -> Result<(), leptos::wasm_split::SplitLoaderError> {
            Ok(())
        }
    };
}

chunk! {
    /// Stripe.js and the purchase are there: the card form (with the wallet buttons, if the device
    /// offers one) is rendered and opens. Everything it does from then on — paying by card or
    /// wallet, the receipt offered after a wallet payment — is this chunk's code.
    checkout, preload_checkout, fn open_card_form(flow, button_height: Option<f64>) {
        crate::paywall::checkout::mount_card_form(&flow);
        flow.open_card_form(button_height).await
    }
}

chunk! {
    /// Restoring access: the forms (asking for a code, redeeming it) and the mail's link.
    restore, preload_restore, fn restore(flow, task: RestoreTask) {
        crate::paywall::restore::mount_restore_forms(&flow);
        match task {
            RestoreTask::Open => flow.open_restore(),
            RestoreTask::RedeemLink(restore_id, code) => flow.redeem(restore_id, code).await,
        }
    }
}

chunk! {
    /// "Have a code?": the field opens; the server prices the code typed in it.
    codes, preload_codes, fn open_code_form(flow, _nothing: ()) {
        crate::paywall::offers::mount_code_form(&flow);
        flow.state.code_open.set(true);
    }
}

/// Fetches (once; a failed fetch is tried again on the next sign) the chunk an intent leads to.
pub fn prefetch_for(intent: Intent) {
    leptos::task::spawn_local(async move {
        // A failure is reported when the press needs the chunk; a prefetch has no one to tell.
        let _ = match intent {
            Intent::Restore => preload_restore().await,
            Intent::Code => preload_codes().await,
            Intent::Buy => preload_checkout().await,
        };
    });
}
