//! SVG charts drawn with plotters' SVG backend: bars for time and dollars per stage, pass
//! rates with their 95% intervals as error bars. Text from the run (labels) is escaped by the
//! backend; the page's CSS recolours axes and text for the dark theme.

use plotters::prelude::*;

use crate::eval::Rate;

const WIDTH: u32 = 460;
const HEIGHT: u32 = 260;
const BAR: RGBColor = RGBColor(0x3b, 0x82, 0xc4);
const BAR_ALT: RGBColor = RGBColor(0xd9, 0x82, 0x2b);
const INK: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// Labels longer than this are cut (the estimate of text width is crude in SVG anyway).
const LABEL_CHARS: usize = 14;

/// One bar per `(label, value)`; `None` when there is nothing to draw.
pub(crate) fn bars(title: &str, unit: &str, rows: &[(String, f64)], alt: bool) -> Option<String> {
    if rows.is_empty() || rows.iter().all(|(_, v)| *v <= 0.0 || !v.is_finite()) {
        return None;
    }
    let top = rows.iter().map(|(_, v)| *v).fold(0.0, f64::max) * 1.15;
    let labels: Vec<String> = rows.iter().map(|(l, _)| short(l)).collect();
    let color = if alt { BAR_ALT } else { BAR };
    draw(title, unit, &labels, top, |chart| {
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, v))| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0.0), (right(i, rows.len()), *v)],
                    color.filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// One bar per `(label, rate)` in percent, with its interval as an error bar.
pub(crate) fn rates(title: &str, rows: &[(String, Rate)]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let labels: Vec<String> = rows
        .iter()
        .map(|(l, r)| format!("{} ({}/{})", short(l), r.successes, r.count))
        .collect();
    // Headroom over 100%, so a full bar and its interval stay clear of the caption.
    draw(title, "pass@1 %", &labels, 108.0, |chart| {
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, r))| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (right(i, rows.len()), r.rate * 100.0),
                    ],
                    BAR.filled(),
                );
                bar.set_margin(0, 0, 10, 10);
                bar
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, r))| {
                ErrorBar::new_vertical(
                    SegmentValue::CenterOf(i),
                    r.low * 100.0,
                    r.rate * 100.0,
                    r.high * 100.0,
                    INK.stroke_width(2),
                    10,
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

fn draw(
    title: &str,
    unit: &str,
    labels: &[String],
    top: f64,
    series: impl FnOnce(&mut ChartContext<'_, SVGBackend<'_>, SegmentedChart>) -> Result<(), String>,
) -> Option<String> {
    let mut svg = String::new();
    let drawn = (|| -> Result<(), String> {
        // Room for each label under its bar.
        let width = WIDTH.max(90 * labels.len() as u32 + 60);
        let root = SVGBackend::with_string(&mut svg, (width, HEIGHT)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(48)
            // A usize range is inclusive: `0..n - 1` makes the n segments of n bars.
            .build_cartesian_2d(
                (0..labels.len().saturating_sub(1)).into_segmented(),
                0f64..top.max(1e-9),
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(1)
            .x_labels(labels.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc(unit)
            .y_label_formatter(&|v| format!("{}", Short(*v)))
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(|e| e.to_string())?;
        series(&mut chart)?;
        root.present().map_err(|e| e.to_string())?;
        Ok(())
    })();
    // A chart that cannot be drawn is left out; the numbers are in the tables beside it.
    drawn.ok().map(|()| svg)
}

type SegmentedChart = Cartesian2d<
    plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize>,
    plotters::coord::types::RangedCoordf64,
>;

/// The right edge of bar `i` of `n`: the next segment's start, or the axis's end for the
/// last (the axis holds exactly `n` segments, so segment `n` does not exist).
fn right(i: usize, n: usize) -> SegmentValue<usize> {
    if i + 1 >= n {
        SegmentValue::Last
    } else {
        SegmentValue::Exact(i + 1)
    }
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

/// Axis numbers without a tail of zeros.
struct Short(f64);

impl std::fmt::Display for Short {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v == 0.0 || v.abs() >= 100.0 {
            write!(f, "{v:.0}")
        } else if v.abs() >= 1.0 {
            write!(f, "{v:.1}")
        } else {
            write!(f, "{v:.3}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::wilson;

    #[test]
    fn charts_are_svg_and_hostile_labels_stay_text() {
        let svg = bars(
            "time",
            "s",
            &[
                ("generate".into(), 3.0),
                ("<script>alert(1)</script>".into(), 1.0),
            ],
            false,
        )
        .expect("drawn");
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(!svg.contains("<script>"));
        let svg = rates(
            "pass@1",
            &[("easy\"><img src=x onerror=alert(1)>".into(), wilson(3, 4))],
        )
        .expect("drawn");
        assert!(!svg.contains("<img"));
        // No bar of negative width (browsers log an error for each).
        assert!(!svg.contains("width=\"-"), "{svg}");
        assert!(bars("none", "s", &[("a".into(), 0.0)], false).is_none());
    }
}
