//! Model-free inputs: seeded mutations of the public inputs. Type-aware for function
//! problems (JSON arguments: numbers nudged, lists shuffled or trimmed, strings edited),
//! token-aware for stdio (integers past the first line changed within the observed range,
//! lines swapped or shuffled), so most mutants stay valid.

use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::Value;

use crate::problem::{Kind, Problem};
use crate::seeded::{seeded, SeededRng};

/// Up to `count` distinct mutants of the public inputs, none equal to a public input.
pub fn mutants(problem: &Problem, count: usize, seed: u64) -> Vec<Vec<u8>> {
    let originals: Vec<&[u8]> = problem.public.iter().map(|t| &*t.input).collect();
    if originals.is_empty() {
        return Vec::new();
    }
    let mut rng = seeded(seed);
    let mut out: Vec<Vec<u8>> = Vec::new();
    for _ in 0..count * 8 {
        if out.len() >= count {
            break;
        }
        let original = originals[rng.gen_range(0..originals.len())];
        let mutant = match problem.kind {
            Kind::Function => mutate_arguments(original, &mut rng),
            Kind::Stdio => mutate_tokens(original, &mut rng),
        };
        if let Some(mutant) = mutant {
            if !originals.contains(&mutant.as_slice()) && !out.contains(&mutant) {
                out.push(mutant);
            }
        }
    }
    out
}

fn mutate_arguments(input: &[u8], rng: &mut SeededRng) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(input).ok()?;
    let mut args: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(sstar_pyjson::from_str)
        .collect::<Result<_, _>>()
        .ok()?;
    if args.is_empty() {
        return None;
    }
    let which = rng.gen_range(0..args.len());
    mutate_value(&mut args[which], rng, 0);
    let mut out = String::new();
    for arg in &args {
        out.push_str(&serde_json::to_string(arg).ok()?);
        out.push('\n');
    }
    Some(out.into_bytes())
}

fn mutate_value(value: &mut Value, rng: &mut SeededRng, depth: usize) {
    match value {
        Value::Bool(b) => *b = !*b,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let next = match rng.gen_range(0..5) {
                    0 => i + 1,
                    1 => i - 1,
                    2 => i.saturating_mul(2),
                    3 => [0, 1, -1][rng.gen_range(0..3)],
                    _ => rng.gen_range(-(i.abs().max(3))..=i.abs().max(3)),
                };
                *value = Value::from(next);
            } else if let Some(f) = n.as_f64() {
                *value = serde_json::Number::from_f64(f * rng.gen_range(0.5..1.5))
                    .map_or(Value::from(0), Value::Number);
            }
        }
        Value::String(s) => {
            let mut chars: Vec<char> = s.chars().collect();
            if chars.is_empty() {
                return;
            }
            match rng.gen_range(0..3) {
                0 => chars.shuffle(rng),
                1 => {
                    chars.remove(rng.gen_range(0..chars.len()));
                }
                _ => {
                    let c = chars[rng.gen_range(0..chars.len())];
                    chars.insert(rng.gen_range(0..=chars.len()), c);
                }
            }
            *s = chars.into_iter().collect();
        }
        Value::Array(items) => {
            if items.is_empty() {
                return;
            }
            match rng.gen_range(0..5) {
                0 => items.shuffle(rng),
                1 if items.len() > 1 => {
                    items.remove(rng.gen_range(0..items.len()));
                }
                2 => {
                    let copy = items[rng.gen_range(0..items.len())].clone();
                    items.insert(rng.gen_range(0..=items.len()), copy);
                }
                3 => items.reverse(),
                _ if depth < 4 => {
                    let i = rng.gen_range(0..items.len());
                    mutate_value(&mut items[i], rng, depth + 1);
                }
                _ => items.shuffle(rng),
            }
        }
        Value::Object(map) => {
            if let Some(key) = map.keys().nth(rng.gen_range(0..map.len().max(1))).cloned() {
                if let Some(v) = map.get_mut(&key) {
                    mutate_value(v, rng, depth + 1);
                }
            }
        }
        Value::Null => {}
    }
}

fn mutate_tokens(input: &[u8], rng: &mut SeededRng) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(input).ok()?;
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    // The first line usually holds sizes; leave it alone when there is more than one line.
    let body = usize::from(lines.len() > 1);
    let numbers: Vec<i64> = lines[body..]
        .iter()
        .flatten()
        .filter_map(|t| t.parse().ok())
        .collect();
    match rng.gen_range(0..4) {
        0 | 1 if !numbers.is_empty() => {
            let (lo, hi) = (*numbers.iter().min()?, *numbers.iter().max()?);
            let positions: Vec<(usize, usize)> = (body..lines.len())
                .flat_map(|l| (0..lines[l].len()).map(move |t| (l, t)))
                .filter(|&(l, t)| lines[l][t].parse::<i64>().is_ok())
                .collect();
            let &(l, t) = positions.choose(rng)?;
            let current: i64 = lines[l][t].parse().ok()?;
            let next = match rng.gen_range(0..4) {
                0 | 1 => rng.gen_range(lo..=hi),
                2 => current + if rng.gen_bool(0.5) { 1 } else { -1 },
                _ => [0, 1, lo, hi][rng.gen_range(0..4)],
            };
            lines[l][t] = next.to_string();
        }
        2 if lines.len() > body + 1 => {
            let a = rng.gen_range(body..lines.len());
            let b = rng.gen_range(body..lines.len());
            if lines[a].len() != lines[b].len() {
                return None;
            }
            lines.swap(a, b);
        }
        _ => {
            let l = rng.gen_range(body..lines.len());
            lines[l].shuffle(rng);
        }
    }
    let mut out: String = lines
        .iter()
        .map(|l| l.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_mutants_keep_the_argument_count_and_json() {
        let mut rng = seeded(1);
        for _ in 0..50 {
            let out = mutate_arguments(b"[1, 2, 3]\n\"abc\"\n7\n", &mut rng).expect("mutant");
            let lines: Vec<_> = std::str::from_utf8(&out).expect("utf-8").lines().collect();
            assert_eq!(lines.len(), 3);
            for line in lines {
                serde_json::from_str::<Value>(line).expect("json");
            }
        }
    }

    #[test]
    fn stdio_mutants_keep_the_first_line() {
        let mut rng = seeded(2);
        for _ in 0..50 {
            if let Some(out) = mutate_tokens(b"3\n5 1 4\n", &mut rng) {
                assert!(out.starts_with(b"3\n"), "{}", String::from_utf8_lossy(&out));
            }
        }
    }
}
