//! The `math` module (LANGUAGE.md §10): `floor ceil sqrt abs min max pi
//! random`. `floor` and `ceil` return ints; `min` and `max` return the
//! chosen argument unchanged (so `min(1, 1.0)` is the int 1).

use crate::runtime::Runtime;
use crate::value::error::{arith_error, type_error, value_error};
use crate::value::{NResult, NativeFn, Value};
use crate::vm::ops::arith::order;
use std::cell::Cell;
use std::cmp::Ordering;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "floor", min: 1, max: 1, f: floor },
    NativeFn { name: "ceil", min: 1, max: 1, f: ceil },
    NativeFn { name: "sqrt", min: 1, max: 1, f: sqrt },
    NativeFn { name: "abs", min: 1, max: 1, f: abs },
    NativeFn { name: "min", min: 1, max: u8::MAX, f: min },
    NativeFn { name: "max", min: 1, max: u8::MAX, f: max },
    NativeFn { name: "random", min: 0, max: 0, f: random },
];

pub fn members(_rt: &mut Runtime) -> Vec<(&'static str, Value)> {
    let mut members = vec![("pi", Value::Float(std::f64::consts::PI))];
    members.extend(super::natives(FUNCTIONS));
    members
}

fn number(rt: &Runtime, v: Value, func: &str) -> NResult<f64> {
    match v {
        Value::Int(n) => Ok(n as f64),
        Value::Float(x) => Ok(x),
        _ => type_error(format!(
            "{func}() expects a number, not {}",
            rt.type_name(v)
        )),
    }
}

/// Rounds with `round` and converts to an int; ints pass through.
fn to_int(rt: &Runtime, v: Value, func: &str, round: fn(f64) -> f64) -> NResult {
    if let Value::Int(_) = v {
        return Ok(v);
    }
    let x = number(rt, v, func)?;
    if !x.is_finite() {
        return value_error(format!("{func}() of {x:?} is not an int"));
    }
    let r = round(x);
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
        return value_error(format!("{func}() of {x:?} is too large for an int"));
    }
    Ok(Value::Int(r as i64))
}

fn floor(rt: &mut Runtime, args: &[Value]) -> NResult {
    to_int(rt, args[0], "floor", f64::floor)
}

fn ceil(rt: &mut Runtime, args: &[Value]) -> NResult {
    to_int(rt, args[0], "ceil", f64::ceil)
}

/// A negative argument gives NaN, as IEEE (and JavaScript, Go, Lua) do.
fn sqrt(rt: &mut Runtime, args: &[Value]) -> NResult {
    Ok(Value::Float(number(rt, args[0], "sqrt")?.sqrt()))
}

fn abs(rt: &mut Runtime, args: &[Value]) -> NResult {
    match args[0] {
        Value::Int(n) => match n.checked_abs() {
            Some(a) => Ok(Value::Int(a)),
            None => arith_error(format!("abs({n}) overflows an int")),
        },
        Value::Float(x) => Ok(Value::Float(x.abs())),
        v => type_error(format!("abs() expects a number, not {}", rt.type_name(v))),
    }
}

/// The argument that wins under `better` (which is the ordering a candidate
/// must have against the current choice to replace it). One list argument
/// means its elements; ties keep the earlier value.
fn pick(rt: &Runtime, args: &[Value], func: &str, better: Ordering) -> NResult {
    let list_items;
    let values: &[Value] = match args {
        [Value::List(l)] => {
            list_items = l.items.borrow().clone();
            &list_items
        }
        _ => args,
    };
    let Some((&first, rest)) = values.split_first() else {
        return value_error(format!("{func}() of an empty list"));
    };
    if rest.is_empty() {
        // A single value is still checked, so `min(nil)` is not silently nil.
        if order(first, first).is_err() {
            return type_error(format!(
                "{func}() expects numbers or strings, not {}",
                rt.type_name(first)
            ));
        }
    }
    let mut best = first;
    for &v in rest {
        match order(v, best) {
            Ok(Some(o)) if o == better => best = v,
            // Equal, worse, or unordered (NaN): keep the current choice.
            Ok(_) => {}
            Err(_) => {
                return type_error(format!(
                    "{func}() cannot compare {} with {}",
                    rt.type_name(v),
                    rt.type_name(best)
                ))
            }
        }
    }
    Ok(best)
}

fn min(rt: &mut Runtime, args: &[Value]) -> NResult {
    pick(rt, args, "min", Ordering::Less)
}

fn max(rt: &mut Runtime, args: &[Value]) -> NResult {
    pick(rt, args, "max", Ordering::Greater)
}

thread_local! {
    /// xorshift64* state; 0 means "not seeded yet".
    static RNG: Cell<u64> = const { Cell::new(0) };
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // Mix in an address so two interpreters started in the same tick differ.
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    // splitmix64 finaliser: spreads the bits of a low-entropy seed.
    let mut z = nanos ^ addr.rotate_left(32) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    if z == 0 {
        0x2545_F491_4F6C_DD1D
    } else {
        z
    }
}

/// A float in `[0, 1)`. Not for cryptography.
fn next_random() -> f64 {
    RNG.with(|cell| {
        let mut x = cell.get();
        if x == 0 {
            x = seed();
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        cell.set(x);
        let out = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        // The top 53 bits make an evenly spaced float below 1.
        (out >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    })
}

fn random(_rt: &mut Runtime, _args: &[Value]) -> NResult {
    Ok(Value::Float(next_random()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_and_ceil_give_ints() {
        let mut rt = Runtime::new();
        assert!(matches!(
            floor(&mut rt, &[Value::Float(-3.2)]),
            Ok(Value::Int(-4))
        ));
        assert!(matches!(
            ceil(&mut rt, &[Value::Float(3.2)]),
            Ok(Value::Int(4))
        ));
        assert!(matches!(
            floor(&mut rt, &[Value::Int(5)]),
            Ok(Value::Int(5))
        ));
        assert!(floor(&mut rt, &[Value::Float(f64::NAN)]).is_err());
        assert!(ceil(&mut rt, &[Value::Float(f64::INFINITY)]).is_err());
        assert!(floor(&mut rt, &[Value::Float(1e300)]).is_err());
    }

    #[test]
    fn min_max_return_the_argument() {
        let mut rt = Runtime::new();
        assert!(matches!(
            min(&mut rt, &[Value::Int(1), Value::Float(1.0)]),
            Ok(Value::Int(1))
        ));
        assert!(matches!(
            max(&mut rt, &[Value::Int(2), Value::Float(2.5)]),
            Ok(Value::Float(_))
        ));
        let l = rt.list(vec![Value::Int(4), Value::Int(-2), Value::Int(9)]);
        assert!(matches!(min(&mut rt, &[l]), Ok(Value::Int(-2))));
        let empty = rt.list(vec![]);
        assert!(max(&mut rt, &[empty]).is_err());
        let s = rt.str("a");
        assert!(max(&mut rt, &[Value::Int(1), s]).is_err());
        assert!(abs(&mut rt, &[Value::Int(i64::MIN)]).is_err());
    }

    #[test]
    fn random_stays_in_unit_interval() {
        for _ in 0..10_000 {
            let r = next_random();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
