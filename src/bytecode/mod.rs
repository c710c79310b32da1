//! Bytecode: the instruction set ([`op`]), compiled functions as plain data
//! ([`chunk`]), interned names ([`symbol`]) and the disassembler ([`disasm`]).
//!
//! The compiler produces these types; the VM loads and runs them.

pub mod builtins;
pub mod chunk;
pub mod disasm;
pub mod op;
pub mod symbol;

pub use chunk::{Capture, Chunk, Constant, FnKind, FnProto, ModuleProto, Program};
pub use op::{Arith, ArithForm, CmpKind, ConstIdx, Op, Site, Slot, Target};
pub use symbol::{Interner, Symbol};
