//! The five metrics of a model's credit against the true credit, on vectors
//! already checked (same length, finite).

use super::double_double::DoubleDouble;
use super::ties::{TieGroups, index_to_f64};
use crate::numeric::CompensatedSum;

/// Pearson correlation of the mean ranks; `None` when n < 2 or a vector is
/// one single group.
///
/// Ranks are multiples of ½, so the doubled deviations 2·r − (n + 1) are
/// integers held exactly, and the sums of their products are exact for any
/// realistic n (below 2^53); cov/√(var_x·var_t) is then evaluated in
/// double-double and rounded once.
pub(super) fn spearman(x: &TieGroups, t: &TieGroups) -> Option<f64> {
    if x.len() < 2 || x.count() < 2 || t.count() < 2 {
        return None;
    }
    let centre = index_to_f64(x.len()) + 1.0;
    let (mut cov, mut var_x, mut var_t) = (
        CompensatedSum::default(),
        CompensatedSum::default(),
        CompensatedSum::default(),
    );
    for (&rx, &rt) in x.ranks().iter().zip(t.ranks()) {
        let (dx, dt) = (2.0 * rx - centre, 2.0 * rt - centre);
        cov.add(dx * dt);
        var_x.add(dx * dx);
        var_t.add(dt * dt);
    }
    let product = DoubleDouble::from(var_x.value()).mul(DoubleDouble::from(var_t.value()));
    let rho = DoubleDouble::from(cov.value()).div(product.sqrt()).value();
    rho.is_finite().then(|| rho.clamp(-1.0, 1.0))
}

/// Kendall's τ-b with the tie groups as the ties: a pair is tied in x when
/// both items fall in one group of x.
pub(super) fn kendall_tau_b(x: &TieGroups, t: &TieGroups) -> Option<f64> {
    let pairs: Vec<(usize, usize)> = x
        .groups()
        .iter()
        .copied()
        .zip(t.groups().iter().copied())
        .collect();
    crate::compare::kendall_tau_b(&pairs)
}

/// The share of channels whose signs agree (zeros snapped); `None` when
/// n = 0.
pub(super) fn sign_agreement(x: &TieGroups, t: &TieGroups) -> Option<f64> {
    if x.len() == 0 {
        return None;
    }
    let sign = |v: f64| {
        if v == 0.0 {
            0
        } else if v > 0.0 {
            1
        } else {
            -1
        }
    };
    let agree = x
        .snapped()
        .iter()
        .zip(t.snapped())
        .filter(|&(&a, &b)| sign(a) == sign(b))
        .count();
    Some(index_to_f64(agree) / index_to_f64(x.len()))
}

/// ½·Σ|x_c/Σ|x| − t_c/Σ|t|| on the raw values, in [0, 1]; `None` when
/// Σ|x| = 0 or Σ|t| = 0.
///
/// The sums, shares and differences are carried in double-double and the
/// result is rounded once, so it is the nearest double to the exact value
/// of the inputs (but for ties of rounding).
pub(super) fn share_error(x: &[f64], t: &[f64]) -> Option<f64> {
    let xs = signed_shares(x)?;
    let ts = signed_shares(t)?;
    let total = xs.iter().zip(&ts).fold(DoubleDouble::ZERO, |sum, (a, b)| {
        sum.add(a.add(b.neg()).abs())
    });
    let error = 0.5 * total.value();
    error.is_finite().then(|| error.clamp(0.0, 1.0))
}

/// v_c/Σ|v| in double-double, signs kept; `None` when Σ|v| = 0. When Σ|v|
/// overflows, the values are first divided by their largest magnitude.
fn signed_shares(values: &[f64]) -> Option<Vec<DoubleDouble>> {
    let sum_abs = |v: &[f64]| {
        v.iter().fold(DoubleDouble::ZERO, |s, x| {
            s.add(DoubleDouble::from(x.abs()))
        })
    };
    let mut total = sum_abs(values);
    let mut scaled = None;
    if !total.value().is_finite() {
        let largest = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let v: Vec<f64> = values.iter().map(|v| v / largest).collect();
        total = sum_abs(&v);
        scaled = Some(v);
    }
    if total.value() == 0.0 {
        return None;
    }
    let values = scaled.as_deref().unwrap_or(values);
    Some(
        values
            .iter()
            .map(|&v| DoubleDouble::from(v).div(total))
            .collect(),
    )
}

/// 1 when the top groups of x and t hold the same channels, else 0; `None`
/// when n = 0.
pub(super) fn top1(x: &TieGroups, t: &TieGroups) -> Option<f64> {
    let top_x = x.count().checked_sub(1)?;
    let top_t = t.count().checked_sub(1)?;
    let same = x
        .groups()
        .iter()
        .zip(t.groups())
        .all(|(&gx, &gt)| (gx == top_x) == (gt == top_t));
    Some(if same { 1.0 } else { 0.0 })
}
