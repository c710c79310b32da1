//! Call frames and error handlers live with the values (`value::fiber`),
//! since suspended generators and tasks keep them on the heap.

pub use crate::value::fiber::{Fiber, Frame, FrameKind, Handler};
