//! Interleaved rounds: ours and the bare loop alternate (the order flips every round, so a slow drift of the
//! machine hits both sides alike), and the ratio is taken per round, then summarized by its median and spread.

use std::time::Duration;

use crate::clock::Cost;

/// One round: the per-call cost of our client and of the bare loop, measured back to back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Our client.
    pub ours: Cost,
    /// The bare reqwest loop.
    pub bare: Cost,
}

impl Round {
    /// CPU ratio ours / bare.
    pub fn cpu_ratio(&self) -> f64 {
        ratio(self.ours.cpu, self.bare.cpu)
    }

    /// Wall-time ratio ours / bare.
    pub fn wall_ratio(&self) -> f64 {
        ratio(self.ours.wall, self.bare.wall)
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() { f64::NAN } else { a.as_secs_f64() / b.as_secs_f64() }
}

/// Run `rounds` rounds of `ours` and `bare`, alternating which goes first.
pub fn interleave(rounds: usize, mut ours: impl FnMut() -> Cost, mut bare: impl FnMut() -> Cost) -> Vec<Round> {
    interleave_n(rounds, 2, |side| if side == 0 { ours() } else { bare() })
        .into_iter()
        .map(|r| Round { ours: r[0], bare: r[1] })
        .collect()
}

/// Run `rounds` rounds of `sides` contenders (`measure(i)` measures contender `i`), in forward order on even rounds
/// and backward order on odd ones. Returns, per round, the cost of each contender by index.
pub fn interleave_n(rounds: usize, sides: usize, mut measure: impl FnMut(usize) -> Cost) -> Vec<Vec<Cost>> {
    (0..rounds)
        .map(|i| {
            let mut costs = vec![Cost { cpu: Duration::ZERO, wall: Duration::ZERO }; sides];
            for k in 0..sides {
                let side = if i % 2 == 0 { k } else { sides - 1 - k };
                costs[side] = measure(side);
            }
            costs
        })
        .collect()
}

/// The median of the per-round ratios and their spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// Rounds measured.
    pub rounds: usize,
    /// Median of the per-round CPU ratios.
    pub median: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Smallest round.
    pub min: f64,
    /// Largest round.
    pub max: f64,
    /// Median CPU per call of our client.
    pub ours: Duration,
    /// Median CPU per call of the bare loop.
    pub bare: Duration,
    /// Median of the per-round wall-time ratios.
    pub wall_median: f64,
}

impl Ratio {
    /// Summarize rounds (`None` for no rounds).
    pub fn of(rounds: &[Round]) -> Option<Self> {
        if rounds.is_empty() {
            return None;
        }
        let mut cpu: Vec<f64> = rounds.iter().map(Round::cpu_ratio).collect();
        let mut wall: Vec<f64> = rounds.iter().map(Round::wall_ratio).collect();
        let mut ours: Vec<Duration> = rounds.iter().map(|r| r.ours.cpu).collect();
        let mut bare: Vec<Duration> = rounds.iter().map(|r| r.bare.cpu).collect();
        cpu.sort_by(f64::total_cmp);
        wall.sort_by(f64::total_cmp);
        ours.sort();
        bare.sort();
        Some(Self {
            rounds: rounds.len(),
            median: quantile(&cpu, 0.5),
            q1: quantile(&cpu, 0.25),
            q3: quantile(&cpu, 0.75),
            min: cpu[0],
            max: cpu[cpu.len() - 1],
            ours: ours[ours.len() / 2],
            bare: bare[bare.len() / 2],
            wall_median: quantile(&wall, 0.5),
        })
    }
}

/// Linear-interpolated quantile of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.3}x (IQR {:.3}-{:.3}, range {:.3}-{:.3}, {} rounds; {:.1} us vs {:.1} us CPU per call; wall {:.3}x)",
            self.median,
            self.q1,
            self.q3,
            self.min,
            self.max,
            self.rounds,
            self.ours.as_secs_f64() * 1e6,
            self.bare.as_secs_f64() * 1e6,
            self.wall_median
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(us: u64) -> Cost {
        Cost { cpu: Duration::from_micros(us), wall: Duration::from_micros(us * 2) }
    }

    #[test]
    fn rounds_alternate_which_side_goes_first() {
        let order = std::cell::RefCell::new(Vec::new());
        let rounds = interleave(
            4,
            || {
                order.borrow_mut().push('o');
                cost(120)
            },
            || {
                order.borrow_mut().push('b');
                cost(100)
            },
        );
        assert_eq!(order.into_inner().into_iter().collect::<String>(), "obboobbo");
        assert!(rounds.iter().all(|r| (r.cpu_ratio() - 1.2).abs() < 1e-9));
    }

    #[test]
    fn the_ratio_is_the_median_of_the_rounds() {
        let rounds: Vec<Round> =
            [110, 150, 120, 130, 500].iter().map(|&o| Round { ours: cost(o), bare: cost(100) }).collect();
        let r = Ratio::of(&rounds).unwrap();
        assert!((r.median - 1.3).abs() < 1e-9, "{r}");
        assert!((r.min - 1.1).abs() < 1e-9 && (r.max - 5.0).abs() < 1e-9, "{r}");
        assert!((r.q1 - 1.2).abs() < 1e-9 && (r.q3 - 1.5).abs() < 1e-9, "{r}");
        assert_eq!(r.ours, Duration::from_micros(130));
        assert_eq!(r.bare, Duration::from_micros(100));
        assert!(Ratio::of(&[]).is_none());
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
