//! The compiler's last pass over a finished function: replaces common runs
//! of stack instructions with one fused instruction that takes locals and
//! small integers as operands (`GetLocal(i) Int(1) Add SetLocal(i)` becomes
//! `AddLISet`), so a loop body or a recursive call dispatches about half as
//! many instructions.
//!
//! A run is fused only when no jump lands inside it, and the fused
//! instruction keeps the span of the run's operator — the only instruction
//! of the run that can fail — so errors and traces point where they did before. Jump
//! targets are renumbered afterwards, as `strip_nops` does, and every field
//! and method site is given its inline cache (`Site`).

use crate::bytecode::{Arith, ArithForm, Chunk, Op, Site, Slot, Target};

/// Fuses the chunk's instruction runs in place.
pub(super) fn fuse(chunk: &mut Chunk) {
    let code = &chunk.code;
    // barrier[i]: something jumps to instruction i, so no run may cover it
    // except as its first instruction. `AsyncNext` resumes two instructions
    // past itself, so those two are barriers as well.
    let mut barrier = vec![false; code.len() + 1];
    for (i, op) in code.iter().enumerate() {
        if let Some(t) = op.target() {
            if let Some(b) = barrier.get_mut(t.0 as usize) {
                *b = true;
            }
        }
        if let Op::AsyncNext(..) = op {
            for b in barrier.iter_mut().skip(i + 1).take(2) {
                *b = true;
            }
        }
    }

    let mut new_index = Vec::with_capacity(code.len() + 1);
    let mut out_code = Vec::with_capacity(code.len());
    let mut out_spans = Vec::with_capacity(code.len());
    let mut i = 0;
    while i < code.len() {
        // The longest run starting at i that no jump lands inside.
        let mut free = 1;
        while i + free < code.len() && free < 4 && !barrier[i + free] {
            free += 1;
        }
        let (op, len) = fused(&code[i..i + free], code).unwrap_or((code[i], 1));
        for _ in 0..len {
            new_index.push(index(out_code.len()));
        }
        // The instruction that can fail: the operator, which comes last
        // unless a `SetLocal` follows it.
        let failing = match code[i + len - 1] {
            Op::SetLocal(_) if len > 1 => len - 2,
            _ => len - 1,
        };
        out_code.push(op);
        out_spans.push(chunk.spans[i + failing]);
        i += len;
    }
    new_index.push(index(out_code.len()));
    let renumber = out_code.len() != code.len();
    let mut sites = 0u16;
    for op in &mut out_code {
        if renumber {
            if let Some(t) = op.target() {
                *op = op.with_target(Target(new_index[t.0 as usize]));
            }
        }
        // Every field and method site gets the next inline cache, while
        // there are numbers left.
        let site = match op {
            Op::GetField(_, site)
            | Op::SetField(_, site)
            | Op::Invoke(_, _, site)
            | Op::GetLocalField(_, site, _) => site,
            _ => continue,
        };
        if sites < Site::NONE.0 {
            *site = Site(sites);
            sites += 1;
        }
    }
    // A back-edge to a head that compares two locals (or a local and a
    // small int) runs the comparison itself: one dispatch per iteration
    // fewer.
    for i in 0..out_code.len() {
        if let Op::Loop(t) = out_code[i] {
            out_code[i] = match out_code.get(t.0 as usize) {
                Some(&Op::CmpJumpLL(k, a, b, _)) => Op::LoopLL(k, a, b, t),
                Some(&Op::CmpJumpLI(k, a, n, _)) => Op::LoopLI(k, a, n, t),
                _ => continue,
            };
        }
    }
    chunk.code = out_code;
    chunk.spans = out_spans;
    chunk.sites = sites;
}

