//! Arithmetic and comparison (LANGUAGE.md §3): int with int stays int and
//! overflow is an `ArithmeticError`; a float on either side gives a float;
//! `+` also joins strings, lists and bytes (within the object size cap of
//! `value::limit`); anything else is a `TypeError` naming both types.

use crate::runtime::Runtime;
use crate::value::error::{arith_error, type_error};
use crate::value::limit::vec_with_capacity;
use crate::value::{Bytes, NResult, Str, Value};
use std::cmp::Ordering;

pub use crate::bytecode::Arith;

impl Arith {
    fn verb(self) -> &'static str {
        match self {
            Arith::Add => "add",
            Arith::Sub => "subtract",
            Arith::Mul => "multiply",
            Arith::Div => "divide",
            Arith::Mod => "take the remainder of",
        }
    }

    fn joiner(self) -> &'static str {
        match self {
            Arith::Add => "and",
            Arith::Sub => "from",
            Arith::Mul => "by",
            Arith::Div => "by",
            Arith::Mod => "by",
        }
    }
}

/// `a op b` for every operand pair; the dispatch loop inlines the int/int case.
pub fn arith(rt: &mut Runtime, op: Arith, a: Value, b: Value) -> NResult {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_arith(op, x, y),
        (Value::Float(x), Value::Float(y)) => Ok(Value::Float(float_arith(op, x, y))),
        (Value::Int(x), Value::Float(y)) => Ok(Value::Float(float_arith(op, x as f64, y))),
        (Value::Float(x), Value::Int(y)) => Ok(Value::Float(float_arith(op, x, y as f64))),
        (Value::Str(x), Value::Str(y)) if op == Arith::Add => {
            Ok(Value::Str(rt.heap.alloc(Str::concat(&x, &y)?)))
        }
        (Value::List(x), Value::List(y)) if op == Arith::Add => {
            let (x, y) = (x.items.borrow(), y.items.borrow());
            let mut items = vec_with_capacity(x.len().saturating_add(y.len()), "list")?;
            items.extend_from_slice(&x);
            items.extend_from_slice(&y);
            drop((x, y));
            Ok(rt.list(items))
        }
        (Value::Bytes(x), Value::Bytes(y)) if op == Arith::Add => {
            let mut data = vec_with_capacity(x.data.len().saturating_add(y.data.len()), "bytes")?;
            data.extend_from_slice(&x.data);
            data.extend_from_slice(&y.data);
            Ok(Value::Bytes(rt.heap.alloc(Bytes { data: data.into() })))
        }
        _ => {
            let (ta, tb) = (rt.type_name(a), rt.type_name(b));
            let message = if op == Arith::Sub {
                format!("cannot subtract {tb} from {ta}")
            } else {
                format!("cannot {} {ta} {} {tb}", op.verb(), op.joiner())
            };
            type_error(message)
        }
    }
}

#[inline]
pub fn int_arith(op: Arith, x: i64, y: i64) -> NResult {
    let r = match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Div => {
            if y == 0 {
                return arith_error("division by zero");
            }
            x.checked_div(y)
        }
        Arith::Mod => {
            if y == 0 {
                return arith_error("remainder by zero");
            }
            // `i64::MIN % -1` is 0 mathematically; only the division that
            // `checked_rem` would do on the way overflows.
            Some(x.checked_rem(y).unwrap_or(0))
        }
    };
    match r {
        Some(n) => Ok(Value::Int(n)),
        None => arith_error(format!("integer overflow in {x} {} {y}", op.symbol())),
    }
}

#[inline]
fn float_arith(op: Arith, x: f64, y: f64) -> f64 {
    match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => x / y,
        Arith::Mod => x % y,
    }
}

pub fn negate(rt: &Runtime, a: Value) -> NResult {
    match a {
        Value::Int(n) => match n.checked_neg() {
            Some(r) => Ok(Value::Int(r)),
            None => arith_error(format!("integer overflow in -({n})")),
        },
        Value::Float(x) => Ok(Value::Float(-x)),
        _ => type_error(format!("cannot negate {}", rt.type_name(a))),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    fn test(self, o: Option<Ordering>) -> bool {
        match (self, o) {
            (_, None) => false,
            (Cmp::Lt, Some(o)) => o == Ordering::Less,
            (Cmp::Le, Some(o)) => o != Ordering::Greater,
            (Cmp::Gt, Some(o)) => o == Ordering::Greater,
            (Cmp::Ge, Some(o)) => o != Ordering::Less,
        }
    }
}

/// `a < b` and friends: two numbers or two strings.
pub fn compare(rt: &Runtime, op: Cmp, a: Value, b: Value) -> NResult {
    match order(a, b) {
        Ok(o) => Ok(Value::Bool(op.test(o))),
        Err(Incomparable) => type_error(format!(
            "cannot compare {} with {} using `{}`",
            rt.type_name(a),
            rt.type_name(b),
            op.symbol()
        )),
    }
}

/// Two values that `<` cannot compare.
#[derive(Debug)]
pub struct Incomparable;

/// The order of two comparable values (`None` when a NaN is involved);
/// `Err` when they cannot be compared. Used by `sort` too.
pub fn order(a: Value, b: Value) -> Result<Option<Ordering>, Incomparable> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(&y))),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(&y)),
        (Value::Int(x), Value::Float(y)) => Ok(int_float_cmp(x, y)),
        (Value::Float(x), Value::Int(y)) => Ok(int_float_cmp(y, x).map(Ordering::reverse)),
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.as_str().cmp(y.as_str()))),
        _ => Err(Incomparable),
    }
}

fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    let fi = i as f64;
    match fi.partial_cmp(&f) {
        Some(Ordering::Equal) => {
            // Both round to the same float: compare exactly via i128.
            if f >= 9.223_372_036_854_776e18 {
                Some(Ordering::Less)
            } else if f < -9.223_372_036_854_776e18 {
                Some(Ordering::Greater)
            } else {
                Some((i as i128).cmp(&(f as i128)))
            }
        }
        o => o,
    }
}