/// An instruction index as a jump target. A chunk of 2^32 instructions
/// would take 32 GB, so the saturation never happens in practice.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The fused instruction for the longest fusable prefix of `run` (a part of
/// `code`), and how many instructions it replaces.
fn fused(run: &[Op], code: &[Op]) -> Option<(Op, usize)> {
    use Op::*;
    let small = |n: i32| i16::try_from(n).ok();
    let byte = |s: Slot| u8::try_from(s.0).ok();
    let tiny = |n: i32| i8::try_from(n).ok();
    let arith = |op: &Op| Arith::of(op);
    let cmp = |op: &Op| match *op {
        CmpJump(k, t) => Some((k, t)),
        _ => None,
    };
    let at = |k: usize| run.get(k);

    // Four instructions.
    if let (Some(&GetLocal(src)), Some(second), Some(op), Some(&SetLocal(dst))) =
        (at(0), at(1), at(2).and_then(arith), at(3))
    {
        match *second {
            GetLocal(b) => return Some((Op::arith(op, ArithForm::LLSet(src, b, dst)), 4)),
            Int(n) => {
                if let Some(n) = small(n) {
                    return Some((Op::arith(op, ArithForm::LISet(src, n, dst)), 4));
                }
            }
            _ => {}
        }
    }
    // The back-edge of a `for` whose body has locals of its own.
    if let (Some(&drop), Some(&Pop), Some(&Loop(t))) = (at(0), at(1), at(2)) {
        let n = match drop {
            Pop => Some(1),
            PopN(n) => u8::try_from(n).ok(),
            _ => None,
        };
        if let Some(n) = n {
            match code.get(t.0 as usize)? {
                ForRange(slot, _) => return Some((LoopRange(*slot, n, t), 3)),
                ForIter(slot, _) => return Some((LoopIter(*slot, n, t), 3)),
                _ => {}
            }
        }
    }
    // Three instructions.
    if let (Some(&GetLocal(a)), Some(op), Some(&SetLocal(dst))) =
        (at(0), at(1).and_then(arith), at(2))
    {
        return Some((Op::arith(op, ArithForm::LSet(a, dst)), 3));
    }
    if let (Some(&Const(k)), Some(&GetLocal(a)), Some(op)) = (at(0), at(1), at(2).and_then(arith)) {
        return Some((Op::arith(op, ArithForm::KL(k, a)), 3));
    }
    if let (Some(&GetLocal(a)), Some(third)) = (at(0), at(2)) {
        match at(1) {
            Some(&GetLocal(b)) => {
                if let Some((k, t)) = cmp(third) {
                    if let (Some(a), Some(b)) = (byte(a), byte(b)) {
                        return Some((CmpJumpLL(k, a, b, t), 3));
                    }
                }
                if let Some(op) = arith(third) {
                    return Some((Op::arith(op, ArithForm::LL(a, b)), 3));
                }
            }
            Some(&Int(n)) => {
                if let Some((k, t)) = cmp(third) {
                    if let (Some(a), Some(n)) = (byte(a), tiny(n)) {
                        return Some((CmpJumpLI(k, a, n, t), 3));
                    }
                }
                if let (Some(op), Some(n)) = (arith(third), small(n)) {
                    return Some((Op::arith(op, ArithForm::LI(a, n)), 3));
                }
            }
            _ => {}
        }
    }
    // Two instructions.
    let (first, second) = (at(0)?, at(1)?);
    Some((
        match (*first, *second) {
            (Int(n), CmpJump(k, t)) => CmpJumpI(k, small(n)?, t),
            (Int(n), op) => Op::arith(arith(&op)?, ArithForm::I(n)),
            (Const(k), CmpJump(kind, t)) => CmpJumpK(kind, u16::try_from(k.0).ok()?, t),
            (Const(k), op) => Op::arith(arith(&op)?, ArithForm::K(k)),
            (GetLocal(a), SetLocal(b)) => Move(a, b),
            (GetLocal(a), GetLocal(b)) => GetLocal2(a, b),
            (GetLocal(a), JumpIfFalse(t)) => JumpIfFalseL(a, t),
            (GetLocal(a), GetField(name, site)) => GetLocalField(byte(a)?, site, name),
            (GetLocal(a), Return) => ReturnLocal(a),
            (GetLocal(a), op) => Op::arith(arith(&op)?, ArithForm::L(a)),
            (Nil, Return) => ReturnNil,
            (Pop, Loop(t)) => match code.get(t.0 as usize)? {
                ForRange(slot, _) => LoopRange(*slot, 0, t),
                ForIter(slot, _) => LoopIter(*slot, 0, t),
                _ => return None,
            },
            (op, SetLocal(a)) => Op::arith(arith(&op)?, ArithForm::Set(a)),
            _ => return None,
        },
        2,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::CmpKind;
    use crate::span::Span;

    fn run(code: Vec<Op>) -> Vec<Op> {
        let mut chunk = Chunk::default();
        for op in code {
            chunk.emit(op, Span::default());
        }
        fuse(&mut chunk);
        chunk.code
    }

    #[test]
    fn fuses_a_counting_loop() {
        let code = run(vec![
            Op::GetLocal(Slot(1)),
            Op::GetLocal(Slot(2)),
            Op::CmpJump(CmpKind::Lt, Target(8)),
            Op::GetLocal(Slot(1)),
            Op::Int(1),
            Op::Add,
            Op::SetLocal(Slot(1)),
            Op::Loop(Target(0)),
            Op::Nil,
            Op::Return,
        ]);
        assert_eq!(
            code,
            vec![
                Op::CmpJumpLL(CmpKind::Lt, 1, 2, Target(3)),
                Op::AddLISet(Slot(1), 1, Slot(1)),
                Op::LoopLL(CmpKind::Lt, 1, 2, Target(0)),
                Op::ReturnNil,
            ]
        );
    }

    #[test]
    fn fuses_constants_moves_and_three_local_stores() {
        use crate::bytecode::ConstIdx;
        let code = run(vec![
            Op::Const(ConstIdx(0)),
            Op::GetLocal(Slot(1)),
            Op::Mul,
            Op::Const(ConstIdx(1)),
            Op::Sub,
            Op::Const(ConstIdx(2)),
            Op::CmpJump(CmpKind::Lt, Target(16)),
            Op::GetLocal(Slot(1)),
            Op::SetLocal(Slot(2)),
            Op::GetLocal(Slot(1)),
            Op::GetLocal(Slot(2)),
            Op::Add,
            Op::SetLocal(Slot(3)),
            Op::GetLocal(Slot(3)),
            Op::Mul,
            Op::SetLocal(Slot(2)),
            Op::ReturnNil,
        ]);
        assert_eq!(
            code,
            vec![
                Op::MulKL(ConstIdx(0), Slot(1)),
                Op::SubK(ConstIdx(1)),
                Op::CmpJumpK(CmpKind::Lt, 2, Target(6)),
                Op::Move(Slot(1), Slot(2)),
                Op::AddLLSet(Slot(1), Slot(2), Slot(3)),
                Op::MulLSet(Slot(3), Slot(2)),
                Op::ReturnNil,
            ]
        );
    }

    #[test]
    fn a_for_back_edge_drops_the_body_locals() {
        let code = run(vec![
            Op::ForRange(Slot(2), Target(5)),
            Op::Int(1),
            Op::Pop,
            Op::Pop,
            Op::Loop(Target(0)),
            Op::ReturnNil,
        ]);
        assert_eq!(
            code,
            vec![
                Op::ForRange(Slot(2), Target(3)),
                Op::Int(1),
                Op::LoopRange(Slot(2), 1, Target(0)),
                Op::ReturnNil,
            ]
        );
    }

    #[test]
    fn never_fuses_across_a_jump_target() {
        // `x = a if c else b`-like code: the jump lands on the `Int`.
        let code = run(vec![
            Op::JumpIfFalse(Target(3)),
            Op::GetLocal(Slot(1)),
            Op::Jump(Target(5)),
            Op::Int(2),
            Op::Add,
            Op::Return,
        ]);
        assert_eq!(
            code,
            vec![
                Op::JumpIfFalse(Target(3)),
                Op::GetLocal(Slot(1)),
                Op::Jump(Target(4)),
                Op::AddI(2),
                Op::Return,
            ]
        );
    }

    #[test]
    fn large_operands_stay_unfused() {
        let code = run(vec![
            Op::GetLocal(Slot(300)),
            Op::Int(100_000),
            Op::CmpJump(CmpKind::Eq, Target(3)),
            Op::ReturnNil,
        ]);
        assert_eq!(
            code,
            vec![
                Op::GetLocal(Slot(300)),
                Op::Int(100_000),
                Op::CmpJump(CmpKind::Eq, Target(3)),
                Op::ReturnNil,
            ]
        );
    }
}
